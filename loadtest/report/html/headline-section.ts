/** The top of the report: what ran, the verdict, the findings (with their evidence windows) and the thresholds. */
import type { Report } from "../report-types.ts";
import type { TelemetryFinding } from "../telemetry-types.ts";
import { escapeHtml } from "./escape-html.ts";
import { formatClock, formatMs, formatTimestamp } from "./format-value.ts";
import { num, table } from "./html-parts.ts";

/** Verdict badge text and class from the exit code. */
export function verdictOf(report: Report): { readonly text: string; readonly kind: "ok" | "bad" | "warn" } {
  switch (report.run.exitCode) {
    case 0:
      return { text: report.thresholds.length > 0 ? "PASSED: every threshold met" : "COMPLETED", kind: "ok" };
    case 99:
      return { text: `FAILED: ${report.thresholds.filter((t) => !t.passed).length} of ${report.thresholds.length} thresholds not met`, kind: "bad" };
    case 130:
      return { text: "INTERRUPTED", kind: "warn" };
    default:
      return { text: `FAILED (exit ${report.run.exitCode})`, kind: "bad" };
  }
}

/** Header, findings and thresholds. */
export function headlineSection(report: Report): string {
  const verdict = verdictOf(report);
  const telemetry = report.telemetry;
  const simulated = telemetry?.gpus.some((g) => g.simulated === true) ?? false;
  const telemetryBadge = !telemetry
    ? `<span class="badge info">no telemetry (no agent named)</span>`
    : telemetry.status === "missing"
      ? `<span class="badge bad" id="telemetry-badge">telemetry missing</span>`
      : `<span class="badge ${telemetry.status === "ok" ? "ok" : "warn"}" id="telemetry-badge">telemetry ${telemetry.status}: ${escapeHtml(telemetry.source)}</span>${simulated ? `<span class="badge warn">simulated GPU</span>` : ""}`;
  const header = `<header>
<h1>${escapeHtml(String(report.scenario.name))}: load test report</h1>
<div class="meta">Run <code>${escapeHtml(report.run.id)}</code> · started ${escapeHtml(formatTimestamp(report.run.startedAtEpochMs))} · ${escapeHtml(formatMs(report.run.durationMs))} · runner ${escapeHtml(report.run.runner)} · target ${escapeHtml(report.run.environment.target.url)}</div>
<p><span class="badge ${verdict.kind}" id="verdict">${escapeHtml(verdict.text)}</span>${telemetryBadge}</p>
</header>`;
  const evidenceOf = new Map<string, TelemetryFinding>((telemetry?.findings ?? []).map((f) => [f.message, f]));
  const windowMs = report.windows.windowMs;
  const items = report.findings.map((f) => {
    const evidence = evidenceOf.get(f.message)?.evidence ?? null;
    const evidenceHtml = evidence
      ? `<span class="evidence">windows ${evidence.fromWindow}–${evidence.toWindow}, from ${escapeHtml(formatClock(evidence.atEpochMs))} UTC</span> <button type="button" data-zoom-from="${(evidence.atEpochMs - windowMs * 5) / 1000}" data-zoom-to="${(windowStart(report, evidence.toWindow) + windowMs * 6) / 1000}">show</button>`
      : "";
    return `<li class="${f.severity}" data-code="${escapeHtml(f.code)}"><strong>${escapeHtml(f.severity)}</strong> ${escapeHtml(f.message)}${evidenceHtml}</li>`;
  });
  const findings = `<section id="findings"><h2>Findings</h2>${items.length > 0 ? `<ul class="findings">${items.join("")}</ul>` : `<p class="note">Nothing stood out.</p>`}</section>`;
  const thresholds =
    report.thresholds.length === 0
      ? `<p class="note">No thresholds were set.</p>`
      : table(
          ["metric", "threshold", "measured", "verdict"],
          report.thresholds.map((t, i) => [
            `<code>${escapeHtml(t.metric)}</code>`,
            `<code>${escapeHtml(t.expression)}</code>`,
            `<td class="n">${num(t.actual, t.metric.endsWith("_ms") ? "ms" : "count", `thresholds.${i}.actual`)}</td>`,
            `<td class="${t.passed ? "pass" : "fail"}">${t.passed ? "pass" : "FAIL"}</td>`,
          ]),
        );
  return `${header}${findings}<section id="thresholds"><h2>Thresholds</h2>${thresholds}</section>`;
}

function windowStart(report: Report, index: number): number {
  return report.windows.windows.find((w) => w.index === index)?.startEpochMs ?? report.run.startedAtEpochMs + index * report.windows.windowMs;
}
