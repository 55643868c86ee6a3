/**
 * `--ingest-k6 FILE`: builds the run result from k6's `--out json` file (plain or gzip, told by its magic
 * bytes), through the same MetricsRecorder as the native runner, so statistics, thresholds, the HTML
 * report and compare are the same. What k6 could not measure is listed in RunnerInfo.notAvailable.
 */
import { UsageError } from "../../../agent/errors.ts";
import type { Finding, MetricName, RunnerInfo } from "../../report/report-types.ts";
import { resultFromRecords, type ScenarioRunResult } from "../../run-scenario.ts";
import type { NormalizedScenario } from "../../scenario/normalized-scenario.ts";
import { NON_STREAMED_NOT_AVAILABLE } from "../not-available.ts";
import { k6Requests, type K6Requests } from "./k6-records.ts";
import { concatK6Results, K6ResultsError, parseK6Ndjson, type K6Results } from "./parse-k6-ndjson.ts";
import { REQUEST_KEY } from "./k6-metric-names.ts";

/** What an ingest gives the report. */
export interface K6Ingest {
  readonly result: ScenarioRunResult;
  readonly info: RunnerInfo;
  readonly findings: readonly Finding[];
  /** Why the metrics in `info.notAvailable` are missing (the runner-limits finding). */
  readonly limitsReason: string;
}

/** What the caller knows about the k6 run beyond its file (when Vigil ran k6 itself). */
export interface IngestExtra {
  readonly version?: string | null;
  readonly exitCode?: number;
  /** Stopped by Ctrl-C: the report is marked interrupted. */
  readonly interrupted?: boolean;
  /** How many k6 results files were ingested together. */
  readonly files?: number;
}

/** Report metrics an open-loop k6 run cannot give: k6 starts arrival-rate iterations on time or drops them, and never tells a planned send. */
const NO_PLAN: readonly MetricName[] = ["ttftFromPlannedMs", "e2eFromPlannedMs", "scheduleLagMs", "queueMs"];

/** The file's text: gunzipped when it starts with gzip's magic bytes (1f 8b), whatever its name. */
export function decodeK6File(bytes: Uint8Array<ArrayBuffer>): string {
  const gzip = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  return new TextDecoder().decode(gzip ? Bun.gunzipSync(bytes) : bytes);
}

/**
 * Reads and ingests k6 results files (one per k6 instance) as one run.
 * @throws UsageError when a file is missing or is not k6 NDJSON (the message names the file and line).
 */
export async function ingestK6Files(paths: readonly string[], scenario: NormalizedScenario, extra: IngestExtra = {}): Promise<K6Ingest> {
  const files: K6Results[] = [];
  for (const path of paths) files.push(await readK6File(path));
  return ingestK6Results(concatK6Results(files, REQUEST_KEY), scenario, { ...extra, files: files.length });
}

/** One file, parsed. @throws UsageError */
async function readK6File(path: string): Promise<K6Results> {
  const file = Bun.file(path);
  if (!(await file.exists())) throw new UsageError(`--ingest-k6: cannot read ${path}: no such file`);
  let results: K6Results;
  try {
    results = parseK6Ndjson(decodeK6File(await file.bytes()), path);
  } catch (error) {
    if (error instanceof K6ResultsError) throw new UsageError(`--ingest-k6: ${error.message}`);
    if (error instanceof Error && /gzip|zlib|inflate|header/i.test(error.message)) throw new UsageError(`--ingest-k6: ${path}: gzip data is damaged (${error.message})`);
    throw error;
  }
  return results;
}

/** The run result of parsed k6 results (pure). */
export function ingestK6Results(results: K6Results, scenario: NormalizedScenario, extra: IngestExtra = {}): K6Ingest {
  const requests = k6Requests(results);
  if (requests.records.length === 0) throw new UsageError("--ingest-k6: the file has no requests (no http_req_duration points and no Vigil request metrics)");
  const measured = requests.records.filter((record) => !record.warmup);
  const measureStartMs = measured[0]?.sentMs ?? requests.lastMs;
  const openLoop = scenario.load.executor === "constant-arrival-rate" || scenario.load.executor === "ramping-arrival-rate";
  const openPlan = openLoop ? { count: measured.length + requests.droppedIterations, startMs: measureStartMs, endMs: requests.lastMs } : null;
  const result = resultFromRecords(scenario, {
    records: requests.records,
    originMs: 0,
    startedAtEpochMs: requests.originEpochMs,
    endedAtEpochMs: requests.originEpochMs + requests.lastMs,
    durationMs: requests.lastMs,
    notSent: requests.droppedIterations,
    openPlan,
    interrupted: extra.interrupted ?? false,
    measureStartMs: requests.records.some((record) => record.warmup) ? measureStartMs : 0,
  });
  const reasons = [...(requests.streamed ? [] : ["non-streamed requests"]), ...(openLoop ? ["k6 records no planned send times"] : []), ...(requests.tokens ? [] : ["no token counts in the k6 results"])];
  return { result, info: runnerInfo(results, requests, extra, openLoop), findings: findings(results, requests, openLoop), limitsReason: reasons.join("; ") };
}

function runnerInfo(results: K6Results, requests: K6Requests, extra: IngestExtra, openLoop: boolean): RunnerInfo {
  // Latency from the planned send only means something for an open loop; there k6 cannot give it.
  const notAvailable = [...new Set<MetricName>([...(requests.streamed ? [] : NON_STREAMED_NOT_AVAILABLE), ...(openLoop ? NO_PLAN : [])])];
  if (!requests.tokens) notAvailable.push("inputTokens", "outputTokens");
  const thresholds = [...results.metrics.values()].flatMap((metric) => metric.thresholds.map((expression) => `${metric.name}: ${expression}`));
  return {
    version: extra.version ?? null,
    notAvailable,
    own: {
      points: results.points.length,
      files: extra.files ?? 1,
      requests: requests.records.length,
      droppedIterations: requests.droppedIterations,
      droppedWarmupIterations: requests.droppedWarmupIterations,
      skippedLines: results.skipped.length,
      requestIds: requests.grouped ? "vigil_request" : "none (each http_req_duration point is one request)",
      streamed: requests.streamed ? "xk6-sse" : "no",
      k6Thresholds: thresholds.length === 0 ? null : thresholds.join("; "),
      k6ExitCode: extra.exitCode ?? null,
    },
  };
}

function findings(results: K6Results, requests: K6Requests, openLoop: boolean): Finding[] {
  const out: Finding[] = [];
  if (requests.droppedIterations > 0) {
    out.push({ severity: "warning", code: "k6-dropped-iterations", message: `k6 dropped ${requests.droppedIterations} planned iteration${requests.droppedIterations === 1 ? "" : "s"} (no free VU when one was due: never sent, counted as not sent): the run did not offer the load it planned; raise load.maxInFlight (k6's maxVUs).` });
  } else if (openLoop) {
    out.push({ severity: "info", code: "k6-schedule", message: "k6 starts arrival-rate iterations on time or drops them (dropped_iterations 0 here); it does not record planned send times, so latency from the planned send is not available." });
  }
  if (!requests.grouped) out.push({ severity: "info", code: "k6-foreign-script", message: "the k6 results carry no Vigil request ids (a script Vigil did not generate): each http_req_duration point is one request, E2E is k6's http_req_duration, and token counts are not available." });
  for (const skipped of results.skipped.slice(0, 3)) out.push({ severity: "warning", code: "k6-skipped-line", message: `${skipped.source}:${skipped.line} skipped: ${skipped.reason}` });
  return out;
}
