/**
 * The pure half of correlation: a report and what a source returned become the report's
 * `telemetry` (join, availability, correlations, findings). A source that failed becomes a
 * `status: "missing"` telemetry that says why, so the report still renders and says so.
 */
import type { Report } from "../report/report-types.ts";
import {
  TELEMETRY_SERIES,
  TELEMETRY_SERIES_NAMES,
  type TelemetryCorrelation,
  type TelemetryFinding,
  type TelemetryReport,
  type TelemetrySeriesInfo,
} from "../report/telemetry-types.ts";
import { formatMs } from "../report/html/format-value.ts";
import { CLIENT_SERIES, type ClientSeriesName, clientSeries, isMeasured, LATENCY_SERIES } from "./client-series.ts";
import { pearson, spearman } from "./correlation.ts";
import { deriveFindings } from "./derive-findings.ts";
import { joinWindows } from "./join-windows.ts";
import type { SourceData } from "./source-data.ts";

/** Joins `data` to the report's windows. */
export function buildTelemetryReport(report: Report, data: SourceData): TelemetryReport {
  const windows = report.windows.windows;
  const windowMs = report.windows.windowMs;
  const offsetMs = data.clockOffset?.offsetMs ?? 0;
  const joined = joinWindows(data.streams, { windows, windowMs, offsetMs, toleranceMs: Math.max(windowMs, data.intervalMs ?? 0) });
  const measured = windows.map((w, i) => (isMeasured(w) ? i : -1)).filter((i) => i >= 0);
  const series: TelemetrySeriesInfo[] = TELEMETRY_SERIES_NAMES.map((name) => {
    const info = TELEMETRY_SERIES[name];
    const missing = measured.filter((i) => joined[i]?.[name] === null || joined[i]?.[name] === undefined).length;
    return { name, label: info.label, unit: info.unit, group: info.group, available: joined.some((w) => w[name] !== null && w[name] !== undefined), missingWindows: missing };
  });
  const client = clientSeries(report);
  const correlations: TelemetryCorrelation[] = [];
  const measuredOnly = (values: readonly (number | null | undefined)[]) => values.map((v, i) => (isMeasured(windows[i]!) ? (v ?? null) : null));
  for (const name of [...LATENCY_SERIES, "outputTokensPerS"] as ClientSeriesName[]) {
    const xs = measuredOnly(client[name]);
    for (const s of series) {
      if (!s.available || s.unit === "bitmask") continue;
      const ys = measuredOnly(joined.map((w) => w[s.name]));
      const { r, n } = pearson(xs, ys);
      correlations.push({ client: name, telemetry: s.name, n, pearson: r, spearman: spearman(xs, ys) });
    }
  }
  const findings: TelemetryFinding[] = deriveFindings({ windows, windowMs, client, telemetry: joined, series, correlations });
  if (data.clockOffset && Math.abs(data.clockOffset.offsetMs) >= Math.max(100, 2 * data.clockOffset.uncertaintyMs)) {
    const direction = data.clockOffset.offsetMs > 0 ? "ahead of" : "behind";
    findings.push({
      severity: "info",
      code: "clock-offset",
      message: `The ${data.source} clock is ${formatMs(Math.abs(data.clockOffset.offsetMs))} ${direction} the harness (± ${formatMs(data.clockOffset.uncertaintyMs)}); telemetry was shifted by that before joining.`,
      evidence: null,
    });
  }
  const anyAvailable = series.some((s) => s.available);
  const status = !anyAvailable ? "missing" : series.every((s) => s.available) && data.errors.length === 0 ? "ok" : "partial";
  const errors = [...data.errors];
  if (!anyAvailable) {
    errors.push(`No telemetry from ${data.url} overlaps the run window (${data.points} points received)`);
    findings.unshift(missingFinding(`Telemetry is missing: ${data.url} returned no data for the run window.`));
  }
  return {
    source: data.source,
    url: data.url,
    selector: data.selector,
    status,
    clockOffsetMs: data.clockOffset?.offsetMs ?? null,
    clockOffset: data.clockOffset,
    intervalMs: data.intervalMs,
    points: data.points,
    instances: data.streams.map((s) => s.instance),
    gpus: data.gpus,
    series,
    windows: joined,
    correlations,
    findings,
    errors,
  };
}

/** Telemetry for a source that could not be read at all: every series missing, the reason in `errors`. */
export function missingTelemetry(report: Report, source: { readonly source: "agent" | "prometheus"; readonly url: string; readonly selector: string | null }, error: string): TelemetryReport {
  const measured = report.windows.windows.filter(isMeasured).length;
  return {
    source: source.source,
    url: source.url,
    selector: source.selector,
    status: "missing",
    clockOffsetMs: null,
    clockOffset: null,
    intervalMs: null,
    points: 0,
    instances: [],
    gpus: [],
    series: TELEMETRY_SERIES_NAMES.map((name) => ({ name, label: TELEMETRY_SERIES[name].label, unit: TELEMETRY_SERIES[name].unit, group: TELEMETRY_SERIES[name].group, available: false, missingWindows: measured })),
    windows: report.windows.windows.map((w) => ({ index: w.index, ...Object.fromEntries(TELEMETRY_SERIES_NAMES.map((n) => [n, null])) })),
    correlations: [],
    findings: [missingFinding(`Telemetry is missing: ${error}`)],
    errors: [error],
  };
}

function missingFinding(message: string): TelemetryFinding {
  return { severity: "warning", code: "telemetry-missing", message, evidence: null };
}

/** Client series labels, re-exported for the views. */
export { CLIENT_SERIES };
