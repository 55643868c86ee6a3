/**
 * `export --rates`: the post-processing people otherwise do by hand. Between each
 * pair of consecutive samples, a counter becomes its per-second rate (`<name>:rate`;
 * a value lower than the one before is a reset, so the increase is the new value, as
 * PromQL's rate() assumes), and a histogram becomes the p50/p90/p99 of the
 * observations made in that interval (`<base>:p50`, ...) plus their rate
 * (`<base>:rate`) and mean (`<base>:mean`). Gauges pass through. The first sample
 * only opens the first interval.
 */
import type { Labels } from "../exposition/family.ts";
import { type RecordedPoint, type RecordedSample, parseSeriesKey, seriesKey } from "../outputs/record/recorded-sample.ts";
import { bucketQuantile } from "./bucket-quantile.ts";

const QUANTILES = [
  [0.5, "p50"],
  [0.9, "p90"],
  [0.99, "p99"],
] as const;

interface HistogramState {
  readonly family: string;
  readonly labels: Labels;
  /** upper bound -> cumulative count */
  readonly buckets: Map<number, number>;
  sum: number;
  count: number;
}

/** Converts samples (sorted by time) into per-interval rates and quantiles. */
export function exportRates(samples: readonly RecordedSample[]): RecordedSample[] {
  const out: RecordedSample[] = [];
  let previous: { timeMs: number; counters: Map<string, number>; histograms: Map<string, HistogramState> } | null = null;
  for (const sample of samples) {
    const counters = new Map<string, number>();
    const histograms = new Map<string, HistogramState>();
    const gauges: RecordedPoint[] = [];
    for (const point of sample.points) {
      if (point.type === "counter") counters.set(point.series, point.value);
      else if (point.type === "histogram") addHistogramPoint(histograms, point);
      else gauges.push(point);
    }
    if (previous && sample.timeMs > previous.timeMs) {
      const seconds = (sample.timeMs - previous.timeMs) / 1000;
      const points: RecordedPoint[] = [...gauges];
      for (const [series, value] of counters) {
        const before = previous.counters.get(series);
        if (before === undefined) continue;
        const { name, labels } = parseSeriesKey(series);
        points.push(derived(`${name}:rate`, labels, increase(before, value) / seconds));
      }
      for (const [key, now] of histograms) {
        const before = previous.histograms.get(key);
        if (!before) continue;
        points.push(...histogramRates(before, now, seconds));
      }
      out.push({ timeMs: sample.timeMs, points });
    }
    previous = { timeMs: sample.timeMs, counters, histograms };
  }
  return out;
}

/** PromQL's reset rule: a drop means the counter restarted from 0. */
function increase(before: number, now: number): number {
  return now >= before ? now - before : now;
}

function derived(name: string, labels: Labels, value: number): RecordedPoint {
  return { series: seriesKey(name, labels), family: name, type: "gauge", value };
}

function addHistogramPoint(histograms: Map<string, HistogramState>, point: RecordedPoint): void {
  const { name, labels } = parseSeriesKey(point.series);
  const { le, ...rest } = labels;
  const key = seriesKey(point.family, rest);
  let state = histograms.get(key);
  if (!state) histograms.set(key, (state = { family: point.family, labels: rest, buckets: new Map(), sum: 0, count: 0 }));
  if (name.endsWith("_bucket") && le !== undefined) state.buckets.set(le === "+Inf" ? Infinity : Number(le), point.value);
  else if (name.endsWith("_sum")) state.sum = point.value;
  else if (name.endsWith("_count")) state.count = point.value;
}

function histogramRates(before: HistogramState, now: HistogramState, seconds: number): RecordedPoint[] {
  // A histogram reset (vLLM restarted): its count drops, and the whole current histogram is the interval's.
  const reset = now.count < before.count;
  const bounds = [...now.buckets.keys()].sort((a, b) => a - b);
  const cumulative = bounds.map((bound) => {
    const value = now.buckets.get(bound) as number;
    return reset ? value : Math.max(0, value - (before.buckets.get(bound) ?? 0));
  });
  const count = reset ? now.count : now.count - before.count;
  const sum = reset ? now.sum : now.sum - before.sum;
  const points = QUANTILES.map(([q, suffix]) => derived(`${now.family}:${suffix}`, now.labels, bucketQuantile(q, bounds, cumulative)));
  points.push(derived(`${now.family}:rate`, now.labels, count / seconds));
  points.push(derived(`${now.family}:mean`, now.labels, count > 0 ? sum / count : NaN));
  return points;
}
