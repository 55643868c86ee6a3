/** The end-of-run summary as text, and the `--json` summary object: pure functions of the report. */
import type { MetricName, Report } from "../report/report-types.ts";

const ROWS: ReadonlyArray<[MetricName, string]> = [
  ["ttftMs", "TTFT (ms)"],
  ["ttftVllmMs", "TTFT vLLM-style (ms)"],
  ["itlMs", "ITL (ms)"],
  ["tpotMs", "TPOT (ms)"],
  ["e2eMs", "E2E (ms)"],
  ["ttftFromPlannedMs", "TTFT from planned (ms)"],
  ["e2eFromPlannedMs", "E2E from planned (ms)"],
  ["queueMs", "queue (ms)"],
  ["scheduleLagMs", "schedule lag (ms)"],
  ["outputTokens", "output tokens"],
];

function fmt(value: number): string {
  if (value === 0) return "0";
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function pad(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number))).join("  ");
}

/**
 * The summary table printed at the end of a run.
 * @example console.log(renderSummaryTable(report))
 */
export function renderSummaryTable(report: Report, reportPath?: string): string {
  const lines: string[] = [];
  const { counts, throughput } = report;
  lines.push(`${report.run.id}: ${report.run.status}, ${(report.run.durationMs / 1000).toFixed(1)} s`);
  lines.push(`requests: ${counts.completed} ok, ${counts.failed} failed, ${counts.warmup} warm-up${counts.notSent > 0 ? `, ${counts.notSent} not sent` : ""}; tokens in ${counts.inputTokens}, out ${counts.outputTokens} (${counts.tokenSource})`);
  lines.push(`throughput: ${fmt(throughput.requestsPerS)} req/s, ${fmt(throughput.outputTokensPerS)} output tok/s, ${fmt(throughput.totalTokensPerS)} total tok/s; goodput ${fmt(report.goodput.goodputPerS)} req/s`);
  const header = ["metric", "count", "mean", "p50", "p90", "p95", "p99", "p99.9", "max"];
  const body = ROWS.flatMap(([metric, label]) => {
    const s = report.summary[metric];
    return s ? [[label, String(s.count), fmt(s.mean), fmt(s.p50), fmt(s.p90), fmt(s.p95), fmt(s.p99), fmt(s.p999), fmt(s.max)]] : [];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] as string).length)));
  lines.push("", pad(header, widths), ...body.map((row) => pad(row, widths)));
  const errorTypes = Object.entries(report.errors.byType);
  if (errorTypes.length > 0) {
    lines.push("", `errors (${(report.errors.rate * 100).toFixed(2)} %):`);
    for (const [type, entry] of errorTypes) lines.push(`  ${type}: ${entry?.count}  e.g. ${entry?.examples[0]?.message ?? ""}`);
  }
  if (report.schedule.model !== "closed" && report.schedule.targetRatePerS !== null) {
    lines.push("", `schedule: target ${fmt(report.schedule.targetRatePerS)} req/s, achieved ${fmt(report.schedule.achievedRatePerS ?? 0)} req/s${report.schedule.fellBehind ? `  FELL BEHIND: ${report.schedule.reasons.join("; ")}` : ""}`);
  }
  if (report.sweep) {
    lines.push("", `sweep (${report.sweep.mode}): knee ${report.sweep.knee ?? "none"} (${report.sweep.stopReason})`);
    for (const level of report.sweep.levels) {
      lines.push(`  ${String(level.level).padStart(8)}${level.refinement ? "*" : " "} ${level.passed ? "pass" : "FAIL"}  ${fmt(level.throughput.requestsPerS)} req/s  TTFT p95 ${level.summary.ttftMs ? fmt(level.summary.ttftMs.p95) : "-"} ms${level.saturated ? "  saturated" : ""}`);
    }
  }
  if (report.thresholds.length > 0) {
    lines.push("", "thresholds:");
    for (const t of report.thresholds) lines.push(`  ${t.passed ? "ok  " : "FAIL"} ${t.metric} ${t.expression} (actual ${t.actual === null ? "no data" : fmt(t.actual)})`);
  }
  for (const finding of report.findings) if (finding.severity !== "info") lines.push(`${finding.severity}: ${finding.message}`);
  if (reportPath) lines.push("", `report: ${reportPath}`);
  return `${lines.join("\n")}\n`;
}

/** The `--json` summary: the report without histograms and windows (those stay in report.json). */
export function summaryJson(report: Report, reportPath: string | null): Record<string, unknown> {
  return {
    schema: report.schema,
    id: report.run.id,
    status: report.run.status,
    exitCode: report.run.exitCode,
    reportPath,
    counts: report.counts,
    throughput: report.throughput,
    goodput: report.goodput,
    summary: report.summary,
    errors: Object.fromEntries(Object.entries(report.errors.byType).map(([type, entry]) => [type, entry?.count ?? 0])),
    schedule: { ...report.schedule },
    thresholds: report.thresholds,
    sweep: report.sweep ? { mode: report.sweep.mode, knee: report.sweep.knee, stopReason: report.sweep.stopReason, levels: report.sweep.levels.map((l) => ({ level: l.level, passed: l.passed, saturated: l.saturated, requestsPerS: l.throughput.requestsPerS })) } : null,
    findings: report.findings,
  };
}
