/** The terminal view of a comparison: an aligned plain-text table plus warnings and the verdict line. */
import type { Comparison } from "../comparison-types.ts";
import { describeDifference } from "../compare-errors.ts";
import { formatBetter, formatChange, formatInterval, formatTolerance, formatValue, verdictText } from "./format-values.ts";

/**
 * Renders the comparison as text for a terminal (no colours, so it pastes anywhere).
 * @example console.log(formatTable(comparison))
 */
export function formatTable(comparison: Comparison): string {
  const header = ["metric", "baseline", "candidate", "change", "noise interval", "tolerance", "better", "verdict"];
  const rows = comparison.metrics.map((m) => [m.key, formatValue(m.baseline, m.unit), formatValue(m.candidate, m.unit), formatChange(m), formatInterval(m), formatTolerance(m), formatBetter(m), verdictText(m)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join("  ").trimEnd();
  const lines = [
    `baseline:  ${comparison.baseline.id} (${comparison.baseline.runs} run${comparison.baseline.runs === 1 ? "" : "s"}, ${comparison.baseline.startedAt})`,
    `candidate: ${comparison.candidate.id} (${comparison.candidate.runs} run${comparison.candidate.runs === 1 ? "" : "s"}, ${comparison.candidate.startedAt})`,
    "",
    line(header),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map(line),
    "",
  ];
  for (const m of comparison.metrics) if (m.note !== null) lines.push(`note: ${m.key}: ${m.note}`);
  for (const warning of comparison.warnings) lines.push(`warning: ${describeDifference(warning)}`);
  if (comparison.warnings.length > 0) lines.push("");
  lines.push(verdictLine(comparison));
  return `${lines.join("\n")}\n`;
}

/** `PASS: no regression (16 metrics, 99.7 % noise intervals)` or `REGRESSION: ttft_p50, ttft_p95`. */
export function verdictLine(comparison: Comparison): string {
  const confidence = `${Number((comparison.confidence * 100).toFixed(2))} % noise intervals`;
  if (comparison.verdict === "pass") return `PASS: no regression (${comparison.metrics.length} metrics, ${confidence})`;
  return `REGRESSION: ${comparison.regressions.join(", ")} (${confidence})`;
}
