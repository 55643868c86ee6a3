/**
 * The `bun run loadtest` command end to end: exit codes (0, 2, 99, 130), every scenario problem at
 * once with its field path, broken files named, report.json and requests.ndjson written, --json.
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../loadtest/report/report-types.ts";
import { spawnSimulator, type SpawnedSimulator } from "../loadtest/testing/spawn-simulator.ts";

const ROOT = new URL("..", import.meta.url).pathname;

async function loadtest(args: readonly string[], options: { readonly interruptAfterMs?: number } = {}) {
  const child = Bun.spawn([process.execPath, `${ROOT}loadtest/main.ts`, ...args], { cwd: ROOT, stdout: "pipe", stderr: "pipe", env: { ...process.env, NO_COLOR: "1" } });
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (options.interruptAfterMs !== undefined) timer = setTimeout(() => child.kill("SIGINT"), options.interruptAfterMs);
  const [stdout, stderr, exitCode] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  clearTimeout(timer);
  return { stdout, stderr, exitCode };
}

async function onlyReport(outRoot: string): Promise<{ report: Report; files: string[] }> {
  const [folder] = await readdir(outRoot);
  const files = await readdir(join(outRoot, folder as string));
  return { report: (await Bun.file(join(outRoot, folder as string, "report.json")).json()) as Report, files };
}

describe("bun run loadtest", () => {
  let sim: SpawnedSimulator;
  let dir: string;

  const scenarioFile = async (name: string, body: string) => {
    const path = join(dir, name);
    await Bun.write(path, body);
    return path;
  };
  const smoke = (extra: string) => `export default {
    target: { url: "${sim.url}", model: "meta-llama/Llama-3.1-8B-Instruct" },
    workload: { prompts: { kind: "synthetic", inputTokens: 24 }, outputTokens: 6 },
    load: { executor: "constant-vus", vus: 2, duration: "1s" },
    ${extra}
  };`;

  beforeAll(async () => {
    sim = await spawnSimulator(["--step-base-ms", "2"]);
    dir = await mkdtemp(join(tmpdir(), "vigil-loadtest-"));
  });
  afterAll(async () => {
    await sim?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("documents everything in --help", async () => {
    const { stdout, exitCode } = await loadtest(["--help"]);
    expect(exitCode).toBe(0);
    for (const word of ["--target", "--rate", "--vus", "--duration", "--agent", "--out", "--seed", "--json", "--ndjson", "constant-arrival-rate", "p(95)<500", "130"]) expect(stdout).toContain(word);
  });

  it("reports every scenario problem at once with its field path, exit 2", async () => {
    const path = await scenarioFile(
      "bad.ts",
      `export default { target: { url: "ftp://x", model: "" }, workload: { prompts: { kind: "synthetic", inputTokens: 0 }, outputTokens: 8 },
        load: { executor: "constant-arrival-rate", rate: -3, duration: "soon" }, thresholds: { ttft_ms: ["p95<500"], bogus: ["avg<1"] } };`,
    );
    const { stderr, exitCode } = await loadtest([path]);
    expect(exitCode).toBe(2);
    for (const line of [
      "target.url: must be an http(s) URL",
      "target.model: must be a non-empty string",
      "workload.prompts.inputTokens: must be >= 1, got 0",
      "load.rate: must be > 0, got -3",
      'load.duration: must be a duration like "30s"',
      "thresholds.ttft_ms[0]: cannot parse threshold 'p95<500'",
      "thresholds.bogus: unknown metric",
    ]) expect(stderr).toContain(line);
    expect(stderr).toContain("bad.ts");
  });

  it("names a broken file: syntax error, no default export, missing file (exit 2)", async () => {
    const syntax = await scenarioFile("syntax.ts", "export default { target: ");
    const noDefault = await scenarioFile("nodefault.ts", "export const x = 1;");
    for (const [path, message] of [
      [syntax, "cannot load the scenario file"],
      [noDefault, "has no default export"],
      [join(dir, "missing.ts"), "no such file"],
    ] as const) {
      const { stderr, exitCode } = await loadtest([path]);
      expect(exitCode, path).toBe(2);
      expect(stderr).toContain(path.split("/").pop() as string);
      expect(stderr).toContain(message);
    }
    expect((await loadtest(["--rate", "x", syntax])).stderr).toContain("--rate must be a number > 0, got 'x'");
    expect((await loadtest(["--frobnicate"])).exitCode).toBe(2);
  });

  it("runs, writes report.json and requests.ndjson, prints the summary JSON (exit 0)", async () => {
    const out = join(dir, "ok");
    const path = await scenarioFile("ok.ts", smoke(`thresholds: { error_rate: ["rate==0"] }`));
    const { stdout, stderr, exitCode } = await loadtest([path, "--out", out, "--json", "--ndjson", "--seed", "5"]);
    expect(exitCode, stderr).toBe(0);
    const summary = JSON.parse(stdout) as { status: string; counts: { completed: number } };
    expect(summary.status).toBe("completed");
    const { report, files } = await onlyReport(out);
    expect(files).toEqual(expect.arrayContaining(["report.json", "requests.ndjson"]));
    expect(report.counts.completed).toBe(summary.counts.completed);
    expect(report.scenario.seed).toBe(5);
    expect(report.run.environment.target.version).toEqual({ version: expect.any(String) });
    expect(report.run.environment.bunVersion).toBe(Bun.version);
    // The default client on Linux: kernel receive stamps, and no fallback notice.
    expect(report.run.client).toEqual({ client: "http1", receiveStamps: "kernel", fallbackReason: null });
    expect(stderr).not.toContain("kernel receive stamps unavailable");
    const lines = (await Bun.file(join(out, report.run.id, "requests.ndjson")).text()).trim().split("\n");
    expect(lines.length).toBe(report.counts.started);
    expect(JSON.parse(lines[0] as string).chunkOffsetsMs.length).toBeGreaterThan(0);
    expect(stderr).toContain("TTFT (ms)");
  });

  it("exits 99 when a threshold fails", async () => {
    const out = join(dir, "fail");
    const path = await scenarioFile("fail.ts", smoke(`thresholds: { ttft_ms: ["p(95)<0.001"] }`));
    const { stdout, exitCode } = await loadtest([path, "--out", out]);
    expect(exitCode).toBe(99);
    expect(stdout).toContain("FAIL ttft_ms p(95)<0.001");
    expect((await onlyReport(out)).report.thresholds[0]?.passed).toBe(false);
  });

  it("on Ctrl-C stops sending, writes what was measured and exits 130", async () => {
    const out = join(dir, "int");
    const path = await scenarioFile("long.ts", smoke(`gracefulStop: "5s"`).replace('duration: "1s"', 'duration: "60s"'));
    const { exitCode } = await loadtest([path, "--out", out], { interruptAfterMs: 2500 });
    expect(exitCode).toBe(130);
    const { report } = await onlyReport(out);
    expect(report.run.status).toBe("interrupted");
    expect(report.run.exitCode).toBe(130);
    expect(report.counts.completed).toBeGreaterThan(0);
    expect(report.findings.map((f) => f.code)).toContain("interrupted");
  });
});
