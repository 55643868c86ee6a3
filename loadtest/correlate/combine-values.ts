/**
 * How several values of one series (GPUs of a host, vLLM targets, points in a window, instances of a
 * fleet) become one: the `combine` rule of TELEMETRY_SERIES.
 */

/** A rule from TELEMETRY_SERIES, except `histogram` (histograms merge by buckets instead). */
export type CombineRule = "mean" | "sum" | "max" | "min" | "or";

/** Combines `values` by `rule`; undefined when there are none (missing stays missing). */
export function combineValues(values: readonly number[], rule: CombineRule): number | undefined {
  if (values.length === 0) return undefined;
  switch (rule) {
    case "sum":
      return values.reduce((a, b) => a + b, 0);
    case "mean":
      return values.reduce((a, b) => a + b, 0) / values.length;
    case "max":
      return Math.max(...values);
    case "min":
      return Math.min(...values);
    case "or":
      // Bitmasks (clock event reasons): a reason seen on any GPU, at any point, counts.
      return values.reduce((a, b) => a | b, 0);
  }
}
