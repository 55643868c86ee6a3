/**
 * A decoded HDR histogram as sorted (value, count) pairs in the report's unit, and the quantile
 * arithmetic the noise model needs. Decoding once and working on plain arrays keeps the window
 * bootstrap fast (no histogram `add()` per resample).
 */
import { decodeFromCompressedBase64, type JsHistogram } from "hdr-histogram-js";
import type { EncodedHistogram } from "../report/report-types.ts";

/** Sorted distinct values (report unit) with their counts. */
export interface Distribution {
  readonly values: Float64Array;
  readonly counts: Float64Array;
  readonly total: number;
}

/** Decoded histograms by their encoded object: a comparison reads each several times (three percentiles, bootstrap). */
const decodedCache = new WeakMap<EncodedHistogram, Distribution>();

/** Decodes an encoded histogram; values are HDR's median-equivalent values divided into the report unit. */
export function decodeDistribution(encoded: EncodedHistogram): Distribution {
  const cached = decodedCache.get(encoded);
  if (cached) return cached;
  const decoded = decodeUncached(encoded);
  decodedCache.set(encoded, decoded);
  return decoded;
}

function decodeUncached(encoded: EncodedHistogram): Distribution {
  const histogram = decodeFromCompressedBase64(encoded.data, 32, false) as unknown as JsHistogram;
  const values: number[] = [];
  const counts: number[] = [];
  const iterator = histogram.recordedValuesIterator;
  iterator.reset();
  while (iterator.hasNext()) {
    const step = iterator.next();
    values.push(histogram.medianEquivalentValue(step.valueIteratedTo) / encoded.unitsPerReportedUnit);
    counts.push(step.countAtValueIteratedTo);
  }
  const total = counts.reduce((a, b) => a + b, 0);
  return { values: Float64Array.from(values), counts: Float64Array.from(counts), total };
}

/**
 * The value at 1-based rank `rank` (clamped to [1, total]) of a distribution, or of `counts`
 * laid over `values` (the bootstrap's reweighted copy).
 */
export function valueAtRank(values: Float64Array, counts: Float64Array, rank: number): number {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i] as number;
  const target = Math.min(Math.max(rank, 1), total);
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i] as number;
    if (seen >= target) return values[i] as number;
  }
  return values[values.length - 1] ?? Number.NaN;
}

/** The p-th percentile (0..100) with HDR's rule: the smallest value with at least p % of the count at or below it. */
export function percentileOfCounts(values: Float64Array, counts: Float64Array, percentile: number): number {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i] as number;
  return valueAtRank(values, counts, Math.max(1, Math.ceil((percentile / 100) * total)));
}
