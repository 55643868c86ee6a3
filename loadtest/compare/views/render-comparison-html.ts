/**
 * The `--html` comparison page: the verdict table plus, per latency metric, the baseline's and the
 * candidate's distributions overlaid (percentile curves read from the encoded HDR histograms) and
 * their per-window p95 series. One self-contained file: inline CSS and inline SVG, no script, no
 * network, so it opens offline years later like the report itself.
 */
import type { MetricName, Report } from "../../report/report-types.ts";
import type { Comparison } from "../comparison-types.ts";
import { describeDifference } from "../compare-errors.ts";
import { decodeDistribution } from "../distribution.ts";
import { measuredWindows } from "../estimate-noise.ts";
import { verdictLine } from "./format-table.ts";
import { formatBetter, formatChange, formatInterval, formatTolerance, formatValue, verdictText } from "./format-values.ts";

const CHARTS: ReadonlyArray<{ readonly metric: MetricName; readonly label: string }> = [
  { metric: "ttftMs", label: "TTFT" },
  { metric: "itlMs", label: "ITL" },
  { metric: "tpotMs", label: "TPOT" },
  { metric: "e2eMs", label: "E2E" },
];

const COLORS = { baseline: "#6b7280", candidate: "#2563eb" } as const;

/**
 * Renders the page. Pure: the comparison and both reports in, HTML text out.
 * @example await Bun.write("compare.html", renderComparisonHtml(comparison, baseline, candidate))
 */
export function renderComparisonHtml(comparison: Comparison, baseline: Report, candidate: Report): string {
  const rows = comparison.metrics
    .map((m) => `<tr class="${m.verdict}"><td>${esc(m.label)}</td><td>${esc(formatValue(m.baseline, m.unit))}</td><td>${esc(formatValue(m.candidate, m.unit))}</td><td>${esc(formatChange(m))}</td><td>${esc(formatInterval(m))}</td><td>${esc(formatTolerance(m))}</td><td>${formatBetter(m)}</td><td>${esc(verdictText(m))}</td></tr>`)
    .join("\n");
  const warnings = comparison.warnings.length === 0 ? "" : `<h2>Warnings</h2><ul>${comparison.warnings.map((w) => `<li>${esc(describeDifference(w))}</li>`).join("")}</ul>`;
  const charts = CHARTS.map(({ metric, label }) => `<section><h3>${label}: distribution</h3>${percentileChart(baseline, candidate, metric)}<h3>${label}: p95 per window</h3>${windowChart(baseline, candidate, metric)}</section>`).join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(`Compare ${comparison.baseline.id} vs ${comparison.candidate.id}`)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#111}table{border-collapse:collapse}td,th{padding:3px 10px;border-bottom:1px solid #e5e7eb;text-align:right}td:first-child,th:first-child,td:last-child{text-align:left}
tr.regression td{background:#fee2e2;font-weight:600}tr.better td:last-child{color:#15803d}tr.worse-within-tolerance td:last-child{color:#a16207}
.pass{color:#15803d}.fail{color:#b91c1c}section{display:inline-block;vertical-align:top;margin:12px 24px 12px 0}svg{font:11px system-ui,sans-serif}.legend span{display:inline-block;width:12px;height:3px;margin:0 4px 3px 12px}
</style></head><body>
<h1>Performance comparison</h1>
<p class="${comparison.verdict === "pass" ? "pass" : "fail"}"><strong>${esc(verdictLine(comparison))}</strong></p>
<p>Baseline <code>${esc(comparison.baseline.id)}</code> (${runs(comparison.baseline.runs)}, ${esc(comparison.baseline.startedAt)}) vs candidate <code>${esc(comparison.candidate.id)}</code> (${runs(comparison.candidate.runs)}, ${esc(comparison.candidate.startedAt)}).</p>
<table><thead><tr><th>Metric</th><th>Baseline</th><th>Candidate</th><th>Change</th><th>Noise interval</th><th>Tolerance</th><th>Better</th><th>Verdict</th></tr></thead><tbody>
${rows}
</tbody></table>
${warnings}
<p class="legend"><span style="background:${COLORS.baseline}"></span>baseline<span style="background:${COLORS.candidate}"></span>candidate</p>
${charts}
</body></html>
`;
}

type Series = ReadonlyArray<readonly [number, number]>;

/** Percentile (x, 0..99.9) against value (y) for both reports. */
function percentileChart(baseline: Report, candidate: Report, metric: MetricName): string {
  const curve = (report: Report): Series => {
    const encoded = report.histograms[metric];
    if (!encoded) return [];
    const d = decodeDistribution(encoded);
    const points: Array<[number, number]> = [];
    let seen = 0;
    for (let i = 0; i < d.values.length; i++) {
      seen += d.counts[i] as number;
      const percentile = (100 * seen) / d.total;
      if (percentile <= 99.9) points.push([percentile, d.values[i] as number]);
    }
    return points;
  };
  return svgChart(curve(baseline), curve(candidate), { xLabel: "percentile", yLabel: "ms", xMax: 100 });
}

/** Per measured window p95 (x = window number) for both reports. */
function windowChart(baseline: Report, candidate: Report, metric: MetricName): string {
  const series = (report: Report): Series =>
    measuredWindows(report)
      .map((w, i) => [i, w.latency[metric]?.p95] as const)
      .filter((p): p is readonly [number, number] => p[1] !== undefined);
  return svgChart(series(baseline), series(candidate), { xLabel: "window", yLabel: "ms p95" });
}

/** A 360×200 line chart of two series with axes labelled at min and max. */
function svgChart(a: Series, b: Series, axes: { readonly xLabel: string; readonly yLabel: string; readonly xMax?: number }): string {
  const all = [...a, ...b];
  if (all.length === 0) return `<p>no data</p>`;
  const width = 360;
  const height = 200;
  const pad = { left: 48, right: 8, top: 8, bottom: 28 };
  const xMax = axes.xMax ?? Math.max(1, ...all.map((p) => p[0]));
  const yMin = Math.min(...all.map((p) => p[1]));
  const yMax = Math.max(...all.map((p) => p[1]));
  const ySpan = yMax - yMin || Math.max(yMax, 1) * 0.1;
  const x = (v: number) => pad.left + (v / xMax) * (width - pad.left - pad.right);
  const y = (v: number) => height - pad.bottom - ((v - (yMin - ySpan * 0.05)) / (ySpan * 1.1)) * (height - pad.top - pad.bottom);
  const path = (s: Series, color: string) => (s.length === 0 ? "" : `<polyline fill="none" stroke="${color}" stroke-width="2" points="${s.map((p) => `${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(" ")}"/>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img">
<line x1="${pad.left}" y1="${height - pad.bottom}" x2="${width - pad.right}" y2="${height - pad.bottom}" stroke="#9ca3af"/><line x1="${pad.left}" y1="${pad.top}" x2="${pad.left}" y2="${height - pad.bottom}" stroke="#9ca3af"/>
<text x="${pad.left - 4}" y="${y(yMax)}" text-anchor="end">${yMax.toFixed(1)}</text><text x="${pad.left - 4}" y="${y(yMin)}" text-anchor="end">${yMin.toFixed(1)}</text>
<text x="${pad.left}" y="${height - 8}">0</text><text x="${width - pad.right}" y="${height - 8}" text-anchor="end">${Number(xMax.toFixed(1))} ${esc(axes.xLabel)}</text><text x="${pad.left + 4}" y="${pad.top + 10}">${esc(axes.yLabel)}</text>
${path(a, COLORS.baseline)}${path(b, COLORS.candidate)}
</svg>`;
}

function runs(count: number): string {
  return `${count} run${count === 1 ? "" : "s"}`;
}

function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
