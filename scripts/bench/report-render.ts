/**
 * How big and how fast report.html is for a long run: 10 minutes of 1 s windows with the full
 * telemetry join (17 server series beside the client's), per-window histograms in the JSON.
 * Measures the HTML size, the time renderReportHtml() takes in Bun, and the time headless Chromium
 * takes from navigation to every chart drawn (the page script's own mark). Writes
 * reports/bench/report-render.json. The budget: under 2 MB and under 1 s to render.
 *
 *   bun scripts/bench/report-render.ts
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { attachTelemetry } from "../../loadtest/correlate/attach-telemetry.ts";
import { buildTelemetryReport } from "../../loadtest/correlate/build-telemetry-report.ts";
import { fromTimelinePoint } from "../../loadtest/correlate/from-timeline-point.ts";
import { renderReportHtml } from "../../loadtest/report/html/render-report-html.ts";
import { buildReportFixture, buildTimelineFixture } from "../../test/support/report-fixture.ts";
import { launchReportBrowser } from "../../test/support/report-browser.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const WINDOWS = 600;
const base = buildReportFixture({ windowCount: WINDOWS, riseAtWindow: 300, windowHistograms: true });
const points = buildTimelineFixture({ count: WINDOWS + 2, causeAtS: 300, offsetMs: 800 });
const telemetry = buildTelemetryReport(base, {
  source: "agent",
  url: "http://127.0.0.1:19400",
  selector: null,
  streams: [{ instance: "bench", samples: points.map(fromTimelinePoint) }],
  clockOffset: { offsetMs: 800, uncertaintyMs: 1, method: "serverTimeMs", probes: 5, minRoundTripMs: 1 },
  intervalMs: 1000,
  points: points.length,
  gpus: [{ instance: "bench", index: 0, name: "NVIDIA H100 80GB HBM3", uuid: "GPU-bench", simulated: true }],
  errors: [],
});
const report = attachTelemetry(base, telemetry);
const reportJsonBytes = Buffer.byteLength(JSON.stringify(report));

renderReportHtml(report); // warm: uPlot read once, JIT
const renderMs: number[] = [];
let html = "";
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  html = renderReportHtml(report);
  renderMs.push(performance.now() - t0);
}
const htmlBytes = Buffer.byteLength(html);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;

const dir = mkdtempSync(join(tmpdir(), "vigil-bench-report-"));
const path = join(dir, "report.html");
await Bun.write(path, html);
const chromium = Bun.which("chromium");
const browserLoadMs: number[] = [];
const scriptMs: number[] = [];
let charts = 0;
let consoleErrors: string[] = [];
if (chromium) {
  await using browser = await launchReportBrowser(chromium);
  for (let i = 0; i < 3; i++) {
    const page = await browser.open(path);
    const timing = await page.evaluate(() => ({ done: (window as unknown as { __vigilDoneAtMs: number }).__vigilDoneAtMs, script: (window as unknown as { __vigilRenderMs: number }).__vigilRenderMs, charts: Number(document.documentElement.getAttribute("data-charts-rendered")) }));
    browserLoadMs.push(timing.done);
    scriptMs.push(timing.script);
    charts = timing.charts;
    await page.close();
  }
  consoleErrors = browser.consoleErrors;
}
rmSync(dir, { recursive: true, force: true });

const seriesCount = report.telemetry!.series.filter((s) => s.available).length + 8;
const result = {
  what: "report.html for 600 x 1 s windows with telemetry joined",
  windows: WINDOWS,
  series: seriesCount,
  reportJsonBytes,
  htmlBytes,
  htmlLimitBytes: 2 * 1024 * 1024,
  renderHtmlMsMedian: Number(median(renderMs).toFixed(1)),
  chromium: chromium
    ? { navigationToChartsDrawnMsMedian: Number(median(browserLoadMs).toFixed(1)), pageScriptMsMedian: Number(median(scriptMs).toFixed(1)), charts, consoleErrors, limitMs: 1000 }
    : "chromium not installed",
  withinBudget: htmlBytes < 2 * 1024 * 1024 && (!chromium || median(browserLoadMs) < 1000),
  machine: { cpus: navigator.hardwareConcurrency, bun: Bun.version },
  measuredAt: new Date().toISOString(),
};
await Bun.write(join(ROOT, "reports/bench/report-render.json"), `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
