/**
 * Parses `--tolerance ttft_p95=5%,itl=10%,error_rate=0.5%`: metric keys or group shorthands
 * (`ttft`, `throughput`, `latency`, `all`) to a fraction. `5%` and `0.05` mean the same; for
 * `error_rate` the value is absolute (`1%` = one percentage point). Later entries win.
 */
import { CompareUsageError } from "./compare-errors.ts";
import { GATED_METRICS, TOLERANCE_GROUPS } from "./gated-metrics.ts";

/** Tolerance per metric key (only the keys the text named). */
export type Tolerances = Readonly<Record<string, number>>;

/**
 * Parses a tolerance list; every problem is reported at once in one CompareUsageError.
 * @example parseTolerances("ttft=10%,error_rate=0.5%") // { ttft_p50: 0.1, ttft_p95: 0.1, ttft_p99: 0.1, error_rate: 0.005 }
 */
export function parseTolerances(text: string): Tolerances {
  const result: Record<string, number> = {};
  const problems: string[] = [];
  const known = new Set(GATED_METRICS.map((m) => m.key));
  for (const raw of text.split(",")) {
    const entry = raw.trim();
    if (entry === "") continue;
    const match = /^([a-z0-9_]+)\s*=\s*([0-9]*\.?[0-9]+)\s*(%?)$/i.exec(entry);
    if (!match) {
      problems.push(`'${entry}' is not metric=value (e.g. ttft_p95=5%)`);
      continue;
    }
    const key = (match[1] as string).toLowerCase();
    const value = Number(match[2]) / (match[3] === "%" ? 100 : 1);
    const keys = TOLERANCE_GROUPS[key] ?? (known.has(key) ? [key] : null);
    if (keys === null) {
      problems.push(`unknown metric '${key}' (known: ${[...known, ...Object.keys(TOLERANCE_GROUPS)].join(", ")})`);
      continue;
    }
    if (!Number.isFinite(value) || value < 0 || value > 10) {
      problems.push(`tolerance of '${key}' must be between 0% and 1000%: current value is ${match[2]}${match[3]}`);
      continue;
    }
    for (const k of keys) result[k] = value;
  }
  if (problems.length > 0) throw new CompareUsageError(`Invalid --tolerance: ${problems.join("; ")}`);
  return result;
}
