/**
 * Opens a report.html from file:// in headless Chromium (Debian's /usr/bin/chromium driven by
 * playwright-core) with every non-file request aborted, collecting console errors and blocked
 * requests, for the report tests and the render benchmark.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";

/** Chromium's flags for a quiet, offline, sandbox-free run in a container. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface ReportBrowser extends AsyncDisposable {
  readonly context: BrowserContext;
  /** Opens `htmlPath` at the given viewport width and waits for the page script to finish. */
  open(htmlPath: string, options?: { width?: number; height?: number }): Promise<Page>;
  /** Console errors and page errors seen so far. */
  readonly consoleErrors: string[];
  /** URLs that were blocked (anything but file://). */
  readonly blocked: string[];
}

/** Launches Chromium with a fresh user-data-dir. */
export async function launchReportBrowser(executablePath: string): Promise<ReportBrowser> {
  const userDataDir = mkdtempSync(join(tmpdir(), "vigil-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, { executablePath, headless: true, args: CHROMIUM_ARGS });
  const consoleErrors: string[] = [];
  const blocked: string[] = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("file://")) return route.continue();
    blocked.push(url);
    return route.abort();
  });
  return {
    context,
    consoleErrors,
    blocked,
    async open(htmlPath, options = {}) {
      const page = await context.newPage();
      await page.setViewportSize({ width: options.width ?? 1280, height: options.height ?? 900 });
      page.on("console", (message) => {
        if (message.type() === "error") consoleErrors.push(message.text());
      });
      page.on("pageerror", (error) => consoleErrors.push(error.message));
      await page.goto(`file://${htmlPath}`);
      await page.waitForSelector("html[data-charts-rendered]", { timeout: 20_000 });
      return page;
    },
    async [Symbol.asyncDispose]() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
