/**
 * mergeRuns(): N reports of the same scenario (the repetitions of `--repeat N`) into one report
 * whose top level is the merge of all runs (HDR histograms added, counts summed, rates over the
 * summed measured time) and whose `runs[]` keeps one RunSummary per repetition, so `compare` can
 * see the run-to-run spread. Windows are laid end to end on the first run's clock.
 */
import { decodeFromCompressedBase64, type Histogram } from "hdr-histogram-js";
import {
  type EncodedHistogram,
  type ErrorSummary,
  type ErrorType,
  type ErrorTypeSummary,
  METRIC_NAMES,
  type MetricName,
  type MetricSummary,
  type Report,
  type ReportWindow,
  type RunCounts,
  type RunSummary,
  type ThresholdResult,
  type Throughput,
} from "../report/report-types.ts";
import { createHistogram, encodeHistogram, summarize } from "../stats/histograms.ts";
import { checkCompatibility } from "./check-compatibility.ts";
import { IncompatibleReportsError } from "./compare-errors.ts";

/**
 * Merges repetitions; throws IncompatibleReportsError when they are not runs of the same scenario,
 * RangeError when given none. A single report is returned as is.
 * @example const merged = mergeRuns([run1, run2, run3]); merged.runs.length // 3
 */
export function mergeRuns(reports: readonly Report[]): Report {
  const first = reports[0];
  if (first === undefined) throw new RangeError("Cannot merge runs as 'reports' must hold at least one report: current length is 0");
  if (reports.length === 1) return first;
  for (const other of reports.slice(1)) {
    const { incompatible } = checkCompatibility(first, other);
    if (incompatible.length > 0) throw new IncompatibleReportsError(incompatible);
  }
  const last = reports[reports.length - 1] as Report;
  const runs = reports.flatMap((report) => report.runs.length > 0 ? report.runs.map((run) => ({ run, report })) : [{ run: runOf(report), report }]).map(({ run, report }, index): RunSummary => ({ ...run, index, startOffsetMs: report.run.startedAtEpochMs - first.run.startedAtEpochMs + run.startOffsetMs }));
  const histograms = mergeHistogramSets(reports.map((r) => r.histograms));
  const summary = Object.fromEntries(METRIC_NAMES.map((m) => [m, mergeSummary(reports.map((r) => r.summary[m]), histograms[m], m)])) as Record<MetricName, MetricSummary | null>;
  const counts = sumCounts(reports.map((r) => r.counts));
  const throughput = sumThroughput(reports.map((r) => r.throughput));
  const measuredMs = throughput.durationMs;
  const goodRequests = reports.reduce((sum, r) => sum + r.goodput.goodRequests, 0);
  return {
    ...first,
    run: {
      ...first.run,
      id: first.run.id,
      endedAtEpochMs: last.run.endedAtEpochMs,
      durationMs: last.run.endedAtEpochMs - first.run.startedAtEpochMs,
      status: reports.some((r) => r.run.status === "interrupted") ? "interrupted" : "completed",
      exitCode: Math.max(...reports.map((r) => r.run.exitCode)),
    },
    counts,
    throughput,
    summary,
    histograms,
    windows: { windowMs: first.windows.windowMs, windows: concatWindows(reports) },
    errors: mergeErrors(reports.map((r) => r.errors), counts.started),
    schedule: { ...first.schedule, fellBehind: reports.some((r) => r.schedule.fellBehind), reasons: reports.flatMap((r, i) => r.schedule.reasons.map((reason) => `run ${i}: ${reason}`)), queuedRequests: reports.reduce((s, r) => s + r.schedule.queuedRequests, 0) },
    goodput: { ...first.goodput, goodRequests, goodputPerS: measuredMs > 0 ? (goodRequests * 1000) / measuredMs : 0, goodRatio: counts.completed > 0 ? goodRequests / counts.completed : null },
    thresholds: mergeThresholds(reports.map((r) => r.thresholds)),
    runs,
    findings: [
      { severity: "info", code: "repeated-runs", message: `${reports.length} repetitions merged: distributions and rates are over all runs; runs[] keeps each one.` },
      ...dedupe(reports.flatMap((r) => r.findings)),
    ],
  };
}

/** A report's own top level as a RunSummary (for reports written before `runs[]` was filled). */
function runOf(report: Report): RunSummary {
  return { index: 0, startOffsetMs: 0, durationMs: report.run.durationMs, counts: report.counts, throughput: report.throughput, summary: report.summary, histograms: report.histograms, errorRate: report.errors.rate };
}

function decode(encoded: EncodedHistogram): Histogram {
  return decodeFromCompressedBase64(encoded.data, 32, false);
}

/** Adds the histograms of each metric over all reports. */
function mergeHistogramSets(sets: ReadonlyArray<Readonly<Record<MetricName, EncodedHistogram | null>>>): Record<MetricName, EncodedHistogram | null> {
  return Object.fromEntries(METRIC_NAMES.map((metric) => [metric, mergeEncoded(sets.map((s) => s[metric] ?? null), metric)])) as Record<MetricName, EncodedHistogram | null>;
}

function mergeEncoded(parts: readonly (EncodedHistogram | null | undefined)[], metric: MetricName, layout: "dense" | "packed" = "dense"): EncodedHistogram | null {
  const present = parts.filter((p): p is EncodedHistogram => p !== null && p !== undefined);
  if (present.length === 0) return null;
  const merged = createHistogram(layout);
  for (const part of present) merged.add(decode(part));
  return encodeHistogram(merged, metric);
}

/** Exact count, mean, min and max from the parts; percentiles and stddev from the merged histogram. */
function mergeSummary(parts: readonly (MetricSummary | null)[], merged: EncodedHistogram | null, metric: MetricName): MetricSummary | null {
  const present = parts.filter((p): p is MetricSummary => p !== null);
  if (present.length === 0 || merged === null) return null;
  const moments = {
    count: present.reduce((s, p) => s + p.count, 0),
    sum: present.reduce((s, p) => s + p.mean * p.count, 0),
    min: Math.min(...present.map((p) => p.min)),
    max: Math.max(...present.map((p) => p.max)),
  };
  return summarize(decode(merged), moments, metric);
}

function sumCounts(parts: readonly RunCounts[]): RunCounts {
  const sum = (pick: (c: RunCounts) => number) => parts.reduce((s, c) => s + pick(c), 0);
  const sources = new Set(parts.map((p) => p.tokenSource).filter((s) => s !== "none"));
  const planned = parts.every((p) => p.planned === null) ? null : sum((c) => c.planned ?? 0);
  return {
    planned,
    started: sum((c) => c.started),
    completed: sum((c) => c.completed),
    failed: sum((c) => c.failed),
    notSent: sum((c) => c.notSent),
    warmup: sum((c) => c.warmup),
    inputTokens: sum((c) => c.inputTokens),
    outputTokens: sum((c) => c.outputTokens),
    tokenSource: sources.size === 0 ? "none" : sources.size === 1 ? ([...sources][0] as RunCounts["tokenSource"]) : "mixed",
    chunkTokenMismatches: sum((c) => c.chunkTokenMismatches),
  };
}

/** Rates over the summed measured time: each run's rate weighted by its measured duration. */
function sumThroughput(parts: readonly Throughput[]): Throughput {
  const durationMs = parts.reduce((s, t) => s + t.durationMs, 0);
  const rate = (pick: (t: Throughput) => number) => (durationMs > 0 ? parts.reduce((s, t) => s + pick(t) * t.durationMs, 0) / durationMs : 0);
  return { durationMs, requestsPerS: rate((t) => t.requestsPerS), outputTokensPerS: rate((t) => t.outputTokensPerS), totalTokensPerS: rate((t) => t.totalTokensPerS), sentPerS: rate((t) => t.sentPerS), goodputPerS: rate((t) => t.goodputPerS) };
}

function mergeErrors(parts: readonly ErrorSummary[], started: number): ErrorSummary {
  const byType: Partial<Record<ErrorType, ErrorTypeSummary>> = {};
  for (const part of parts) {
    for (const [type, entry] of Object.entries(part.byType) as Array<[ErrorType, ErrorTypeSummary]>) {
      const into = byType[type];
      byType[type] = into ? { ...into, count: into.count + entry.count, byStatus: addCounts(into.byStatus ?? {}, entry.byStatus ?? {}), examples: [...into.examples, ...entry.examples].slice(0, 5) } : entry;
    }
  }
  const total = parts.reduce((s, p) => s + p.total, 0);
  return { total, rate: started > 0 ? total / started : 0, byType };
}

function addCounts(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = { ...a };
  for (const [key, n] of Object.entries(b)) out[key] = (out[key] ?? 0) + n;
  return out;
}

/** Windows of every run on one axis: run k's windows follow run k-1's, indexes continue. */
function concatWindows(reports: readonly Report[]): ReportWindow[] {
  const out: ReportWindow[] = [];
  for (const report of reports) {
    for (const window of report.windows.windows) {
      const index = out.length;
      out.push({ ...window, index, startOffsetMs: index * report.windows.windowMs });
    }
  }
  return out;
}

/** A threshold passes only if it passed in every run; the value shown is the worst run's (the first failing one, else the last). */
function mergeThresholds(parts: ReadonlyArray<readonly ThresholdResult[]>): ThresholdResult[] {
  const byExpression = new Map<string, ThresholdResult>();
  for (const part of parts) {
    for (const result of part) {
      const key = `${result.metric} ${result.expression}`;
      const seen = byExpression.get(key);
      if (seen === undefined || seen.passed) byExpression.set(key, result);
    }
  }
  return [...byExpression.values()];
}

function dedupe<T extends { readonly code: string; readonly message: string }>(items: readonly T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = `${item.code}\n${item.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
