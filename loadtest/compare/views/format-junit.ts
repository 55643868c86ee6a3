/**
 * The JUnit XML view: one testsuite, one testcase per gated metric; a regression is a `<failure>`,
 * a metric that could not be measured is `<skipped>`. The shape (testsuites > testsuite > testcase)
 * is the one Jenkins, GitLab and GitHub test reporters all read.
 */
import type { Comparison } from "../comparison-types.ts";
import { describeDifference } from "../compare-errors.ts";
import { formatChange, formatInterval, formatTolerance, formatValue, verdictText } from "./format-values.ts";

/**
 * Renders the comparison as JUnit XML.
 * @example await Bun.write("reports/ci/perf.xml", formatJunit(comparison))
 */
export function formatJunit(comparison: Comparison): string {
  const failures = comparison.metrics.filter((m) => m.verdict === "regression").length;
  const skipped = comparison.metrics.filter((m) => m.verdict === "not-measured").length;
  const name = `perf-compare.${comparison.candidate.scenario}`;
  const lines = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="${xml(name)}" tests="${comparison.metrics.length}" failures="${failures}" errors="0" skipped="${skipped}">`,
    `  <testsuite name="${xml(name)}" tests="${comparison.metrics.length}" failures="${failures}" errors="0" skipped="${skipped}" timestamp="${xml(comparison.candidate.startedAt.replace(/\.\d+Z$/, "Z"))}">`,
    "    <properties>",
    `      <property name="baseline" value="${xml(comparison.baseline.id)}"/>`,
    `      <property name="candidate" value="${xml(comparison.candidate.id)}"/>`,
    `      <property name="confidence" value="${comparison.confidence}"/>`,
    ...comparison.warnings.map((w, i) => `      <property name="warning.${i}" value="${xml(describeDifference(w))}"/>`),
    "    </properties>",
  ];
  for (const m of comparison.metrics) {
    const detail = `${m.label}: baseline ${formatValue(m.baseline, m.unit)}, candidate ${formatValue(m.candidate, m.unit)}, change ${formatChange(m)}, noise ${formatInterval(m)}, tolerance ${formatTolerance(m)}, ${m.better} is better: ${verdictText(m)}${m.note === null ? "" : ` (${m.note})`}`;
    const open = `    <testcase classname="${xml(name)}" name="${xml(m.key)}" time="0">`;
    if (m.verdict === "regression") lines.push(open, `      <failure message="${xml(`${m.key} regressed ${formatChange(m)} (tolerance ${formatTolerance(m)})`)}" type="regression">${xml(detail)}</failure>`, "    </testcase>");
    else if (m.verdict === "not-measured") lines.push(open, `      <skipped message="${xml(`${m.key} not measured in both reports`)}"/>`, "    </testcase>");
    else lines.push(open, `      <system-out>${xml(detail)}</system-out>`, "    </testcase>");
  }
  lines.push("  </testsuite>", "</testsuites>", "");
  return lines.join("\n");
}

/** Escapes text for an XML attribute or element, and drops characters XML 1.0 forbids. */
function xml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}
