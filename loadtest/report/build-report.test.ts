import { decodeFromCompressedBase64 } from "hdr-histogram-js";
import { describe, expect, it } from "vitest";
import { createRequestRecord, pushChunkTime, type RequestRecord } from "../runner/request-record.ts";
import type { ScenarioRunResult } from "../run-scenario.ts";
import { normalizeScenario } from "../scenario/normalize-scenario.ts";
import { MetricsRecorder } from "../stats/metrics-recorder.ts";
import { TEST_ENVIRONMENT } from "../testing/run-for-test.ts";
import { buildReport } from "./build-report.ts";
import { METRIC_NAMES, REPORT_SCHEMA } from "./report-types.ts";

const scenario = normalizeScenario(
  {
    target: { url: "http://x", model: "m", headers: { authorization: "Bearer secret", "x-team": "a" } },
    workload: { prompts: { kind: "synthetic", inputTokens: 10 }, outputTokens: 4 },
    load: { executor: "constant-arrival-rate", rate: 10, duration: "1s" },
    thresholds: { ttft_ms: ["p(95)<50", "avg<10"], error_rate: ["rate<0.5"], output_tokens_per_s: ["avg>1"] },
    slo: { ttftMs: 25 },
  },
  { file: "", defaultName: "unit" },
);

/** A request planned at `plannedMs`, sent `lagMs` later, first token after `ttftMs`, 4 chunks 10 ms apart. */
function request(index: number, plannedMs: number, lagMs: number, ttftMs: number, failure = false): RequestRecord {
  const record = createRequestRecord({ index, phase: 0, warmup: false, plannedMs, slotMs: null, sentMs: plannedMs + lagMs, inputTokensSent: 10, maxTokens: 4, requestId: `r-${index}` });
  const first = record.sentMs + ttftMs;
  record.headersMs = first - 1;
  if (failure) {
    record.failure = { type: "http_status", message: "HTTP 503: overloaded", status: 503 };
    record.endMs = record.headersMs;
    return record;
  }
  record.firstChoiceMs = first - 0.5;
  for (let i = 0; i < 4; i++) pushChunkTime(record, first + i * 10);
  record.firstContentMs = first;
  record.lastContentMs = first + 30;
  record.usageCompletionTokens = 4;
  record.usagePromptTokens = 10;
  record.endMs = first + 31;
  return record;
}

function run(records: RequestRecord[]): ScenarioRunResult {
  const recorder = new MetricsRecorder({ originMs: 1000, windowMs: 500, slo: scenario.slo, windows: true });
  recorder.beginPhase(1000, "measure");
  recorder.notePlan({ kind: "open", count: records.length, startMs: 1000, endMs: 2000 });
  for (const r of records) recorder.noteSent(r);
  for (const r of records) recorder.ingest(r);
  return { recorder, startedAtEpochMs: 1_800_000_000_000, endedAtEpochMs: 1_800_000_001_100, durationMs: 1100, notSent: 0, interrupted: false, sweep: null };
}

describe("buildReport()", () => {
  const records = [request(0, 1000, 0.5, 20), request(1, 1100, 1, 30), request(2, 1200, 0.5, 20), request(3, 1300, 2, 0, true)];
  const report = buildReport({ scenario, result: run(records), environment: TEST_ENVIRONMENT, argv: ["x"], id: "unit-1" });

  it("computes the metrics as DESIGN §3 defines them", () => {
    expect(report.schema).toBe(REPORT_SCHEMA);
    expect(report.summary.ttftMs).toMatchObject({ count: 3, min: 20, max: 30 });
    expect(report.summary.ttftMs?.mean).toBeCloseTo(70 / 3, 6);
    expect(report.summary.ttftVllmMs?.min).toBe(19.5);
    expect(report.summary.itlMs).toMatchObject({ count: 9, min: 10, max: 10 });
    expect(report.summary.tpotMs).toMatchObject({ count: 3, min: 10, max: 10 });
    expect(report.summary.e2eMs?.min).toBe(51);
    expect(report.summary.ttftFromPlannedMs?.max).toBe(31);
    expect(report.summary.scheduleLagMs).toMatchObject({ count: 4, min: 0.5, max: 2 });
    expect(report.summary.queueMs).toBeNull();
    expect(report.counts).toMatchObject({ started: 4, completed: 3, failed: 1, inputTokens: 30, outputTokens: 12, tokenSource: "usage", planned: 4 });
    expect(report.goodput.goodRequests).toBe(2);
  });

  it("embeds decodable HDR histograms in microseconds", () => {
    const ttft = report.histograms.ttftMs;
    expect(ttft?.recordedUnit).toBe("us");
    const histogram = decodeFromCompressedBase64(ttft?.data as string);
    expect(histogram.totalCount).toBe(3);
    expect(histogram.getValueAtPercentile(100) / (ttft?.unitsPerReportedUnit as number)).toBeCloseTo(30, 1);
    expect(Object.keys(report.histograms).sort()).toEqual([...METRIC_NAMES].sort());
  });

  it("keeps per-window series and errors by type with examples", () => {
    const windows = report.windows.windows;
    expect(windows.map((w) => w.started)).toEqual([4]);
    expect(windows[0]?.latency.ttftMs?.count).toBe(3);
    expect(windows[0]?.histograms.ttftMs?.data).toBeTypeOf("string");
    expect(windows.reduce((s, w) => s + w.outputTokens, 0)).toBe(12);
    expect(report.errors.byType.http_status).toEqual({ count: 1, byStatus: { "503": 1 }, examples: [{ requestIndex: 3, atOffsetMs: 301, message: "HTTP 503: overloaded", status: 503 }] });
    expect(report.errors.rate).toBe(0.25);
  });

  it("evaluates thresholds and sets the exit code", () => {
    expect(report.thresholds.map((t) => [t.metric, t.expression, t.passed])).toEqual([
      ["ttft_ms", "p(95)<50", true],
      ["ttft_ms", "avg<10", false],
      ["error_rate", "rate<0.5", true],
      ["output_tokens_per_s", "avg>1", true],
    ]);
    expect(report.run.exitCode).toBe(99);
  });

  it("never writes header secrets into the scenario as run", () => {
    expect(JSON.stringify(report)).not.toContain("secret");
    expect((report.scenario.target as { headers: Record<string, string> }).headers["x-team"]).toBe("a");
    expect(report.scenario).not.toHaveProperty("parsedThresholds");
  });

  it("is JSON-safe", () => {
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });
});
