/**
 * Builds the `vigil.report/v1` Report from what a run measured. Pure: no clock, no file system;
 * the environment fingerprint and exit code arrive as data. Writers (JSON, HTML, ...) take its result.
 */
import type { ScenarioRunResult } from "../run-scenario.ts";
import type { NormalizedScenario } from "../scenario/normalized-scenario.ts";
import { countsOf, encodedHistogramsOf, errorsOf, goodputOf, scheduleOf, summariesOf, throughputOf, windowsOf } from "../stats/run-statistics.ts";
import { thresholdLookup } from "../stats/threshold-lookup.ts";
import { evaluateThresholds } from "../thresholds/evaluate-thresholds.ts";
import {
  type EnvironmentFingerprint,
  type Finding,
  METRIC_DEFINITIONS,
  REPORT_SCHEMA,
  type Report,
  type RunSummary,
  type ScenarioAsRun,
  type ThresholdResult,
} from "./report-types.ts";
import type { TelemetryReport } from "./telemetry-types.ts";

/** Inputs of buildReport. */
export interface BuildReportInput {
  readonly scenario: NormalizedScenario;
  readonly result: ScenarioRunResult;
  readonly environment: EnvironmentFingerprint;
  readonly argv: readonly string[];
  /** Report id (also the folder name). */
  readonly id: string;
  readonly runner?: Report["run"]["runner"];
  readonly telemetry?: TelemetryReport | null;
  /** Embed per-window histograms (default true; they make the report mergeable per window). */
  readonly windowHistograms?: boolean;
}

/** Header names whose values are secrets and never written to a report. */
const SECRET_HEADER = /authorization|api[-_]?key|token|cookie|secret/i;

/**
 * Builds the report and decides the exit code (130 interrupted, 99 thresholds failed,
 * 1 nothing completed, else 0).
 * @example const report = buildReport({ scenario, result, environment, argv, id }); report.run.exitCode
 */
export function buildReport(input: BuildReportInput): Report {
  const { scenario, result } = input;
  const recorder = result.recorder;
  const counts = countsOf(recorder, result.notSent);
  const throughput = throughputOf(recorder);
  const summary = summariesOf(recorder);
  const histograms = encodedHistogramsOf(recorder);
  const errors = errorsOf(recorder);
  const schedule = scheduleOf(recorder);
  const thresholds = thresholdsOf(input);
  const status = result.interrupted ? "interrupted" : "completed";
  const exitCode = result.interrupted ? 130 : counts.started > 0 && counts.completed === 0 ? 1 : thresholds.some((t) => !t.passed) ? 99 : 0;
  const run: RunSummary = { index: 0, startOffsetMs: 0, durationMs: result.durationMs, counts, throughput, summary, histograms, errorRate: errors.rate };
  const report: Report = {
    schema: REPORT_SCHEMA,
    run: {
      id: input.id,
      startedAtEpochMs: result.startedAtEpochMs,
      startedAt: new Date(result.startedAtEpochMs).toISOString(),
      endedAtEpochMs: result.endedAtEpochMs,
      durationMs: result.durationMs,
      status,
      exitCode,
      runner: input.runner ?? "native",
      ...(result.client ? { client: result.client } : {}),
      windowMs: scenario.windowMs,
      argv: input.argv,
      environment: input.environment,
    },
    scenario: scenarioAsRun(scenario),
    definitions: METRIC_DEFINITIONS,
    counts,
    throughput,
    summary,
    histograms,
    windows: { windowMs: scenario.windowMs, windows: windowsOf(recorder, result.startedAtEpochMs, { histograms: input.windowHistograms ?? true }) },
    errors,
    schedule,
    goodput: goodputOf(recorder),
    thresholds,
    sweep: result.sweep,
    runs: [run],
    telemetry: input.telemetry ?? null,
    findings: [],
  };
  return { ...report, findings: findingsOf(report) };
}

/** Thresholds: on the whole run, or for a sweep on the knee level (none passing = each fails on the last level). */
function thresholdsOf(input: BuildReportInput): ThresholdResult[] {
  const sweep = input.result.sweep;
  if (sweep === null) return evaluateThresholds(input.scenario.parsedThresholds, thresholdLookup(input.result.recorder));
  if (sweep.kneeLevelIndex !== null) return [...(sweep.levels[sweep.kneeLevelIndex]?.thresholds ?? [])];
  return [...(sweep.levels[sweep.levels.length - 1]?.thresholds ?? [])];
}

/** The normalized scenario as JSON, header secrets redacted, the API key only by its variable's name. */
export function scenarioAsRun(scenario: NormalizedScenario): ScenarioAsRun {
  const headers = Object.fromEntries(Object.entries(scenario.target.headers).map(([k, v]) => [k, SECRET_HEADER.test(k) ? "(redacted)" : v]));
  const { parsedThresholds: _parsed, ...rest } = scenario;
  return JSON.parse(JSON.stringify({ ...rest, target: { ...scenario.target, headers } })) as ScenarioAsRun;
}

/** Notes a reader should see, derived from the report itself. */
export function findingsOf(report: Report): Finding[] {
  const findings: Finding[] = [];
  if (report.run.status === "interrupted") findings.push({ severity: "warning", code: "interrupted", message: `Interrupted: the report covers what was measured before Ctrl-C; ${report.counts.notSent} planned requests were not sent.` });
  if (report.schedule.fellBehind) findings.push({ severity: "warning", code: "generator-behind", message: `The load generator fell behind its schedule: ${report.schedule.reasons.join("; ")}. Latency from the planned send (ttftFromPlannedMs, e2eFromPlannedMs) includes this; service latency does not.` });
  if (report.schedule.model === "closed") findings.push({ severity: "info", code: "closed-loop", message: "Closed loop: a slow server slows the sender (coordinated omission by design); latency is from the actual send only." });
  if (report.counts.started > 0 && report.counts.completed === 0) findings.push({ severity: "error", code: "nothing-completed", message: `None of ${report.counts.started} requests completed; see errors.` });
  if (report.counts.tokenSource === "counted") findings.push({ severity: "info", code: "no-usage", message: "The server sent no usage: output tokens are counted content chunks, which can differ from tokens." });
  if (report.counts.chunkTokenMismatches > 0) findings.push({ severity: "info", code: "chunks-not-tokens", message: `${report.counts.chunkTokenMismatches} requests had usage.completion_tokens different from their content chunks: ITL is per chunk, TPOT per token.` });
  const ttft = report.summary.ttftMs;
  const e2e = report.summary.e2eMs;
  const out = report.summary.outputTokens;
  if (ttft && e2e && out && out.p50 > 4 && ttft.p50 > 0.9 * e2e.p50) findings.push({ severity: "warning", code: "pseudo-streaming", message: `TTFT p50 (${ttft.p50.toFixed(1)} ms) is over 90 % of E2E p50 (${e2e.p50.toFixed(1)} ms): the server or a proxy may buffer the stream.` });
  return findings;
}

/**
 * Marks a report as produced by an external runner: its RunnerInfo, a `runner-limits` finding naming
 * the metrics it could not measure (their summary rows emptied: not measured is not zero), and (k6) the
 * runner's own exit code when it failed thresholds (99).
 */
export function withRunnerInfo(report: Report, info: NonNullable<Report["run"]["runnerInfo"]>, options: { readonly exitCode?: number; readonly findings?: readonly Finding[]; readonly limitsReason?: string } = {}): Report {
  const findings: Finding[] = [...report.findings, ...(options.findings ?? [])];
  let summary = report.summary;
  let runs = report.runs;
  if (info.notAvailable.length > 0) {
    findings.push({ severity: "info", code: "runner-limits", message: `${info.notAvailable.join(", ")} not available from the ${report.run.runner} runner (${options.limitsReason ?? "non-streamed requests"}): those rows are empty, not zero.` });
    const empty = Object.fromEntries(info.notAvailable.map((metric) => [metric, null]));
    summary = { ...summary, ...empty };
    runs = runs.map((run) => ({ ...run, summary: { ...run.summary, ...empty } }));
  }
  return { ...report, summary, runs, run: { ...report.run, runnerInfo: info, exitCode: options.exitCode ?? report.run.exitCode }, findings };
}
