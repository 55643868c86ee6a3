/**
 * report.html opened from file:// in headless Chromium with every non-file request aborted: no
 * console errors, every chart drawn (canvas not blank), the numbers on the page equal the JSON's,
 * it fits a phone-width screen, and with the agent unreachable it still renders and says telemetry
 * is missing. `bun run report` re-renders it from report.json (a real process).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attachTelemetry } from "../loadtest/correlate/attach-telemetry.ts";
import { buildTelemetryReport, missingTelemetry } from "../loadtest/correlate/build-telemetry-report.ts";
import { fromTimelinePoint } from "../loadtest/correlate/from-timeline-point.ts";
import { numText, readPath } from "../loadtest/report/html/html-parts.ts";
import type { Report } from "../loadtest/report/report-types.ts";
import { buildReportFixture, buildTimelineFixture } from "./support/report-fixture.ts";
import { launchReportBrowser, type ReportBrowser } from "./support/report-browser.ts";
import { findTool } from "./support/require-tool.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const chromiumPath = findTool("chromium");
const dir = mkdtempSync(join(tmpdir(), "vigil-report-html-"));

function withTelemetry(report: Report): Report {
  const points = buildTimelineFixture({ offsetMs: 1500 });
  const telemetry = buildTelemetryReport(report, {
    source: "agent",
    url: "http://127.0.0.1:19400",
    selector: null,
    streams: [{ instance: "http://127.0.0.1:19400", samples: points.map(fromTimelinePoint) }],
    clockOffset: { offsetMs: 1500, uncertaintyMs: 0.8, method: "serverTimeMs", probes: 5, minRoundTripMs: 0.9 },
    intervalMs: 1000,
    points: points.length,
    gpus: [{ instance: "http://127.0.0.1:19400", index: 0, name: "NVIDIA H100 80GB HBM3", uuid: "GPU-fixture-0", simulated: true }],
    errors: [],
  });
  return attachTelemetry(report, telemetry);
}

/** Writes report.json and renders report.html with `bun run report` (the real command). */
async function renderWithCli(name: string, report: Report): Promise<string> {
  const json = join(dir, name, "report.json");
  await Bun.write(json, JSON.stringify(report, null, 2));
  const proc = Bun.spawn([process.execPath, join(ROOT, "loadtest/report/main.ts"), json], { stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  expect(stderr).toBe("");
  expect(code).toBe(0);
  expect(stdout.trim()).toBe(join(dir, name, "report.html"));
  return stdout.trim();
}

async function blankCanvases(page: Page): Promise<{ total: number; blank: string[] }> {
  return page.evaluate(() => {
    const canvases = [...document.querySelectorAll<HTMLCanvasElement>("[data-chart] canvas")];
    const blank = canvases
      .filter((c) => {
        const data = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) return false;
        return true;
      })
      .map((c) => c.closest("[data-chart]")!.getAttribute("data-chart")!);
    return { total: canvases.length, blank };
  });
}

describe.skipIf(!chromiumPath)("report.html in headless Chromium", () => {
  let browser: ReportBrowser;
  beforeAll(async () => {
    browser = await launchReportBrowser(chromiumPath!);
  });
  afterAll(async () => {
    await browser?.[Symbol.asyncDispose]();
    rmSync(dir, { recursive: true, force: true });
  });

  it("draws every chart offline, without console errors, and shows the JSON's numbers", async () => {
    const report = withTelemetry(buildReportFixture({ sweep: true }));
    const html = await renderWithCli("full", report);
    const page = await browser.open(html);
    const charts = await page.locator("[data-chart]").count();
    expect(charts).toBeGreaterThan(10);
    expect(Number(await page.getAttribute("html", "data-charts-rendered"))).toBe(charts);
    const canvases = await blankCanvases(page);
    expect(canvases.total).toBe(charts);
    expect(canvases.blank).toEqual([]);
    const shown = await page.$$eval("[data-path]", (els) => els.map((e) => ({ path: e.getAttribute("data-path")!, unit: e.getAttribute("data-unit")!, text: e.textContent })));
    expect(shown.length).toBeGreaterThan(40);
    for (const { path, unit, text } of shown) expect({ path, text }).toEqual({ path, text: numText(readPath(report, path) as number | null, unit) });
    // The embedded report is the JSON (less per-window histograms).
    const embedded = JSON.parse((await page.textContent("#vigil-report"))!) as Report;
    expect(embedded.summary).toEqual(report.summary);
    expect(embedded.telemetry).toEqual(report.telemetry);
    const findings = await page.locator("#findings li").allTextContents();
    expect(findings.some((f) => f.includes("TTFT p95 rose from") && f.includes("waiting requests exceeded 0"))).toBe(true);
    expect(await page.textContent("#telemetry-status")).toContain("simulated GPU");
    expect(await page.locator("#sweep [data-chart='sweep']").count()).toBe(1);
    expect(await page.textContent("#environment")).toContain("native: Vigil's HTTP/1.1 client; chunk times are the kernel's receive stamps");
    // The scenario's description is text, not markup.
    expect(await page.locator("script:not([id]):not([type])").count()).toBe(2);
    await page.screenshot({ path: join(ROOT, "reports/report-html-test.png"), clip: { x: 0, y: 0, width: 1280, height: 2200 }, fullPage: true });
    await page.close();
    expect(browser.consoleErrors).toEqual([]);
    expect(browser.blocked).toEqual([]);
  });

  it("fits a phone-width screen and still draws every chart", async () => {
    const html = join(dir, "full", "report.html");
    const page = await browser.open(html, { width: 390, height: 844 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    const canvases = await blankCanvases(page);
    expect(canvases.blank).toEqual([]);
    const widest = await page.$$eval("[data-chart] canvas", (cs) => Math.max(...cs.map((c) => c.getBoundingClientRect().width)));
    expect(widest).toBeLessThanOrEqual(390);
    await page.close();
    expect(browser.consoleErrors).toEqual([]);
  });

  it("renders with the agent unreachable and says telemetry is missing", async () => {
    const base = buildReportFixture();
    const report = attachTelemetry(base, missingTelemetry(base, { source: "agent", url: "http://127.0.0.1:9", selector: null }, "Cannot read http://127.0.0.1:9/api/v1/timeline: Unable to connect"));
    const html = await renderWithCli("missing", report);
    const page = await browser.open(html);
    expect(await page.textContent("#telemetry-status")).toContain("Telemetry missing from agent http://127.0.0.1:9");
    expect(await page.textContent("#telemetry-badge")).toBe("telemetry missing");
    const missing = await page.locator("[data-missing-chart]").allTextContents();
    expect(missing.filter((m) => m.startsWith("Telemetry missing")).length).toBe(6);
    expect((await blankCanvases(page)).blank).toEqual([]);
    expect(await page.locator("#findings li[data-code='telemetry.telemetry-missing']").count()).toBe(1);
    await page.close();
    expect(browser.consoleErrors).toEqual([]);
    expect(browser.blocked).toEqual([]);
  });

  it("renders a report with no telemetry at all (no agent named)", async () => {
    const html = await renderWithCli("none", buildReportFixture());
    const page = await browser.open(html);
    expect(await page.textContent("#telemetry-status")).toContain("no agent was named");
    await page.close();
    expect(browser.consoleErrors).toEqual([]);
  });
});

describe("bun run report", () => {
  it("exits 2 with one line for a file that is not a report", async () => {
    const path = join(tmpdir(), `vigil-not-a-report-${process.pid}.json`);
    await Bun.write(path, JSON.stringify({ schema: "something/v9" }));
    const proc = Bun.spawn([process.execPath, join(ROOT, "loadtest/report/main.ts"), path], { stdout: "pipe", stderr: "pipe" });
    const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
    rmSync(path, { force: true });
    expect(code).toBe(2);
    expect(stderr).toBe(`report: Cannot read the report ${path}: schema is "something/v9", expected "vigil.report/v1"\n`);
  });
});
