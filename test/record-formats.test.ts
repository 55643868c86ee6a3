/**
 * The compiled agent recording every sample (--record) in each format, and
 * `vigil-agent export` reading the recordings back: the values equal what /metrics
 * showed for the same sample; a killed agent leaves a readable file; a textfile is
 * read by a real node_exporter; a path that cannot be written stops the agent at start.
 */
import { appendFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MetricFamily } from "../agent/exposition/family.ts";
import { parseExposition } from "../agent/exposition/parse-exposition.ts";
import { seriesKey } from "../agent/outputs/record/recorded-sample.ts";
import { type FixtureServer, startVllmFixtureServer } from "../scripts/vllm-fixture-server.ts";
import { runAgent, startAgent } from "./support/agent-process.ts";
import { freePort } from "./support/prometheus-server.ts";
import { findTool } from "./support/require-tool.ts";

interface Exported {
  format: string;
  types: Record<string, string>;
  samples: { timeMs: number; values: Record<string, number | string> }[];
}

const RECORDED = ["--metrics", "node_*", "--metrics", "vllm:*"];

/** The /metrics series of the recorded families, keyed as recordings key them. */
function recordedSeries(families: readonly MetricFamily[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const family of families) {
    if (!family.name.startsWith("node_") && !family.name.startsWith("vllm:")) continue;
    for (const s of family.samples) out.set(seriesKey(s.name, s.labels), s.value);
  }
  return out;
}

async function exportJson(path: string, extra: string[] = []): Promise<{ exported: Exported; stderr: string }> {
  const result = await runAgent(["export", path, "--format", "json", ...extra]);
  expect(result.stderr).not.toContain("Cannot");
  expect(result.exitCode).toBe(0);
  return { exported: JSON.parse(result.stdout) as Exported, stderr: result.stderr };
}

describe("--record and export", () => {
  let vllm: FixtureServer;
  let dir: string;

  beforeAll(async () => {
    vllm = await startVllmFixtureServer();
    dir = mkdtempSync(join(tmpdir(), "vigil-record-"));
  });
  afterAll(() => {
    vllm.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(["jsonl", "csv", "sqlite"])("records every sample to .%s and export gives back what /metrics showed", async (format) => {
    const path = join(dir, `run.${format}`);
    const agent = await startAgent(["--vllm", vllm.url, "--interval", "150ms", "--record", path, ...RECORDED]);
    await Bun.sleep(600);
    const families = parseExposition(await (await fetch(`${agent.url}/metrics`)).text());
    const shownAtMs = Math.round((families.find((f) => f.name === "vigil_sample_timestamp_seconds")?.samples[0]?.value ?? 0) * 1000);
    await Bun.sleep(400);
    expect(await agent.stop()).toBe(0);

    const { exported } = await exportJson(path);
    expect(exported.format).toBe("vigil.export/v1");
    expect(exported.samples.length).toBeGreaterThanOrEqual(4);
    expect(exported.types).toMatchObject({ node_cpu_seconds_total: "counter", "vllm:num_requests_running": "gauge", ...(format === "csv" ? {} : { "vllm:time_to_first_token_seconds": "histogram" }) });
    const recorded = exported.samples.find((s) => s.timeMs === shownAtMs);
    expect(recorded, `a recorded sample at ${shownAtMs}`).toBeDefined();
    expect(new Map(Object.entries(recorded?.values ?? {}).map(([k, v]) => [k, Number(v)]))).toEqual(recordedSeries(families));
    // --metrics kept the agent's own families out.
    expect(Object.keys(recorded?.values ?? {}).some((k) => k.startsWith("vigil_") || k.startsWith("process_"))).toBe(false);

    // The other export formats carry the same values.
    const csv = await runAgent(["export", path, "--format", "csv"]);
    expect(csv.exitCode).toBe(0);
    const csvLines = csv.stdout.trimEnd().split("\n");
    expect(csvLines).toHaveLength(exported.samples.length + 1);
    expect(csvLines[0]).toMatch(/^time,time_ms,/);
    const prom = await runAgent(["export", path, "--format", "prom"]);
    expect(prom.exitCode).toBe(0);
    expect(prom.stdout.endsWith("# EOF\n")).toBe(true);
    const running = parseExposition(prom.stdout).find((f) => f.name === "vllm:num_requests_running");
    expect(running?.samples).toHaveLength(exported.samples.length);
    expect(running?.samples.every((s) => s.value === 4 && s.timestampMs !== undefined)).toBe(true);
    // And the prom export is itself a readable recording: export(export(x)) keeps the values.
    const promPath = join(dir, `again-${format}.prom`);
    writeFileSync(promPath, prom.stdout);
    const again = await exportJson(promPath);
    expect(again.exported.samples.find((s) => s.timeMs === shownAtMs)?.values).toEqual(recorded?.values);
  });

  it("export --since/--until keeps only that window", async () => {
    const path = join(dir, "run.jsonl");
    const { exported: all } = await exportJson(path);
    const middle = all.samples[Math.floor(all.samples.length / 2)]?.timeMs as number;
    const { exported } = await exportJson(path, ["--since", new Date(middle).toISOString(), "--until", String(middle / 1000)]);
    expect(exported.samples.map((s) => s.timeMs)).toEqual([middle]);
  });

  it.each(["jsonl", "csv", "sqlite"])("a .%s recording read after kill -9 is intact up to its last complete sample", async (format) => {
    const path = join(dir, `killed.${format}`);
    const agent = await startAgent(["--vllm", vllm.url, "--interval", "30ms", "--record", path]);
    await Bun.sleep(1_500);
    agent.process.kill("SIGKILL");
    await agent.process.exited;
    // What a kill in the middle of a write leaves behind: part of a record.
    if (format !== "sqlite") appendFileSync(path, format === "jsonl" ? '{"timeMs":17965,"types":{"node_lo' : "2026-12-01T00:00:00.000Z,17965,1.5,");
    const result = await runAgent(["export", path, "--format", "json"]);
    expect(result.exitCode).toBe(0);
    if (format !== "sqlite") expect(result.stderr).toMatch(/skipped 1 incomplete record/);
    const exported = JSON.parse(result.stdout) as Exported;
    expect(exported.samples.length).toBeGreaterThan(5);
    for (const sample of exported.samples) expect(sample.values['vllm:num_requests_running{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"}']).toBe(4);
  });

  it("export --format prom (with and without --rates) is backfilled by promtool into Prometheus blocks", async () => {
    const promtool = findTool("promtool");
    if (!promtool) return;
    for (const extra of [[], ["--rates"]]) {
      const exported = await runAgent(["export", join(dir, "run.jsonl"), "--format", "prom", ...extra]);
      const file = join(dir, `backfill${extra.length}.om`);
      writeFileSync(file, exported.stdout);
      const lines = exported.stdout.split("\n").filter((l) => l !== "" && !l.startsWith("#")).length;
      const backfill = Bun.spawnSync([promtool, "tsdb", "create-blocks-from", "openmetrics", file, join(dir, `blocks${extra.length}`)], { stdout: "pipe", stderr: "pipe" });
      expect(backfill.stderr.toString()).toBe("");
      expect(backfill.exitCode).toBe(0);
      // BLOCK ULID  MIN TIME  MAX TIME  DURATION  NUM SAMPLES ...: every exported line became a sample.
      const row = backfill.stdout.toString().trim().split("\n")[1]?.split(/\s{2,}/) ?? [];
      expect(Number(row[4])).toBe(lines);
    }
  });

  it("export --rates turns a counter that resets into per-interval rates", async () => {
    const path = join(dir, "reset.jsonl");
    const line = (timeMs: number, value: number) => `${JSON.stringify({ timeMs, types: { "vllm:generation_tokens_total": "counter" }, values: { 'vllm:generation_tokens_total{model_name="m"}': value } })}\n`;
    writeFileSync(path, line(0, 100) + line(1000, 300) + line(2000, 50) + line(4000, 250));
    const { exported } = await exportJson(path, ["--rates"]);
    expect(exported.samples.map((s) => s.values['vllm:generation_tokens_total:rate{model_name="m"}'])).toEqual([200, 50, 100]);
  });

  it("writes a node_exporter textfile atomically that a real node_exporter reads, and removes it on shutdown", async () => {
    const nodeExporter = findTool("prometheus-node-exporter");
    if (!nodeExporter) return;
    const textfileDir = mkdtempSync(join(dir, "textfile-"));
    const path = join(textfileDir, "vigil.prom");
    const agent = await startAgent(["--vllm", vllm.url, "--interval", "100ms", "--record", path, "--metrics", "vllm:*", "--metrics", "vigil_*"]);
    const port = await freePort();
    const exporter = Bun.spawn([nodeExporter, `--web.listen-address=127.0.0.1:${port}`, "--collector.disable-defaults", "--collector.textfile", `--collector.textfile.directory=${textfileDir}`], { stdout: "ignore", stderr: "ignore" });
    try {
      let body = "";
      for (let i = 0; i < 50 && !body.includes("vllm:num_requests_running"); i++) {
        await Bun.sleep(200);
        body = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text(), () => "");
      }
      expect(body).toContain("node_textfile_scrape_error 0");
      expect(body).toMatch(/^vllm:num_requests_running\{engine="0",model_name="meta-llama\/Llama-3.1-8B-Instruct"\} 4$/m);
      const { exported } = await exportJson(path);
      expect(exported.samples).toHaveLength(1);
    } finally {
      exporter.kill();
      await exporter.exited;
    }
    expect(await agent.stop()).toBe(0);
    expect(existsSync(path)).toBe(false);
  });

  it("refuses to start with one clear line when the recording cannot be written", async () => {
    const bad = join(dir, "no-such-dir", "run.jsonl");
    const result = await runAgent(["--no-vllm", "--listen", "127.0.0.1:0", "--record", bad]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`Cannot record to ${bad}: ENOENT`);
    const usage = await runAgent(["--no-vllm", "--record", join(dir, "run.txt")]);
    expect(usage.exitCode).toBe(2);
    expect(usage.stderr).toBe(`vigil-agent: --record must end in .jsonl, .csv, .sqlite, .db or .prom: got '${join(dir, "run.txt")}'\n`);
  });
});
