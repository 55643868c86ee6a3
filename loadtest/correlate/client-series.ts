/**
 * The harness's own per-window series, read from the report's windows, that telemetry is joined
 * against: latency percentiles, throughput, errors and requests in flight.
 */
import type { MetricName, Report, ReportWindow } from "../report/report-types.ts";

/** Client series names: `<metric>.<percentile>` for latency, plain names for rates. */
export const CLIENT_SERIES = {
  "ttftMs.p50": { label: "TTFT p50", unit: "ms" },
  "ttftMs.p95": { label: "TTFT p95", unit: "ms" },
  "itlMs.p95": { label: "ITL p95", unit: "ms" },
  "e2eMs.p95": { label: "E2E p95", unit: "ms" },
  requestsPerS: { label: "Completed requests/s", unit: "1/s" },
  outputTokensPerS: { label: "Output tokens/s", unit: "1/s" },
  errorsPerS: { label: "Errors/s", unit: "1/s" },
  inFlightMean: { label: "In flight (mean)", unit: "count" },
} as const;

/** One of {@link CLIENT_SERIES}. */
export type ClientSeriesName = keyof typeof CLIENT_SERIES;

/** The latency series that correlations and findings are about. */
export const LATENCY_SERIES: readonly ClientSeriesName[] = ["ttftMs.p95", "ttftMs.p50", "itlMs.p95", "e2eMs.p95"];

/** The value of one client series in one window; null when the window has none (no request finished). */
export function clientValue(window: ReportWindow, name: ClientSeriesName, windowMs: number): number | null {
  const seconds = windowMs / 1000;
  switch (name) {
    case "requestsPerS":
      return window.completed / seconds;
    case "outputTokensPerS":
      return window.outputTokensPerS;
    case "errorsPerS":
      return Object.values(window.errors).reduce((a: number, b) => a + (b ?? 0), 0) / seconds;
    case "inFlightMean":
      return window.inFlightMean;
    default: {
      const [metric, percentile] = name.split(".") as [MetricName, "p50" | "p95"];
      return window.latency[metric]?.[percentile] ?? null;
    }
  }
}

/** True for windows that count (warm-up excluded). */
export function isMeasured(window: ReportWindow): boolean {
  return window.phase !== "warmup";
}

/** Every client series over every report window, aligned with `report.windows.windows`. */
export function clientSeries(report: Report): Record<ClientSeriesName, (number | null)[]> {
  const windows = report.windows.windows;
  const out = {} as Record<ClientSeriesName, (number | null)[]>;
  for (const name of Object.keys(CLIENT_SERIES) as ClientSeriesName[]) out[name] = windows.map((w) => clientValue(w, name, report.windows.windowMs));
  return out;
}
