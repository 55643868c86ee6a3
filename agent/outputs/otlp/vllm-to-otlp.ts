/**
 * vLLM's Prometheus families as OTLP metrics, named as vLLM prints them (as the
 * collector's prometheus receiver does): counters become monotonic sums, gauges
 * gauges, histograms explicit-bucket histograms with vLLM's own buckets.
 */
import type { Attributes } from "@opentelemetry/api";
import type { MetricData } from "@opentelemetry/sdk-metrics";
import type { Labels, MetricFamily } from "../../exposition/family.ts";
import { gauge, type HistogramPointValue, histogram, nonEmpty, type Point, type PointTimes, sum } from "./otlp-metric-data.ts";

/** Unit from the Prometheus name suffix (the collector's translator does the same). */
export function unitOfPrometheusName(name: string): string {
  const base = name.replace(/_total$/, "");
  if (base.endsWith("_seconds")) return "s";
  if (base.endsWith("_bytes")) return "By";
  if (base.endsWith("_ratio") || base.endsWith("_perc")) return "1";
  return "";
}

/** Converts re-exposed families; summaries and unknown types are left out (vLLM exposes none). */
export function familiesToOtlp(families: readonly MetricFamily[], times: PointTimes): MetricData[] {
  const metrics: MetricData[] = [];
  for (const family of families) {
    const unit = unitOfPrometheusName(family.name);
    const rows = family.samples.map((s): Point => [s.labels, s.value]);
    switch (family.type) {
      case "counter":
        metrics.push(sum(family.name, unit, family.help, rows, { ...times, monotonic: true }));
        break;
      case "gauge":
      case "untyped":
        metrics.push(gauge(family.name, unit, family.help, rows, { startMs: times.timeMs, timeMs: times.timeMs }));
        break;
      case "histogram":
        metrics.push(histogram(family.name, unit, family.help, histogramPoints(family), times));
        break;
      default:
        break;
    }
  }
  return nonEmpty(metrics);
}

/** Groups `_bucket`/`_sum`/`_count` samples by their labels (without `le`) into one point each. */
export function histogramPoints(family: MetricFamily): Point<HistogramPointValue>[] {
  const groups = new Map<string, { attributes: Labels; buckets: [number, number][]; sum: number; count: number }>();
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    let group = groups.get(key);
    if (!group) {
      group = { attributes: rest, buckets: [], sum: 0, count: 0 };
      groups.set(key, group);
    }
    if (sample.name.endsWith("_bucket") && le !== undefined) group.buckets.push([le === "+Inf" ? Infinity : Number(le), sample.value]);
    else if (sample.name.endsWith("_sum")) group.sum = sample.value;
    else if (sample.name.endsWith("_count")) group.count = sample.value;
  }
  const rows: Point<HistogramPointValue>[] = [];
  for (const group of groups.values()) {
    const sorted = group.buckets.sort((a, b) => a[0] - b[0]);
    const boundaries = sorted.filter(([bound]) => bound !== Infinity).map(([bound]) => bound);
    const cumulative = sorted.filter(([bound]) => bound !== Infinity).map(([, count]) => count);
    const infCount = sorted.find(([bound]) => bound === Infinity)?.[1] ?? group.count;
    cumulative.push(infCount);
    // Prometheus buckets are cumulative, OTLP's are per bucket.
    const counts = cumulative.map((c, i) => Math.max(0, c - (i === 0 ? 0 : (cumulative[i - 1] as number))));
    rows.push([group.attributes as Attributes, { boundaries, counts, sum: group.sum, count: infCount }]);
  }
  return rows;
}
