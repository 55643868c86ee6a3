/**
 * Adds cumulative histograms with the same bucket bounds (several vLLM targets or engines). Histograms
 * whose bounds differ from the first are left out: adding mismatched buckets would invent data.
 */
import type { HistogramReading } from "../../agent/sample.ts";

/** The bucket-wise sum, or null for an empty list. */
export function sumHistograms(histograms: readonly HistogramReading[]): HistogramReading | null {
  const [first, ...rest] = histograms;
  if (!first) return null;
  if (rest.length === 0) return first;
  const cumulativeCounts = [...first.cumulativeCounts];
  let sum = first.sum;
  let count = first.count;
  for (const h of rest) {
    if (!sameBounds(h.upperBounds, first.upperBounds) || h.cumulativeCounts.length !== cumulativeCounts.length) continue;
    for (let i = 0; i < cumulativeCounts.length; i++) cumulativeCounts[i] = (cumulativeCounts[i] as number) + (h.cumulativeCounts[i] as number);
    sum += h.sum;
    count += h.count;
  }
  return { upperBounds: first.upperBounds, cumulativeCounts, sum, count };
}

/** True when both bound lists are equal. */
export function sameBounds(a: readonly number[], b: readonly number[]): boolean {
  return a === b || (a.length === b.length && a.every((v, i) => v === b[i]));
}
