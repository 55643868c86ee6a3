/**
 * `--runner k6` and `--ingest-k6` end to end (issue 9), through the CLI. No real k6 can be installed
 * here: ingest runs on NDJSON fixtures written by hand to k6's two documented line shapes
 * (test/fixtures/k6/make-fixtures.ts), and `--runner k6` runs against a fake `k6` on PATH that answers
 * `k6 version` and, for `k6 run`, checks the script and its bodies are there and writes a fixture as its
 * results. What is checked: reports are valid (HTML renders in Chromium, compare accepts them),
 * percentiles equal those computed straight from the fixture's points, counts and error types match the
 * fixture, thresholds agree with k6's own evaluation of the same points, k6's exit code 99 is passed
 * through, xk6-sse is detected, and without k6 the script and the commands are written (exit 0).
 */
import { chmod, mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MetricSummary, Report } from "../loadtest/report/report-types.ts";
import { launchReportBrowser } from "./support/report-browser.ts";
import { findTool } from "./support/require-tool.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const FIXTURES = join(ROOT, "test/fixtures/k6");
const chromiumPath = findTool("chromium");

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "vigil-k6-"));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function loadtest(args: readonly string[], env: Record<string, string> = {}) {
  const child = Bun.spawn([process.execPath, join(ROOT, "loadtest/main.ts"), ...args], { cwd: ROOT, stdout: "pipe", stderr: "pipe", env: { ...process.env, NO_COLOR: "1", ...env } });
  const [stdout, stderr, exitCode] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { stdout, stderr, exitCode };
}

/** A scenario with the fixtures' thresholds; `stream` as asked. */
async function scenarioFile(name: string, stream: boolean): Promise<string> {
  const path = join(dir, `${name}.ts`);
  await Bun.write(path, `export default {
    name: "${name}",
    target: { url: "http://127.0.0.1:1", model: "meta-llama/Llama-3.1-8B-Instruct", api: "chat" },
    workload: { prompts: { kind: "synthetic", inputTokens: 64 }, outputTokens: 16, stream: ${stream} },
    load: { executor: "constant-vus", vus: 2, duration: "3s" },
    warmup: "1s",
    thresholds: { e2e_ms: ["p(95)<2000"], error_rate: ["rate<0.2"] },
    seed: 3,
  };`);
  return path;
}

/** The only report under `out`. */
async function reportIn(out: string): Promise<{ report: Report; path: string }> {
  const [folder] = await readdir(out);
  const path = join(out, folder as string, "report.json");
  return { report: (await Bun.file(path).json()) as Report, path };
}

interface RawPoint {
  readonly metric: string;
  readonly value: number;
  readonly tags: Record<string, string>;
}

/** The fixture's points, read without the code under test. */
async function rawPoints(file: string): Promise<RawPoint[]> {
  let bytes = await Bun.file(join(FIXTURES, file)).bytes();
  if (file.endsWith(".gz")) bytes = Bun.gunzipSync(bytes);
  return new TextDecoder()
    .decode(bytes)
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as { type: string; metric: string; data: { value: number; tags: Record<string, string> | null } })
    .filter((line) => line.type === "Point")
    .map((line) => ({ metric: line.metric, value: line.data.value, tags: line.data.tags ?? {} }));
}

/** Nearest-rank percentile (what an HDR histogram answers, to its precision). */
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/** k6's Trend percentile: linear interpolation between sorted samples (TrendSink). */
function k6Percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lower = Math.floor(rank);
  const upper = Math.min(sorted.length - 1, lower + 1);
  return (sorted[lower] as number) + ((sorted[upper] as number) - (sorted[lower] as number)) * (rank - lower);
}

/** Summary percentiles equal the points' to the histogram's 3 significant digits. */
function expectPercentiles(summary: MetricSummary | null, values: readonly number[]): void {
  expect(summary?.count).toBe(values.length);
  for (const [key, p] of [["p50", 50], ["p90", 90], ["p99", 99]] as const) {
    const expected = percentile(values, p);
    expect(Math.abs((summary?.[key] ?? Number.NaN) - expected), `${key}: report ${summary?.[key]}, points ${expected}`).toBeLessThanOrEqual(expected * 1e-3 + 1e-3);
  }
  expect(summary?.max).toBeCloseTo(Math.max(...values), 6);
  expect(summary?.min).toBeCloseTo(Math.min(...values), 6);
}

describe("--ingest-k6", () => {
  it("the documented line shape, from a script Vigil did not write: one request per http_req_duration point", async () => {
    const out = join(dir, "documented");
    const run = await loadtest(["--ingest-k6", join(FIXTURES, "documented-shape.ndjson"), await scenarioFile("documented", false), "--out", out, "--quiet"]);
    expect(run.exitCode, run.stderr + run.stdout).toBe(0);
    const { report } = await reportIn(out);
    const points = (await rawPoints("documented-shape.ndjson")).filter((point) => point.metric === "http_req_duration");
    expect(report.run.runner).toBe("k6");
    expect(report.counts.started).toBe(points.length);
    expect(report.counts.notSent).toBe(3);
    expect(report.errors.byType.http_status?.count).toBe(points.filter((point) => point.tags.status === "500").length);
    expect(report.errors.byType.connect?.count).toBe(points.filter((point) => point.tags.status === "0").length);
    expectPercentiles(report.summary.e2eMs, points.filter((point) => point.tags.status === "200").map((point) => point.value));
    expect(report.summary.ttftMs).toBeNull();
    expect(report.summary.outputTokens).toBeNull();
    expect(report.run.runnerInfo?.notAvailable).toEqual(expect.arrayContaining(["ttftMs", "itlMs", "outputTokens"]));
    expect(report.findings.map((finding) => finding.code)).toEqual(expect.arrayContaining(["k6-foreign-script", "k6-dropped-iterations", "runner-limits"]));
  });

  it("the writer's shape from the generated script: warm-up apart, error types, tokens; thresholds agree with k6's evaluation", async () => {
    const out = join(dir, "buffered");
    const run = await loadtest(["--ingest-k6", join(FIXTURES, "writer-buffered.ndjson"), await scenarioFile("buffered", false), "--out", out, "--quiet"]);
    expect(run.exitCode, run.stderr + run.stdout).toBe(0);
    const { report } = await reportIn(out);
    const points = await rawPoints("writer-buffered.ndjson");
    const measured = (metric: string) => points.filter((point) => point.metric === metric && point.tags.scenario === "measure");
    const errors = measured("vigil_error_rate");
    expect(report.counts.started).toBe(errors.length);
    expect(report.counts.warmup).toBe(points.filter((point) => point.metric === "vigil_error_rate" && point.tags.scenario === "warmup").length);
    expect(report.counts.completed).toBe(measured("vigil_requests").length);
    expect(report.errors.byType.http_status?.count).toBe(errors.filter((point) => point.tags.vigil_error === "http_status").length);
    expect(report.errors.byType.aborted?.count).toBe(errors.filter((point) => point.tags.vigil_error === "aborted").length);
    expect(report.counts.outputTokens).toBe(measured("vigil_output_tokens").reduce((sum, point) => sum + point.value, 0));
    expect(report.counts.notSent).toBe(2);
    const e2e = measured("vigil_e2e_ms").map((point) => point.value);
    expectPercentiles(report.summary.e2eMs, e2e);
    expectPercentiles(report.summary.outputTokens, measured("vigil_output_tokens").map((point) => point.value));
    // k6 would evaluate the script's thresholds on the same points: the same verdicts.
    const k6Verdicts = { e2e_ms: k6Percentile(e2e, 95) < 2000, error_rate: errors.filter((point) => point.value === 1).length / errors.length < 0.2 };
    for (const threshold of report.thresholds) expect(threshold.passed, threshold.metric).toBe(k6Verdicts[threshold.metric as keyof typeof k6Verdicts]);
    expect(report.run.runnerInfo?.own.k6Thresholds).toBe("vigil_e2e_ms: p(95)<2000; vigil_error_rate: rate<0.2");
  });

  it("several files (one per k6-operator runner) as one run: every raw point counts, request ids kept apart per file", async () => {
    const out = join(dir, "two-pods");
    const file = join(FIXTURES, "writer-buffered.ndjson");
    const run = await loadtest(["--ingest-k6", file, "--ingest-k6", file, await scenarioFile("two-pods", false), "--out", out, "--quiet"]);
    expect(run.exitCode, run.stderr + run.stdout).toBe(0);
    const { report } = await reportIn(out);
    const points = await rawPoints("writer-buffered.ndjson");
    const e2e = points.filter((point) => point.metric === "vigil_e2e_ms" && point.tags.scenario === "measure").map((point) => point.value);
    expect(report.counts.started).toBe(2 * points.filter((point) => point.metric === "vigil_error_rate" && point.tags.scenario === "measure").length);
    expect(report.counts.notSent).toBe(4);
    expectPercentiles(report.summary.e2eMs, [...e2e, ...e2e]);
    expect(report.run.runnerInfo?.own.files).toBe(2);
  });

  it("the writer's shape, gzip, from the xk6-sse script: TTFT and ITL equal the points'; the HTML renders; compare accepts it", async () => {
    const out = join(dir, "streamed");
    const run = await loadtest(["--ingest-k6", join(FIXTURES, "writer-streamed.ndjson.gz"), await scenarioFile("streamed", true), "--out", out, "--quiet"]);
    expect(run.exitCode, run.stderr + run.stdout).toBe(0);
    const { report, path } = await reportIn(out);
    const points = await rawPoints("writer-streamed.ndjson.gz");
    const measured = (metric: string) => points.filter((point) => point.metric === metric && point.tags.scenario === "measure").map((point) => point.value);
    expectPercentiles(report.summary.ttftMs, measured("vigil_ttft_ms"));
    expectPercentiles(report.summary.itlMs, measured("vigil_itl_ms"));
    expectPercentiles(report.summary.tpotMs, measured("vigil_tpot_ms"));
    expectPercentiles(report.summary.e2eMs, measured("vigil_e2e_ms"));
    expect(report.run.runnerInfo?.notAvailable).not.toContain("ttftMs");
    expect(report.run.runnerInfo?.own.streamed).toBe("xk6-sse");

    // The same k6 results ingested again (a CI job ingesting k6-operator output): compare accepts the pair.
    const againOut = join(dir, "streamed-again");
    expect((await loadtest(["--ingest-k6", join(FIXTURES, "writer-streamed.ndjson.gz"), join(dir, "streamed.ts"), "--out", againOut, "--quiet"])).exitCode).toBe(0);
    const again = await reportIn(againOut);
    const compare = Bun.spawn([process.execPath, join(ROOT, "loadtest/compare/main.ts"), again.path, path], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
    const [compareOut, compareErr, compareExit] = await Promise.all([new Response(compare.stdout).text(), new Response(compare.stderr).text(), compare.exited]);
    expect(compareExit, compareOut + compareErr).toBe(0);
    expect(compareOut).toMatch(/ttft_p95/);

    if (chromiumPath) {
      await using browser = await launchReportBrowser(chromiumPath);
      const page = await browser.open(path.replace(/report\.json$/, "report.html"));
      expect(await page.textContent("body")).toContain("TTFT");
      expect(browser.consoleErrors).toEqual([]);
    }
  });

  it.each([
    ["a file that is not NDJSON", "garbage.ndjson", "not json at all\n{}\n", /--ingest-k6: .*garbage\.ndjson:1: not JSON/],
    ["damaged gzip", "broken.ndjson.gz", new Uint8Array([0x1f, 0x8b, 8, 0, 1, 2, 3]), /--ingest-k6: .*gzip/],
    ["a missing file", "missing.ndjson", null, /--ingest-k6: cannot read .*missing\.ndjson: no such file/],
  ])("%s: one clear line, exit 2", async (_label, name, content, message) => {
    const path = join(dir, name);
    if (content !== null) await Bun.write(path, content);
    const run = await loadtest(["--ingest-k6", path, await scenarioFile("bad", false), "--out", join(dir, "bad-out")]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});

/** A fake `k6` on PATH: `k6 version` (with xk6-sse when asked) and `k6 run --out json=FILE script.js`. */
async function fakeK6(options: { readonly sse: boolean; readonly results: string; readonly exitCode: number; readonly untilInterrupted?: boolean }): Promise<{ bin: string; log: string }> {
  const bin = join(dir, `fake-k6-${Math.random().toString(36).slice(2)}`);
  await mkdir(bin);
  const log = join(bin, "calls.log");
  const extensions = options.sse ? 'echo "Extensions:"; echo "  github.com/phymbert/xk6-sse v0.1.11, k6/x/sse [js]"' : "true";
  await Bun.write(
    join(bin, "k6"),
    `#!/bin/sh
if [ "$1" = "version" ]; then echo "k6 v1.3.0 (go1.24.4, linux/amd64)"; ${extensions}; exit 0; fi
[ "$1" = "run" ] || exit 64
out="\${3#json=}"
[ -f "$4" ] && [ -f requests.json ] || { echo "fake k6: no script or requests.json in $(pwd)" >&2; exit 107; }
echo "$*" >> "${log}"
cp "$4" "${log}.script.js"
${options.untilInterrupted ? `trap 'echo INT >> "${log}"; cp "${options.results}" "$out"; exit 105' INT
echo started >> "${log}"
i=0; while [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done` : ""}
cp "${options.results}" "$out"
exit ${options.exitCode}
`,
  );
  await chmod(join(bin, "k6"), 0o755);
  return { bin, log };
}

describe("--runner k6", () => {
  it("runs k6 when on PATH, ingests its results, passes k6's exit 99 through; without xk6-sse it sends non-streamed requests", async () => {
    const fake = await fakeK6({ sse: false, results: join(FIXTURES, "writer-buffered.ndjson"), exitCode: 99 });
    const out = join(dir, "ran-99");
    const run = await loadtest([await scenarioFile("ran", true), "--runner", "k6", "--out", out, "--quiet"], { PATH: `${fake.bin}:${process.env.PATH}` });
    expect(run.exitCode, run.stderr + run.stdout).toBe(99);
    const { report } = await reportIn(out);
    expect(report.run.runner).toBe("k6");
    expect(report.run.exitCode).toBe(99);
    expect(report.run.runnerInfo?.version).toBe("v1.3.0");
    expect(report.run.runnerInfo?.own.k6ExitCode).toBe(99);
    expect((report.scenario as unknown as { workload: { stream: boolean } }).workload.stream).toBe(false);
    expect(report.findings.map((finding) => finding.code)).toContain("k6-no-sse");
    const call = await Bun.file(fake.log).text();
    expect(call).toMatch(/^run --out json=.*k6-results\.ndjson\.gz .*script\.js$/m);
    expect(await Bun.file(`${fake.log}.script.js`).text()).toContain('import http from "k6/http";');
  });

  it("uses xk6-sse when `k6 version` lists it", async () => {
    const fake = await fakeK6({ sse: true, results: join(FIXTURES, "writer-streamed.ndjson.gz"), exitCode: 0 });
    const out = join(dir, "ran-sse");
    const run = await loadtest([await scenarioFile("ran-sse", true), "--runner", "k6", "--out", out, "--quiet"], { PATH: `${fake.bin}:${process.env.PATH}` });
    expect(run.exitCode, run.stderr + run.stdout).toBe(0);
    const { report } = await reportIn(out);
    expect(report.summary.ttftMs?.count).toBeGreaterThan(0);
    expect(await Bun.file(`${fake.log}.script.js`).text()).toContain('import sse from "k6/x/sse";');
  });

  it("Ctrl-C (a SIGINT to loadtest alone) reaches k6 once; the report covers what it wrote, exit 130", async () => {
    const fake = await fakeK6({ sse: false, results: join(FIXTURES, "writer-buffered.ndjson"), exitCode: 0, untilInterrupted: true });
    const out = join(dir, "interrupted");
    const child = Bun.spawn([process.execPath, join(ROOT, "loadtest/main.ts"), await scenarioFile("interrupted", false), "--runner", "k6", "--out", out, "--quiet"], { cwd: ROOT, stdout: "pipe", stderr: "pipe", env: { ...process.env, PATH: `${fake.bin}:${process.env.PATH}` } });
    const started = async () => (await Bun.file(fake.log).exists()) && (await Bun.file(fake.log).text()).includes("started");
    for (let i = 0; i < 200 && !(await started()); i++) await Bun.sleep(50);
    child.kill("SIGINT");
    const [stderr, exitCode] = await Promise.all([new Response(child.stderr).text(), child.exited]);
    expect(exitCode, stderr).toBe(130);
    expect(stderr).toContain("stopping k6");
    expect((await Bun.file(fake.log).text()).match(/^INT$/gm)).toHaveLength(1);
    const { report } = await reportIn(out);
    expect(report.run.status).toBe("interrupted");
    expect(report.run.runnerInfo?.own.k6ExitCode).toBe(105);
    expect(report.counts.started).toBeGreaterThan(0);
  });

  it.skipIf(Bun.which("k6", { PATH: `${dirname(process.execPath)}:/usr/bin:/bin` }) !== null)("without k6 on PATH: writes the scripts and the commands, exit 0", async () => {
    const out = join(dir, "script-only");
    const run = await loadtest([await scenarioFile("script-only", true), "--runner", "k6", "--out", out], { PATH: `${dirname(process.execPath)}:/usr/bin:/bin` });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain("k6 is not on PATH");
    expect(run.stdout).toMatch(/k6 run --out json=k6-results\.ndjson\.gz script\.js/);
    expect(run.stdout).toMatch(/bun run loadtest --ingest-k6 .*k6-results\.ndjson\.gz .*script-only\.ts/);
    const [folder] = await readdir(out);
    const text = await Bun.file(join(out, folder as string, "script.js")).text();
    expect(text).toContain('import http from "k6/http";');
    expect(await Bun.file(join(out, folder as string, "sse", "script.js")).text()).toContain('import sse from "k6/x/sse";');
    const bodies = (await Bun.file(join(out, folder as string, "requests.json")).json()) as { measure: Array<{ body: string }> };
    expect(JSON.parse(bodies.measure[0]?.body ?? "{}")).toMatchObject({ model: "meta-llama/Llama-3.1-8B-Instruct", max_tokens: 16 });
    expect(JSON.parse(bodies.measure[0]?.body ?? "{}").stream).toBeUndefined();
  });

  it("refuses a sweep with one line, exit 2", async () => {
    const run = await loadtest([join(ROOT, "scenarios/sweep.ts"), "--runner", "k6", "--out", join(dir, "sweep")]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/--runner k6: the sweep executor/);
  });
});
