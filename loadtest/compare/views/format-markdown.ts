/** The Markdown view: a GitHub-flavoured table sized for a CI job summary (`$GITHUB_STEP_SUMMARY`). */
import type { Comparison } from "../comparison-types.ts";
import { describeDifference } from "../compare-errors.ts";
import { verdictLine } from "./format-table.ts";
import { formatBetter, formatChange, formatInterval, formatTolerance, formatValue, verdictText } from "./format-values.ts";

const ICON = { better: "🟢", same: "⚪", "worse-within-tolerance": "🟡", regression: "🔴", "not-measured": "➖" } as const;

/**
 * Renders the comparison as Markdown: heading with the verdict, one table row per metric, warnings.
 * @example await Bun.write(process.env.GITHUB_STEP_SUMMARY!, formatMarkdown(comparison))
 */
export function formatMarkdown(comparison: Comparison): string {
  const lines = [
    `### Performance: ${comparison.verdict === "pass" ? "✅ no regression" : `❌ ${comparison.regressions.length} regression${comparison.regressions.length === 1 ? "" : "s"}`}`,
    "",
    `Baseline \`${cell(comparison.baseline.id)}\` (${comparison.baseline.runs} run${comparison.baseline.runs === 1 ? "" : "s"}) vs candidate \`${cell(comparison.candidate.id)}\` (${comparison.candidate.runs} run${comparison.candidate.runs === 1 ? "" : "s"}).`,
    "",
    "| Metric | Baseline | Candidate | Change | Noise interval | Tolerance | Better | Verdict |",
    "|:--|--:|--:|--:|--:|--:|:--|:--|",
    ...comparison.metrics.map(
      (m) => `| ${cell(m.label)} | ${formatValue(m.baseline, m.unit)} | ${formatValue(m.candidate, m.unit)} | ${formatChange(m)} | ${formatInterval(m)} | ${formatTolerance(m)} | ${formatBetter(m)} | ${ICON[m.verdict]} ${m.verdict === "regression" ? "**regression**" : verdictText(m)} |`,
    ),
    "",
  ];
  const notes = comparison.metrics.filter((m) => m.note !== null);
  if (notes.length > 0) {
    lines.push("<details><summary>Notes</summary>", "");
    for (const m of notes) lines.push(`- ${cell(m.label)}: ${cell(m.note as string)}`);
    lines.push("", "</details>", "");
  }
  if (comparison.warnings.length > 0) {
    lines.push("<details><summary>Warnings</summary>", "");
    for (const warning of comparison.warnings) lines.push(`- ${cell(describeDifference(warning))}`);
    lines.push("", "</details>", "");
  }
  lines.push(verdictLine(comparison), "");
  return lines.join("\n");
}

/** Escapes what would break a table cell or start Markdown syntax. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/`/g, "'").replace(/\n/g, " ");
}
