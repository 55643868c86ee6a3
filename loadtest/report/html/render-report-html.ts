/**
 * report.json -> report.html: one self-contained file (uPlot, its CSS, the chart data and the report
 * itself inlined; no network at view time), so it still opens offline years later. A pure function
 * of the report (and uPlot's text, read once by loadUplotAssets).
 *
 * @example
 *   await Bun.write("report.html", renderReportHtml(report));
 */
import { VERSION } from "../../../agent/version.ts";
import type { Report } from "../report-types.ts";
import type { ChartSpec, MissingChart } from "./chart-spec.ts";
import { definitionsSection, environmentSection, errorsTable, sweepTable } from "./detail-sections.ts";
import { distributionCharts } from "./distribution-charts.ts";
import { escapeHtml, scriptJson } from "./escape-html.ts";
import { headlineSection } from "./headline-section.ts";
import { loadUplotAssets, type UplotAssets } from "./load-uplot-assets.ts";
import { PAGE_SCRIPT } from "./page-script.ts";
import { PAGE_STYLE } from "./page-style.ts";
import { summarySection } from "./summary-section.ts";
import { sweepChart } from "./sweep-chart.ts";
import { correlationSection, telemetryNotes } from "./telemetry-section.ts";
import { timeSeriesCharts } from "./time-series-charts.ts";

/** Renders the page. */
export function renderReportHtml(report: Report, assets: UplotAssets = loadUplotAssets()): string {
  const timeCharts = timeSeriesCharts(report);
  const distributions = distributionCharts(report);
  const sweep = sweepChart(report);
  const drawable = [...timeCharts, ...distributions, ...(sweep ? [sweep] : [])].filter((c): c is ChartSpec => !("missing" in c));
  const chartBox = (c: ChartSpec | MissingChart) =>
    "missing" in c
      ? `<div class="chart-box"><div class="chart-title">${escapeHtml(c.title)}</div><div class="missing" data-missing-chart="${escapeHtml(c.id)}">${escapeHtml(c.missing)}</div></div>`
      : `<div class="chart-box"><div class="chart-title">${escapeHtml(c.title)}</div><div class="chart" data-chart="${escapeHtml(c.id)}"></div></div>`;
  const body = [
    headlineSection(report),
    summarySection(report),
    `<section id="timeseries"><h2>Over time</h2><p class="note">Harness clock (UTC), one point per ${report.windows.windowMs} ms window. Drag across a chart to zoom all of them; <button type="button" id="zoom-reset">reset zoom</button>.</p>${telemetryNotes(report)}<div class="grid2">${timeCharts.map(chartBox).join("")}</div></section>`,
    correlationSection(report.telemetry),
    `<section id="distributions"><h2>Latency distributions</h2><p class="note">From the run's HDR histograms (${report.histograms.ttftMs?.significantDigits ?? 3} significant digits): counts per log-spaced bin (bars) and the CDF (line, right axis).</p><div class="grid2">${distributions.map(chartBox).join("") || `<p class="note">No latency was recorded.</p>`}</div></section>`,
    `<section id="errors"><h2>Errors</h2>${errorsTable(report)}</section>`,
    sweep ? `<section id="sweep"><h2>Sweep</h2>${chartBox(sweep)}${sweepTable(report)}</section>` : "",
    `<section id="environment"><h2>Environment and scenario</h2>${environmentSection(report)}</section>`,
    `<section id="definitions"><h2>Definitions</h2>${definitionsSection(report)}</section>`,
    `<footer class="note"><p>Written by Vigil ${escapeHtml(VERSION)} from <code>${escapeHtml(report.schema)}</code> with uPlot ${escapeHtml(assets.version)} inlined. The report JSON is embedded below (element <code>#vigil-report</code>, per-window histograms left out); <code>bun run report report.json</code> re-renders this page.</p></footer>`,
  ].join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(String(report.scenario.name))} · Vigil report ${escapeHtml(report.run.id)}</title>
<style>${assets.style}</style>
<style>${PAGE_STYLE}</style>
</head>
<body>
<main>
${body}
</main>
<script id="vigil-report" type="application/json">${scriptJson(embeddedReport(report))}</script>
<script id="vigil-charts" type="application/json">${scriptJson(drawable)}</script>
<script>${assets.script}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}

/** The report without per-window histograms (the whole-run ones stay): everything else, for whoever reads the page's source later. */
function embeddedReport(report: Report): unknown {
  return { ...report, windows: { ...report.windows, windows: report.windows.windows.map(({ histograms: _h, ...w }) => w) } };
}
