/**
 * Reads uPlot's browser build from node_modules, to inline it into report.html (the report must open
 * with no network). The one I/O edge of HTML rendering; the renderer itself takes the text.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** uPlot's script (defines the global `uPlot`) and stylesheet. */
export interface UplotAssets {
  readonly script: string;
  readonly style: string;
  readonly version: string;
}

let cached: UplotAssets | undefined;

/** Loads (once per process) `uplot/dist/uPlot.iife.min.js` and `uPlot.min.css`. */
export function loadUplotAssets(): UplotAssets {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve("uplot/package.json");
  const dist = join(dirname(packageJson), "dist");
  const script = readFileSync(join(dist, "uPlot.iife.min.js"), "utf8");
  // Inlined inside <script>: a literal "</script" would end it early.
  if (/<\/script/i.test(script)) throw new Error("Cannot inline uPlot: its build contains </script");
  cached = { script, style: readFileSync(join(dist, "uPlot.min.css"), "utf8"), version: (JSON.parse(readFileSync(packageJson, "utf8")) as { version: string }).version };
  return cached;
}
