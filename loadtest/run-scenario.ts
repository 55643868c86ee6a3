/**
 * Runs a normalized scenario with the native runner: plans the executor (or each sweep level),
 * drives the LoadRunner, and returns the recorders and the sweep result for buildReport(). I/O
 * (fetch, clocks) arrives in `options`, so tests can run it against the simulator in-process.
 */
import { planConstantArrivalRate } from "./executors/constant-arrival-rate.ts";
import { planConstantVus } from "./executors/constant-vus.ts";
import type { LoadPlan } from "./executors/plan.ts";
import { planRampingArrivalRate } from "./executors/ramping-arrival-rate.ts";
import { planRampingVus } from "./executors/ramping-vus.ts";
import { findKnee, isSaturated, nextSweepStep, planSweepLevel, type SweepLevelOutcome, type SweepLoad } from "./executors/sweep.ts";
import type { ClientInfo, SweepLevel, SweepReport } from "./report/report-types.ts";
import { LoadRunner } from "./runner/load-runner.ts";
import type { RequestRecord } from "./runner/request-record.ts";
import type { SendContext } from "./runner/send-request.ts";
import type { NormalizedLoad, NormalizedScenario } from "./scenario/normalized-scenario.ts";
import { MetricsRecorder } from "./stats/metrics-recorder.ts";
import { achievedRatioOf, countsOf, errorsOf, summariesOf, throughputOf } from "./stats/run-statistics.ts";
import { thresholdLookup } from "./stats/threshold-lookup.ts";
import { evaluateThresholds } from "./thresholds/evaluate-thresholds.ts";
import type { RequestSource } from "./workload/request-source.ts";

/** Inputs of runScenario. */
export interface RunScenarioOptions {
  readonly source: RequestSource;
  readonly send: SendContext;
  /** Wall clock (ms since 1970), read once at the start. */
  readonly wallNow: () => number;
  /** `x-request-id` prefix, normally the run id. */
  readonly requestIdPrefix: string;
  readonly onRecord?: (record: RequestRecord) => void;
  /** Receives the runner as soon as it exists (Ctrl-C handling, live progress). */
  readonly onRunner?: (runner: LoadRunner, recorder: MetricsRecorder) => void;
}

/** What a run measured, before it becomes a report. */
export interface ScenarioRunResult {
  /** The whole-run recorder (all phases). */
  readonly recorder: MetricsRecorder;
  readonly startedAtEpochMs: number;
  readonly endedAtEpochMs: number;
  /** Monotonic run duration. */
  readonly durationMs: number;
  readonly notSent: number;
  readonly interrupted: boolean;
  readonly sweep: SweepReport | null;
  /** The native runner's client (absent for external runners). */
  readonly client?: ClientInfo;
}

/** The executor's plan for an ordinary (non-sweep) run. */
export function planLoad(load: Exclude<NormalizedLoad, SweepLoad>, options: { readonly warmupMs: number; readonly seed: number }): LoadPlan {
  switch (load.executor) {
    case "constant-vus":
      return planConstantVus(load, options);
    case "ramping-vus":
      return planRampingVus(load, options);
    case "constant-arrival-rate":
      return planConstantArrivalRate(load, options);
    case "ramping-arrival-rate":
      return planRampingArrivalRate(load, options);
  }
}

/** Runs the scenario to the end (or until the runner is stopped) and returns what was measured. */
export async function runScenario(scenario: NormalizedScenario, options: RunScenarioOptions): Promise<ScenarioRunResult> {
  const now = options.send.now;
  const originMs = now();
  const startedAtEpochMs = options.wallNow();
  const recorder = new MetricsRecorder({ originMs, windowMs: scenario.windowMs, slo: scenario.slo, windows: true });
  using runner = new LoadRunner({
    send: options.send,
    source: options.source,
    timeouts: scenario.timeouts,
    gracefulStopMs: scenario.gracefulStopMs,
    requestIdPrefix: options.requestIdPrefix,
    onRecord: options.onRecord,
  });
  options.onRunner?.(runner, recorder);
  let notSent = 0;
  let sweep: SweepReport | null = null;
  const load = scenario.load;
  if (load.executor === "sweep") {
    const result = await runSweep(scenario, load, runner, recorder, originMs);
    sweep = result.report;
    notSent = result.notSent;
  } else {
    const result = await runner.runPhase(planLoad(load, { warmupMs: scenario.warmupMs, seed: scenario.seed }), 0, [recorder]);
    notSent = result.notSent;
  }
  return { recorder, startedAtEpochMs, endedAtEpochMs: options.wallNow(), durationMs: now() - originMs, notSent, interrupted: runner.stopped, sweep, client: options.send.transport.info };
}

async function runSweep(scenario: NormalizedScenario, load: SweepLoad, runner: LoadRunner, whole: MetricsRecorder, originMs: number): Promise<{ report: SweepReport; notSent: number }> {
  const outcomes: SweepLevelOutcome[] = [];
  const levels: SweepLevel[] = [];
  let notSent = 0;
  let stopReason: SweepReport["stopReason"] = "levels-done";
  for (;;) {
    const step = nextSweepStep(load, outcomes);
    if (step.kind === "done") {
      stopReason = step.reason;
      break;
    }
    const levelRecorder = new MetricsRecorder({ originMs, windowMs: scenario.windowMs, slo: scenario.slo, windows: true });
    const plan = planSweepLevel(load, step.level, { seed: scenario.seed });
    const result = await runner.runPhase(plan, levels.length, [whole, levelRecorder], { sweepLevel: levels.length });
    notSent += result.notSent;
    if (result.interrupted) {
      stopReason = "interrupted";
      break;
    }
    const thresholds = evaluateThresholds(scenario.parsedThresholds, thresholdLookup(levelRecorder));
    const throughput = throughputOf(levelRecorder);
    const achieved = achievedRatioOf(levelRecorder).ratio;
    const outcome: SweepLevelOutcome = { level: step.level, passed: thresholds.every((t) => t.passed), throughputPerS: throughput.requestsPerS, achievedRatio: achieved };
    const summaries = summariesOf(levelRecorder);
    levels.push({
      level: step.level,
      refinement: step.refinement,
      startOffsetMs: result.startMs - originMs + plan.measureStartMs,
      durationMs: throughput.durationMs,
      counts: countsOf(levelRecorder, result.notSent),
      throughput,
      errorRate: errorsOf(levelRecorder).rate,
      summary: { ttftMs: summaries.ttftMs, itlMs: summaries.itlMs, tpotMs: summaries.tpotMs, e2eMs: summaries.e2eMs, ttftFromPlannedMs: summaries.ttftFromPlannedMs, scheduleLagMs: summaries.scheduleLagMs },
      achievedRatio: achieved,
      thresholds,
      passed: outcome.passed,
      saturated: isSaturated(load, outcome, outcomes),
    });
    outcomes.push(outcome);
  }
  const knee = findKnee(outcomes);
  const kneeLevelIndex = knee === null ? null : levels.findIndex((level) => level.level === knee);
  return { report: { mode: load.mode, levels, knee, kneeLevelIndex, stopReason }, notSent };
}

/** What an external runner measured, as RequestRecords on one monotonic timeline (ms). */
export interface ExternalRunInput {
  readonly records: readonly RequestRecord[];
  /** Timeline value of the run start (window 0 starts here). */
  readonly originMs: number;
  readonly startedAtEpochMs: number;
  readonly endedAtEpochMs: number;
  readonly durationMs: number;
  /** Planned requests never sent (k6's dropped_iterations). */
  readonly notSent: number;
  /** Open-loop plan of the measured part, when the runner had one (closed loop otherwise). */
  readonly openPlan: { readonly count: number; readonly startMs: number; readonly endMs: number } | null;
  /** Stopped early (Ctrl-C): the report is marked interrupted. */
  readonly interrupted?: boolean;
  /** Where the measured phase began (default: origin + the scenario's warm-up). */
  readonly measureStartMs?: number;
}

/**
 * Feeds an external runner's records (k6 ingest, autocannon) through the same MetricsRecorder as the
 * native runner, in time order (sent, then ended), so stats and buildReport() are shared.
 */
export function resultFromRecords(scenario: NormalizedScenario, input: ExternalRunInput): ScenarioRunResult {
  const recorder = new MetricsRecorder({ originMs: input.originMs, windowMs: scenario.windowMs, slo: scenario.slo, windows: true });
  const measureStartMs = input.measureStartMs ?? input.originMs + scenario.warmupMs;
  recorder.beginPhase(input.originMs, measureStartMs > input.originMs ? "warmup" : "measure");
  if (measureStartMs > input.originMs) recorder.beginPhase(measureStartMs, "measure");
  recorder.notePlan(input.openPlan === null ? { kind: "closed", count: 0, startMs: 0, endMs: 0 } : { kind: "open", ...input.openPlan });
  const events: Array<{ readonly atMs: number; readonly end: boolean; readonly record: RequestRecord }> = [];
  for (const record of input.records) {
    events.push({ atMs: record.sentMs, end: false, record });
    events.push({ atMs: record.endMs ?? record.sentMs, end: true, record });
  }
  events.sort((a, b) => a.atMs - b.atMs || Number(a.end) - Number(b.end));
  for (const event of events) {
    if (event.end) recorder.ingest(event.record);
    else recorder.noteSent(event.record);
  }
  return { recorder, startedAtEpochMs: input.startedAtEpochMs, endedAtEpochMs: input.endedAtEpochMs, durationMs: input.durationMs, notSent: input.notSent, interrupted: input.interrupted ?? false, sweep: null };
}
