/**
 * compareReports(): the pure core of `bun run compare`. For each gated metric it takes the two
 * values, the noise of each (see estimate-noise.ts), and decides a verdict:
 *
 *   d = ln(candidate / baseline)                       (relative metrics; error rate: p_c - p_b)
 *   σ_r = max(order-stat, window bootstrap, run spread / √runs_r, floor, jitter / value)   per report r
 *   interval = d ± z·sqrt(σ_b² + σ_c²)                 z from `confidence` (default 0.997 → z ≈ 3)
 *
 * `same` when the interval holds 0, `better`/worse when it lies on one side; a significant worsening
 * larger than the metric's tolerance is a `regression`. A report with one run borrows the run
 * spread of the other (a baseline recorded with `--repeat N` carries it), since one run cannot see
 * its own run-to-run noise.
 */
import type { Report } from "../report/report-types.ts";
import { checkCompatibility } from "./check-compatibility.ts";
import { IncompatibleReportsError } from "./compare-errors.ts";
import { COMPARISON_SCHEMA, type Comparison, type MetricComparison, type ReportRef, type Verdict } from "./comparison-types.ts";
import { DEFAULT_BOOTSTRAP, type BootstrapOptions, type NoiseEstimate, orderStatisticNoise, runSpread, windowBootstrapNoise, windowRateNoise } from "./estimate-noise.ts";
import { GATED_METRICS, type GatedMetric } from "./gated-metrics.ts";
import { normalQuantile } from "./normal-quantile.ts";
import type { Tolerances } from "./parse-tolerances.ts";

/** Options of a comparison; every field has a default. */
export interface CompareOptions {
  /** Tolerance per metric key, over the defaults in GATED_METRICS. */
  readonly tolerances?: Tolerances;
  /** Two-sided confidence of the noise interval (default 0.997, z ≈ 2.97). */
  readonly confidence?: number;
  /** Smallest relative noise of one report's statistic (default 0.01): no run is more repeatable than this. */
  readonly noiseFloor?: number;
  /** Smallest absolute noise of a latency statistic in ms (default 0.1): timer and scheduler jitter. */
  readonly jitterMs?: number;
  /** Compare even when the check says the reports are incompatible (the differences become warnings). */
  readonly force?: boolean;
  readonly bootstrap?: BootstrapOptions;
}

/** The defaults, exported for the README and the CLI's --help. */
export const DEFAULT_COMPARE_OPTIONS = { confidence: 0.997, noiseFloor: 0.01, jitterMs: 0.1 } as const;

/**
 * Compares a candidate report with a baseline.
 * Throws IncompatibleReportsError when the scenario, model, workload or load shape differ (unless `force`).
 * @example
 *   const comparison = compareReports(baseline, candidate, { tolerances: parseTolerances("ttft=10%") });
 *   process.exitCode = comparison.verdict === "regression" ? 1 : 0;
 */
export function compareReports(baseline: Report, candidate: Report, options: CompareOptions = {}): Comparison {
  const confidence = options.confidence ?? DEFAULT_COMPARE_OPTIONS.confidence;
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`Cannot compare as 'confidence' must be in (0, 1): current value is ${confidence}`);
  const compatibility = checkCompatibility(baseline, candidate);
  if (compatibility.incompatible.length > 0 && !options.force) throw new IncompatibleReportsError(compatibility.incompatible);
  const settings: Settings = {
    z: normalQuantile(0.5 + confidence / 2),
    noiseFloor: options.noiseFloor ?? DEFAULT_COMPARE_OPTIONS.noiseFloor,
    jitterMs: options.jitterMs ?? DEFAULT_COMPARE_OPTIONS.jitterMs,
    bootstrap: options.bootstrap ?? DEFAULT_BOOTSTRAP,
  };
  const metrics = GATED_METRICS.map((metric) => compareMetric(metric, baseline, candidate, options.tolerances?.[metric.key] ?? metric.defaultTolerance, settings));
  const regressions = metrics.filter((m) => m.verdict === "regression").map((m) => m.key);
  return {
    schema: COMPARISON_SCHEMA,
    baseline: refOf(baseline),
    candidate: refOf(candidate),
    confidence,
    metrics,
    warnings: [...compatibility.incompatible, ...compatibility.warnings],
    regressions,
    verdict: regressions.length > 0 ? "regression" : "pass",
  };
}

interface Settings {
  readonly z: number;
  readonly noiseFloor: number;
  readonly jitterMs: number;
  readonly bootstrap: BootstrapOptions;
}

/** One side of a metric: value, noise of ln(value) (or absolute for error rate), and where it came from. */
interface Side {
  readonly value: number | null;
  readonly within: NoiseEstimate | null;
  readonly runValues: readonly (number | null)[];
  /** Completed requests of the whole report (the rate's granularity). */
  readonly completed: number;
}

function compareMetric(metric: GatedMetric, baseline: Report, candidate: Report, tolerance: number, settings: Settings): MetricComparison {
  const b = sideOf(metric, baseline, settings);
  const c = sideOf(metric, candidate, settings);
  const base = { key: metric.key, label: metric.label, unit: metric.unit, better: metric.better, baseline: b.value, candidate: c.value, tolerance, note: null };
  if (b.value === null || c.value === null) {
    return { ...base, change: null, changeKind: metric.source.kind === "error-rate" ? "absolute" : "relative", interval: null, verdict: "not-measured", noiseSource: "" };
  }
  // Run-to-run spread, pooled over the reports that have repeats, applied to each report by its run count.
  const scale = metric.source.kind === "error-rate" ? "absolute" : "log";
  const spreads = [runSpread(b.runValues, scale), runSpread(c.runValues, scale)].filter((s) => s !== null);
  const pooledSpread = spreads.length === 0 ? null : Math.sqrt(spreads.reduce((sum, s) => sum + s.sigma ** 2 * (s.runs - 1), 0) / spreads.reduce((sum, s) => sum + s.runs - 1, 0));
  const sources = new Set<string>();
  if (pooledSpread !== null) sources.add(`runs(${spreads.map((s) => s.runs).join("+")})`);
  const sigmaOf = (side: Side): number => {
    const runs = Math.max(1, side.runValues.length);
    const candidates = [side.within?.sigma ?? 0, pooledSpread === null ? 0 : pooledSpread / Math.sqrt(runs)];
    if (side.within) sources.add(side.within.source.replace(/\([^)]*\)/g, ""));
    if (metric.source.kind === "rate") {
      // A run of n completions cannot resolve its rate finer than one request: ±half a request of rounding.
      candidates.push(0.5 / Math.max(1, side.completed));
    }
    if (metric.source.kind !== "error-rate") {
      candidates.push(settings.noiseFloor);
      if (metric.source.kind === "latency") candidates.push(settings.jitterMs / Math.max(side.value as number, settings.jitterMs));
    }
    return Math.max(...candidates);
  };
  const sigmaB = sigmaOf(b);
  const sigmaC = sigmaOf(c);
  if (metric.source.kind !== "error-rate") sources.add("floor");
  const sigma = Math.sqrt(sigmaB ** 2 + sigmaC ** 2);
  const sign = metric.better === "lower" ? 1 : -1;
  if (metric.source.kind === "error-rate") {
    // Two-proportion z-test: under "no change" both runs share one error probability, estimated from both.
    const pooled = (baseline.errors.total + candidate.errors.total) / (baseline.counts.started + candidate.counts.started);
    const binomial = Math.sqrt(pooled * (1 - pooled) * (1 / baseline.counts.started + 1 / candidate.counts.started));
    const sigmaErrors = Math.max(binomial, Math.sqrt((pooledSpread ?? 0) ** 2 * (1 / Math.max(1, b.runValues.length) + 1 / Math.max(1, c.runValues.length))));
    const d = (c.value as number) - (b.value as number);
    const interval = { low: d - settings.z * sigmaErrors, high: d + settings.z * sigmaErrors };
    return { ...base, change: d, changeKind: "absolute", interval, verdict: verdictOf(sign, d, interval, tolerance), noiseSource: [...sources, "binomial"].join(" ") };
  }
  const d = Math.log(Math.max(c.value as number, 1e-9)) - Math.log(Math.max(b.value as number, 1e-9));
  const interval = { low: Math.expm1(d - settings.z * sigma), high: Math.expm1(d + settings.z * sigma) };
  const verdict = verdictOf(sign, Math.expm1(d), interval, tolerance);
  const thin = thinTail(metric, baseline, candidate);
  if (verdict === "regression" && thin !== null) return { ...base, change: Math.expm1(d), changeKind: "relative", interval, verdict: "worse-within-tolerance", noiseSource: [...sources].join(" "), note: thin };
  return { ...base, change: Math.expm1(d), changeKind: "relative", interval, verdict, noiseSource: [...sources].join(" ") };
}

/**
 * Fewest samples beyond a tail percentile (p90 and up), in each report, before it may fail the
 * gate: a p99 of 150 ITL gaps is the second-largest gap, which one scheduler hiccup decides. With 5
 * the only false alarms measured (1 in 90 same-vs-same comparisons, twice) were ITL p95/p99 with
 * 1.5-7.5 samples beyond; 10 leaves the tails of short runs reported but not gated.
 */
export const MIN_TAIL_SAMPLES = 10;

/** A note when either report has too few samples beyond the metric's percentile to gate it, else null. */
function thinTail(metric: GatedMetric, baseline: Report, candidate: Report): string | null {
  const source = metric.source;
  // Only tails: a median always has half the samples beyond it, and its order-statistic noise is sound.
  if (source.kind !== "latency" || source.percentile < 90) return null;
  const beyond = (report: Report) => (report.summary[source.metric]?.count ?? 0) * (1 - source.percentile / 100);
  const fewest = Math.min(beyond(baseline), beyond(candidate));
  if (fewest >= MIN_TAIL_SAMPLES) return null;
  return `only ${Number(fewest.toFixed(1))} samples beyond p${source.percentile} (gating needs ${MIN_TAIL_SAMPLES} in each report): reported, not gated`;
}

/** `sign` is +1 when higher values are worse. */
function verdictOf(sign: number, change: number, interval: { readonly low: number; readonly high: number }, tolerance: number): Verdict {
  const worseLow = sign > 0 ? interval.low : -interval.high;
  const worseHigh = sign > 0 ? interval.high : -interval.low;
  if (worseLow > 0) return sign * change > tolerance ? "regression" : "worse-within-tolerance";
  if (worseHigh < 0) return "better";
  return "same";
}

function sideOf(metric: GatedMetric, report: Report, settings: Settings): Side {
  const source = metric.source;
  switch (source.kind) {
    case "latency": {
      const key = `p${source.percentile}` as const;
      const value = report.summary[source.metric]?.[key] ?? null;
      const estimates = [orderStatisticNoise(report, source.metric, source.percentile), windowBootstrapNoise(report, source.metric, source.percentile, settings.bootstrap)];
      return { completed: report.counts.completed, value, within: largest(estimates), runValues: report.runs.map((run) => run.summary[source.metric]?.[key] ?? null) };
    }
    case "rate": {
      const field = source.field;
      if (field === "goodputPerS") return goodputSide(report, settings);
      const value = report.counts.completed > 0 || report.throughput.durationMs > 0 ? report.throughput[field] : null;
      // Repeated runs measure a rate's noise directly; per-window counts are lumpy (a closed loop completes in bursts), so they are the fallback.
      const within = report.runs.length >= 2 ? null : windowRateNoise(report, field, settings.bootstrap.minWindows);
      return { completed: report.counts.completed, value, within, runValues: report.runs.map((run) => run.throughput[field]) };
    }
    case "error-rate": {
      const started = report.counts.started;
      if (started === 0) return { completed: report.counts.completed, value: null, within: null, runValues: [] };
      // The binomial noise needs both reports, so compareMetric computes it.
      return { completed: report.counts.completed, value: report.errors.rate, within: null, runValues: report.runs.map((run) => run.errorRate) };
    }
  }
}

/** Goodput's noise: the request throughput's, plus the binomial noise of the good fraction. */
function goodputSide(report: Report, settings: Settings): Side {
  const throughput = report.runs.length >= 2 ? null : windowRateNoise(report, "requestsPerS", settings.bootstrap.minWindows);
  const completed = report.counts.completed;
  if (completed === 0) return { completed: report.counts.completed, value: null, within: null, runValues: [] };
  const good = Math.max(report.goodput.goodRatio ?? 1, 0.5 / completed);
  const fraction = Math.sqrt((1 - good) / (good * completed));
  const sigma = Math.sqrt((throughput?.sigma ?? 0) ** 2 + fraction ** 2);
  return { completed: report.counts.completed, value: report.goodput.goodputPerS, within: { sigma, source: throughput ? "windows binomial" : "binomial" }, runValues: report.runs.map((run) => run.throughput.goodputPerS) };
}

function largest(estimates: readonly (NoiseEstimate | null)[]): NoiseEstimate | null {
  const present = estimates.filter((e): e is NoiseEstimate => e !== null);
  if (present.length === 0) return null;
  const sigma = Math.max(...present.map((e) => e.sigma));
  return { sigma, source: present.map((e) => e.source).join(" ") };
}

function refOf(report: Report): ReportRef {
  return { id: report.run.id, startedAt: report.run.startedAt, scenario: report.scenario.name, runs: report.runs.length, gitCommit: report.run.environment.gitCommit };
}
