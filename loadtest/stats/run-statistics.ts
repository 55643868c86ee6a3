/**
 * Report sections computed from a MetricsRecorder: counts, throughput, schedule lag, goodput,
 * errors, summaries, windows. Pure functions of the recorder's state.
 */
import {
  type ErrorSummary,
  type ErrorType,
  type EncodedHistogram,
  type GoodputReport,
  METRIC_NAMES,
  type MetricName,
  type MetricSummary,
  type ReportWindow,
  type RunCounts,
  type ScheduleReport,
  type Throughput,
  type WindowPercentiles,
} from "../report/report-types.ts";
import { encodeHistogram, percentileOf, summarize } from "./histograms.ts";
import type { MetricsRecorder, PhaseLabel } from "./metrics-recorder.ts";

/** Measured span: first measured send to the last measured end (ms). */
export function measuredDurationMs(recorder: MetricsRecorder): number {
  if (!Number.isFinite(recorder.firstSentMs) || !Number.isFinite(recorder.lastEndMs)) return 0;
  return Math.max(0, recorder.lastEndMs - recorder.firstSentMs);
}

/** Request and token counts. */
export function countsOf(recorder: MetricsRecorder, notSent: number): RunCounts {
  const tokenSource = recorder.usageCounted > 0 ? (recorder.chunkCounted > 0 ? "mixed" : "usage") : recorder.chunkCounted > 0 ? "counted" : "none";
  return {
    planned: recorder.openLoopPhases > 0 ? recorder.plannedCount : null,
    started: recorder.started,
    completed: recorder.completed,
    failed: recorder.failed,
    notSent,
    warmup: recorder.warmup,
    inputTokens: recorder.inputTokens,
    outputTokens: recorder.outputTokens,
    tokenSource,
    chunkTokenMismatches: recorder.chunkTokenMismatches,
  };
}

/** Rates over the measured span. */
export function throughputOf(recorder: MetricsRecorder): Throughput {
  const durationMs = measuredDurationMs(recorder);
  const perS = (n: number) => (durationMs > 0 ? (n * 1000) / durationMs : 0);
  return {
    durationMs,
    requestsPerS: perS(recorder.completed),
    outputTokensPerS: perS(recorder.outputTokens),
    totalTokensPerS: perS(recorder.inputTokens + recorder.outputTokens),
    sentPerS: perS(recorder.started),
    goodputPerS: perS(recorder.goodRequests),
  };
}

/** Summary per metric. */
export function summariesOf(recorder: MetricsRecorder): Record<MetricName, MetricSummary | null> {
  return Object.fromEntries(METRIC_NAMES.map((m) => [m, summarize(recorder.histograms[m], recorder.moments[m], m)])) as Record<MetricName, MetricSummary | null>;
}

/** Encoded whole-run histogram per metric. */
export function encodedHistogramsOf(recorder: MetricsRecorder): Record<MetricName, EncodedHistogram | null> {
  return Object.fromEntries(METRIC_NAMES.map((m) => [m, recorder.moments[m].count > 0 ? encodeHistogram(recorder.histograms[m], m) : null])) as Record<MetricName, EncodedHistogram | null>;
}

/** Errors by type with examples. */
export function errorsOf(recorder: MetricsRecorder): ErrorSummary {
  const byType: ErrorSummary["byType"] = Object.fromEntries(
    (Object.keys(recorder.errorCounts) as ErrorType[]).map((type) => [type, { count: recorder.errorCounts[type] ?? 0, byStatus: recorder.errorStatuses[type] ?? {}, examples: recorder.errorExamples[type] ?? [] }]),
  );
  return { total: recorder.failed, rate: recorder.started > 0 ? recorder.failed / recorder.started : 0, byType };
}

/** Achieved over planned send rate for open-loop phases (null for closed loop). */
export function achievedRatioOf(recorder: MetricsRecorder): { target: number | null; achieved: number | null; ratio: number | null } {
  if (recorder.openLoopPhases === 0 || recorder.plannedSpanMs <= 0) return { target: null, achieved: null, ratio: null };
  const target = (recorder.plannedCount * 1000) / recorder.plannedSpanMs;
  // Sends that slipped past the planned end stretch the span: the achieved rate falls below target.
  const spanMs = Math.max(recorder.plannedSpanMs, recorder.lastSentMs - recorder.firstPlannedMs);
  const achieved = spanMs > 0 ? (recorder.started * 1000) / spanMs : 0;
  return { target, achieved, ratio: target > 0 ? achieved / target : null };
}

/** Limits for "the generator fell behind" (AIPerf/wrk2-style validity gate). */
export const SCHEDULE_LIMITS = { minLagP99LimitMs: 5, lagFractionOfGap: 0.1, minAchievedRatio: 0.97 } as const;

/** Whether the open-loop generator kept its schedule. */
export function scheduleOf(recorder: MetricsRecorder): ScheduleReport {
  const model = recorder.openLoopPhases > 0 ? (recorder.closedLoopPhases > 0 ? "mixed" : "open") : "closed";
  const { target, achieved, ratio } = achievedRatioOf(recorder);
  const lag = summarize(recorder.histograms.scheduleLagMs, recorder.moments.scheduleLagMs, "scheduleLagMs");
  if (model === "closed" || target === null) {
    return { model, targetRatePerS: null, achievedRatePerS: null, achievedRatio: null, lagMs: null, queuedRequests: 0, fellBehind: false, reasons: [], lagP99LimitMs: null, minAchievedRatio: null };
  }
  const lagLimit = Math.max(SCHEDULE_LIMITS.minLagP99LimitMs, target > 0 ? (SCHEDULE_LIMITS.lagFractionOfGap * 1000) / target : 0);
  const reasons: string[] = [];
  if (lag !== null && lag.p99 > lagLimit) reasons.push(`schedule lag p99 ${lag.p99.toFixed(1)} ms > ${lagLimit.toFixed(1)} ms`);
  if (ratio !== null && ratio < SCHEDULE_LIMITS.minAchievedRatio) reasons.push(`achieved ${achieved?.toFixed(2)} req/s is ${(ratio * 100).toFixed(1)} % of the planned ${target.toFixed(2)} req/s`);
  if (recorder.queuedRequests > 0) reasons.push(`${recorder.queuedRequests} requests waited for a maxInFlight slot`);
  return {
    model,
    targetRatePerS: target,
    achievedRatePerS: achieved,
    achievedRatio: ratio,
    lagMs: lag,
    queuedRequests: recorder.queuedRequests,
    fellBehind: reasons.length > 0,
    reasons,
    lagP99LimitMs: lagLimit,
    minAchievedRatio: SCHEDULE_LIMITS.minAchievedRatio,
  };
}

/** Goodput against the SLOs. */
export function goodputOf(recorder: MetricsRecorder): GoodputReport {
  const durationMs = measuredDurationMs(recorder);
  return {
    slo: recorder.options.slo,
    goodRequests: recorder.goodRequests,
    goodputPerS: durationMs > 0 ? (recorder.goodRequests * 1000) / durationMs : 0,
    goodRatio: recorder.completed > 0 ? recorder.goodRequests / recorder.completed : null,
  };
}

/** The phase label in force at a window start. */
function phaseAt(recorder: MetricsRecorder, offsetMs: number): PhaseLabel {
  let label: PhaseLabel = "measure";
  for (const phase of recorder.phases) if (phase.atMs <= offsetMs + 1e-6) label = phase.label;
  return label;
}

/** The per-window series. */
export function windowsOf(recorder: MetricsRecorder, startedAtEpochMs: number, options: { readonly histograms: boolean }): ReportWindow[] {
  const width = recorder.options.windowMs;
  return recorder.windows.map((window, index) => {
    const latency: Partial<Record<MetricName, WindowPercentiles>> = {};
    const histograms: Partial<Record<MetricName, EncodedHistogram>> = {};
    for (const [metric, histogram] of Object.entries(window.histograms) as Array<[MetricName, NonNullable<(typeof window.histograms)[MetricName]>]>) {
      if (histogram.totalCount === 0) continue;
      latency[metric] = {
        count: histogram.totalCount,
        p50: percentileOf(histogram, metric, 50) as number,
        p95: percentileOf(histogram, metric, 95) as number,
        max: percentileOf(histogram, metric, 100) as number,
      };
      if (options.histograms) histograms[metric] = encodeHistogram(histogram, metric);
    }
    return {
      index,
      startOffsetMs: index * width,
      startEpochMs: startedAtEpochMs + index * width,
      phase: phaseAt(recorder, index * width),
      started: window.started,
      completed: window.completed,
      errors: window.errors,
      inFlightMax: window.inFlightMax,
      inFlightMean: window.inFlightMs / width,
      outputTokens: window.outputTokens,
      outputTokensPerS: (window.outputTokens * 1000) / width,
      latency,
      histograms,
    };
  });
}
