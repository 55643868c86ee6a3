/**
 * Cumulative counters and histogram buckets sampled at points in time, made monotonic across counter
 * resets (a restarted vLLM or agent starts again from 0, as Prometheus' rate() assumes) and read at any
 * instant by linear interpolation, so a window's increase is `at(end) - at(start)` even when the
 * sampling points do not line up with the window edges.
 */

/** One sampling point: the cumulative values (one counter, or every bucket of a histogram then the count). */
export interface CumulativePoint {
  readonly timeMs: number;
  readonly values: readonly number[];
}

/** Reset-corrected points, split into segments wherever the shape (bucket layout) changed. */
export interface CumulativeSeries {
  readonly segments: readonly (readonly CumulativePoint[])[];
}

/**
 * Builds the series from points in time order. A drop in any value is a reset: the values before it
 * are added to everything after it (the increase after a reset is the new value itself).
 */
export function cumulativeSeries(points: readonly CumulativePoint[]): CumulativeSeries {
  const segments: CumulativePoint[][] = [];
  let segment: CumulativePoint[] = [];
  let offset: number[] = [];
  let previousRaw: readonly number[] | null = null;
  for (const point of points) {
    if (previousRaw === null || point.values.length !== previousRaw.length) {
      if (segment.length > 0) segments.push(segment);
      segment = [];
      offset = point.values.map(() => 0);
    } else if (point.values.some((v, i) => v < (previousRaw![i] as number))) {
      offset = offset.map((o, i) => o + (previousRaw![i] as number));
    }
    segment.push({ timeMs: point.timeMs, values: point.values.map((v, i) => v + (offset[i] as number)) });
    previousRaw = point.values;
  }
  if (segment.length > 0) segments.push(segment);
  return { segments };
}

/** The interpolated cumulative values at `timeMs` and the segment they lie in, or null outside every segment. */
export function cumulativeAt(series: CumulativeSeries, timeMs: number): { readonly segment: number; readonly values: number[] } | null {
  for (let s = 0; s < series.segments.length; s++) {
    const points = series.segments[s]!;
    const first = points[0]!;
    const last = points[points.length - 1]!;
    if (timeMs < first.timeMs || timeMs > last.timeMs) continue;
    // Binary search for the last point at or before timeMs.
    let lo = 0;
    let hi = points.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (points[mid]!.timeMs <= timeMs) lo = mid;
      else hi = mid - 1;
    }
    const a = points[lo]!;
    const b = points[Math.min(lo + 1, points.length - 1)]!;
    if (b.timeMs === a.timeMs) return { segment: s, values: [...a.values] };
    const f = (timeMs - a.timeMs) / (b.timeMs - a.timeMs);
    return { segment: s, values: a.values.map((v, i) => v + ((b.values[i] as number) - v) * f) };
  }
  return null;
}

/** The increase over [startMs, endMs], or null when the span is not covered by one segment. */
export function increaseOver(series: CumulativeSeries, startMs: number, endMs: number): number[] | null {
  const start = cumulativeAt(series, startMs);
  const end = cumulativeAt(series, endMs);
  if (!start || !end || start.segment !== end.segment) return null;
  return end.values.map((v, i) => Math.max(0, v - (start.values[i] as number)));
}
