/**
 * Noise of one report's statistics, as the standard deviation of the statistic's natural log (a
 * relative noise: 0.02 = about ±2 %). Three estimates, each from what a `vigil.report/v1` carries:
 *
 * - order statistics: the distribution-free spread of a percentile of n i.i.d. samples (the ranks
 *   n·p ± sqrt(n·p·(1-p)) read off the whole-run HDR histogram). Cheap, exact, no randomness.
 * - window block bootstrap: resample the measured 1 s windows with replacement, merge their HDR
 *   histograms, take the percentile; the spread over resamples. Windows are blocks, so requests
 *   that slowed together (a GC pause, a busy neighbour) move together, which i.i.d. resampling misses.
 * - repeated runs (`runs[]`, from `--repeat N`): the run-to-run standard deviation, the only one
 *   that sees what changes between runs (another tenant on the CI box, a different CPU frequency).
 *
 * The caller takes the largest that applies (see compare-reports.ts).
 */
import { createRandom } from "../random/seeded-random.ts";
import type { MetricName, Report, ReportWindow } from "../report/report-types.ts";
import { decodeDistribution, percentileOfCounts, valueAtRank } from "./distribution.ts";

/** A noise estimate with how it was obtained (for the report's `noiseSource`). */
export interface NoiseEstimate {
  /** Standard deviation of ln(statistic). */
  readonly sigma: number;
  readonly source: string;
}

/** Tuning of the bootstrap. */
export interface BootstrapOptions {
  /** Resamples (default 200). */
  readonly resamples: number;
  /** Fewest measured windows before the block bootstrap is used (default 6). */
  readonly minWindows: number;
  /** Seed of the resampling (fixed, so a comparison is reproducible). */
  readonly seed: number;
}

export const DEFAULT_BOOTSTRAP: BootstrapOptions = { resamples: 200, minWindows: 6, seed: 1 };

/** ln that tolerates a zero (1 µs below anything the harness can measure). */
export function safeLog(value: number): number {
  return Math.log(Math.max(value, 0) + 1e-3);
}

/** Order-statistic noise of the p-th percentile of the whole-run histogram of `metric`. */
export function orderStatisticNoise(report: Report, metric: MetricName, percentile: number): NoiseEstimate | null {
  const encoded = report.histograms[metric];
  if (!encoded) return null;
  const distribution = decodeDistribution(encoded);
  const n = distribution.total;
  if (n < 1) return null;
  const p = percentile / 100;
  const rank = n * p;
  const spread = Math.sqrt(n * p * (1 - p));
  // At least one rank either side: with few samples the neighbouring order statistics are the noise.
  const low = valueAtRank(distribution.values, distribution.counts, Math.floor(rank - Math.max(spread, 1)));
  const high = valueAtRank(distribution.values, distribution.counts, Math.ceil(rank + Math.max(spread, 1)));
  return { sigma: (safeLog(high) - safeLog(low)) / 2, source: `order-stat(n=${n})` };
}

/** The windows of the measured phase (sweep levels count as measured). */
export function measuredWindows(report: Report): readonly ReportWindow[] {
  return report.windows.windows.filter((w) => w.phase !== "warmup");
}

/** Block bootstrap over measured windows of the p-th percentile of `metric`; null with too few windows. */
export function windowBootstrapNoise(report: Report, metric: MetricName, percentile: number, options: BootstrapOptions = DEFAULT_BOOTSTRAP): NoiseEstimate | null {
  const windows = measuredWindows(report)
    .map((w) => w.histograms[metric])
    .filter((h) => h !== undefined);
  if (windows.length < options.minWindows) return null;
  // One shared value axis so a resample is a sum of sparse count vectors.
  const decoded = windows.map(decodeDistribution);
  const axis = [...new Set(decoded.flatMap((d) => [...d.values]))].sort((a, b) => a - b);
  const position = new Map(axis.map((v, i) => [v, i]));
  const sparse = decoded.map((d) => ({ index: Int32Array.from(d.values, (v) => position.get(v) as number), counts: d.counts }));
  const values = Float64Array.from(axis);
  const counts = new Float64Array(axis.length);
  const random = createRandom(options.seed);
  const logs: number[] = [];
  for (let b = 0; b < options.resamples; b++) {
    counts.fill(0);
    for (let w = 0; w < sparse.length; w++) {
      const pick = sparse[Math.floor(random.next() * sparse.length)] as (typeof sparse)[number];
      for (let i = 0; i < pick.index.length; i++) counts[pick.index[i] as number] = (counts[pick.index[i] as number] as number) + (pick.counts[i] as number);
    }
    logs.push(safeLog(percentileOfCounts(values, counts, percentile)));
  }
  return { sigma: standardDeviation(logs), source: `windows(${windows.length})` };
}

/** Noise of a rate (`requestsPerS` from completed per window, `outputTokensPerS` from tokens per window): SE of the mean window rate. */
export function windowRateNoise(report: Report, field: "requestsPerS" | "outputTokensPerS", minWindows = DEFAULT_BOOTSTRAP.minWindows): NoiseEstimate | null {
  let windows = measuredWindows(report);
  // The last measured window is usually cut short by the end of the run; it would inflate the spread.
  if (windows.length > minWindows) windows = windows.slice(0, -1);
  if (windows.length < minWindows) return null;
  const perWindow = windows.map((w) => (field === "requestsPerS" ? w.completed : w.outputTokens));
  const mean = perWindow.reduce((a, b) => a + b, 0) / perWindow.length;
  if (mean <= 0) return null;
  return { sigma: standardDeviation(perWindow) / (mean * Math.sqrt(perWindow.length)), source: `windows(${perWindow.length})` };
}

/**
 * Run-to-run spread: the standard deviation of ln(value) (`log`) or of the value (`absolute`, for
 * the error rate) over a report's repeated runs: the noise of one run.
 */
export function runSpread(values: readonly (number | null)[], scale: "log" | "absolute" = "log"): { readonly sigma: number; readonly runs: number } | null {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (present.length < 2) return null;
  return { sigma: standardDeviation(scale === "log" ? present.map(safeLog) : present), runs: present.length };
}

/** Sample standard deviation (n - 1); 0 for fewer than two values. */
export function standardDeviation(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const squares = values.reduce((sum, v) => sum + (v - mean) ** 2, 0);
  return Math.sqrt(squares / (values.length - 1));
}
