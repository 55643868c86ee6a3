/**
 * The README demo end to end: `bun scripts/demo.ts` (what `npm run demo` runs) starts the simulator,
 * the agent and the load test, prints the report's path and stops by itself; the report shows TTFT
 * rising with the queue, and its page is screenshotted (for the README with VIGIL_UPDATE_SCREENSHOTS=1: reports/screenshots/report.png).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Report } from "../loadtest/report/report-types.ts";
import { launchReportBrowser } from "./support/report-browser.ts";
import { findTool } from "./support/require-tool.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const chromiumPath = findTool("chromium");

describe("npm run demo", () => {
  it("runs the whole story, writes a report that explains the latency rise, and stops everything", { timeout: 300_000 }, async () => {
    const out = mkdtempSync(join(tmpdir(), "vigil-demo-test-"));
    try {
      const proc = Bun.spawn([process.execPath, join(ROOT, "scripts/demo.ts"), "--out", out, "--timeout", "200"], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
      const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
      expect(code, stderr).toBe(0);
      expect(stderr).toContain("simulated GPU");
      const html = /^Report: (\S+report\.html)$/m.exec(stdout)?.[1];
      expect(html, stdout).toBeDefined();
      const report = (await Bun.file(html!.replace(/\.html$/, ".json")).json()) as Report;
      expect(report.telemetry?.status).not.toBe("missing");
      expect(report.telemetry?.gpus.some((g) => g.simulated)).toBe(true);
      const waiting = report.telemetry!.windows.map((w) => w.requestsWaiting ?? 0);
      expect(Math.max(...waiting)).toBeGreaterThan(0);
      expect(report.findings.some((f) => f.code === "telemetry.latency-rise" && f.message.startsWith("TTFT p95 rose from"))).toBe(true);
      if (chromiumPath) {
        await using browser = await launchReportBrowser(chromiumPath);
        const page = await browser.open(html!);
        // The committed README screenshot changes only on purpose (VIGIL_UPDATE_SCREENSHOTS=1); a plain run writes an ignored copy.
        const shot = process.env.VIGIL_UPDATE_SCREENSHOTS === "1" ? "reports/screenshots/report.png" : "reports/demo-report.png";
        await page.screenshot({ path: join(ROOT, shot), clip: { x: 0, y: 0, width: 1280, height: 1900 }, fullPage: true });
        expect(browser.consoleErrors).toEqual([]);
        expect(browser.blocked).toEqual([]);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
