/**
 * The q-quantile of a cumulative histogram by linear interpolation inside the bucket,
 * as PromQL's histogram_quantile() computes it (promql/quantile.go bucketQuantile):
 * the lowest bucket starts at 0 when its bound is positive; a rank in the +Inf bucket
 * gives the highest finite bound; no observations give NaN.
 */

/** `bounds` increasing and ending with Infinity; `cumulative` the matching cumulative counts. */
export function bucketQuantile(q: number, bounds: readonly number[], cumulative: readonly number[]): number {
  if (bounds.length === 0 || bounds.length !== cumulative.length) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const total = cumulative[cumulative.length - 1] as number;
  if (!(total > 0)) return NaN;
  if (bounds.length < 2) return NaN;
  const rank = q * total;
  let b = cumulative.findIndex((count) => count >= rank);
  if (b === -1) b = cumulative.length - 1;
  if (bounds[b] === Infinity) return bounds[bounds.length - 2] as number;
  if (b === 0 && (bounds[0] as number) <= 0) return bounds[0] as number;
  const start = b === 0 ? 0 : (bounds[b - 1] as number);
  const end = bounds[b] as number;
  const countBefore = b === 0 ? 0 : (cumulative[b - 1] as number);
  const inBucket = (cumulative[b] as number) - countBefore;
  if (inBucket <= 0) return end;
  return start + (end - start) * ((rank - countBefore) / inBucket);
}
