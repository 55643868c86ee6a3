/**
 * Latency distributions from the report's encoded HDR histograms: per metric, a histogram (counts in
 * log-spaced bins, exact from the recorded values) and the CDF (percentile against value), decoded
 * at render time so the page needs no histogram library.
 */
import { decodeFromCompressedBase64, type JsHistogram } from "hdr-histogram-js";
import type { EncodedHistogram, MetricName, Report } from "../report-types.ts";
import { type ChartSpec, PALETTE } from "./chart-spec.ts";

/** The metrics drawn, in page order. */
export const DISTRIBUTION_METRICS: readonly MetricName[] = ["ttftMs", "itlMs", "tpotMs", "e2eMs", "ttftFromPlannedMs", "queueMs"];

const BINS = 40;
const CDF_PERCENTILES = [
  0, 1, 2, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90, 92.5, 95, 96, 97, 98, 99, 99.5, 99.9, 99.95, 99.99, 100,
];

/** A histogram-and-CDF chart per metric that has data. */
export function distributionCharts(report: Report): ChartSpec[] {
  const charts: ChartSpec[] = [];
  for (const metric of DISTRIBUTION_METRICS) {
    const encoded = report.histograms[metric];
    if (!encoded) continue;
    const chart = distributionChart(metric, encoded);
    if (chart) charts.push(chart);
  }
  return charts;
}

function distributionChart(metric: MetricName, encoded: EncodedHistogram): ChartSpec | null {
  const histogram = decodeFromCompressedBase64(encoded.data, 32, false) as unknown as JsHistogram;
  if (histogram.totalCount === 0) return null;
  const scale = encoded.unitsPerReportedUnit;
  const min = Math.max(histogram.minNonZeroValue / scale, 1e-3);
  const max = Math.max(histogram.maxValue / scale, min * 1.001);
  // Log-spaced bin edges from min to max (one bin when they are equal).
  const lo = Math.log(min);
  const step = (Math.log(max) - lo) / BINS;
  const edges = Array.from({ length: BINS + 1 }, (_, i) => Math.exp(lo + step * i));
  const counts = new Array<number>(BINS).fill(0);
  const iterator = histogram.recordedValuesIterator;
  iterator.reset();
  while (iterator.hasNext()) {
    const value = iterator.next();
    const v = histogram.medianEquivalentValue(value.valueIteratedTo) / scale;
    const bin = step > 0 ? Math.min(BINS - 1, Math.max(0, Math.floor((Math.log(Math.max(v, min)) - lo) / step))) : 0;
    counts[bin] = (counts[bin] as number) + value.countAtValueIteratedTo;
  }
  const centers = edges.slice(0, -1).map((e, i) => Math.sqrt(e * (edges[i + 1] as number)));
  const cdfX = CDF_PERCENTILES.map((p) => histogram.getValueAtPercentile(p) / scale);
  // One x column for both: bin centres carry counts, percentile values carry the CDF.
  const points = [...centers.map((c, i) => ({ x: c, count: counts[i] as number, cdf: null as number | null })), ...cdfX.map((v, i) => ({ x: Math.max(v, min), count: null as number | null, cdf: CDF_PERCENTILES[i] as number }))].sort((a, b) => a.x - b.x);
  const unit = encoded.recordedUnit === "us" ? "ms" : "count";
  return {
    id: `dist-${metric}`,
    title: `${metric} distribution (${histogram.totalCount} values)`,
    xKind: "number",
    xLabel: unit,
    xLog: true,
    yLabel: "count per bin",
    y2Label: "percentile",
    series: [
      { label: "count", unit: "count", color: PALETTE[5] as string, scale: "y", style: "bars" },
      { label: "CDF", unit: "%", color: PALETTE[1] as string, scale: "y2", style: "line" },
    ],
    data: [points.map((p) => p.x), points.map((p) => p.count), points.map((p) => p.cdf)],
    height: 220,
  };
}
