/** Number and verdict formatting shared by every comparison view, so they all print the same text. */
import type { MetricComparison, Verdict } from "../comparison-types.ts";

/** `12.34 ms`, `10.0 req/s`, `0.50 %` (a ratio is shown as a percentage). */
export function formatValue(value: number | null, unit: MetricComparison["unit"]): string {
  if (value === null) return "-";
  if (unit === "ratio") return `${(value * 100).toFixed(2)} %`;
  const digits = Math.abs(value) >= 100 ? 1 : 2;
  return `${value.toFixed(digits)} ${unit}`;
}

/** `+10.3 %` (relative) or `+1.00 pp` (absolute, error rate). */
export function formatChange(metric: MetricComparison): string {
  if (metric.change === null) return "-";
  return metric.changeKind === "relative" ? `${signed(metric.change * 100, 1)} %` : `${signed(metric.change * 100, 2)} pp`;
}

/** The noise interval, e.g. `[-2.1 %, +3.0 %]`. */
export function formatInterval(metric: MetricComparison): string {
  if (metric.interval === null) return "-";
  const unit = metric.changeKind === "relative" ? "%" : "pp";
  const digits = metric.changeKind === "relative" ? 1 : 2;
  return `[${signed(metric.interval.low * 100, digits)} ${unit}, ${signed(metric.interval.high * 100, digits)} ${unit}]`;
}

/** The tolerance, e.g. `5 %` or `1 pp`. */
export function formatTolerance(metric: MetricComparison): string {
  return `${trim(metric.tolerance * 100)} ${metric.changeKind === "relative" ? "%" : "pp"}`;
}

/** `lower` / `higher` as an arrow plus word. */
export function formatBetter(metric: MetricComparison): string {
  return metric.better === "lower" ? "lower" : "higher";
}

/** Human words for a verdict. */
export const VERDICT_TEXT: Readonly<Record<Verdict, string>> = {
  better: "better",
  same: "same (within noise)",
  "worse-within-tolerance": "worse, within tolerance",
  regression: "REGRESSION",
  "not-measured": "not measured",
};

/** The verdict as printed: a limited verdict (see `note`) says so. */
export function verdictText(metric: MetricComparison): string {
  return metric.note !== null && metric.verdict === "worse-within-tolerance" ? "worse, not gated (thin tail)" : VERDICT_TEXT[metric.verdict];
}

function signed(value: number, digits: number): string {
  const text = value.toFixed(digits);
  return value > 0 && Number(text) !== 0 ? `+${text}` : Number(text) === 0 ? (0).toFixed(digits) : text;
}

function trim(value: number): string {
  return Number(value.toFixed(3)).toString();
}
