/**
 * What the report knows about the server side: where telemetry came from, the clock offset and its
 * uncertainty, the GPUs (marked when simulated), which series are missing, and the correlation table.
 */
import { CLIENT_SERIES } from "../../correlate/client-series.ts";
import type { Report } from "../report-types.ts";
import { TELEMETRY_SERIES, type TelemetryReport } from "../telemetry-types.ts";
import { escapeHtml } from "./escape-html.ts";
import { formatMs } from "./format-value.ts";
import { table } from "./html-parts.ts";

/** The telemetry notes shown above the time-series charts. */
export function telemetryNotes(report: Report): string {
  const t = report.telemetry;
  if (!t) return `<div class="missing" id="telemetry-status">Telemetry missing: no agent was named (<code>--agent URL</code>, the scenario's <code>agent</code>, or <code>--prometheus URL</code>), so only client-side series are shown.</div>`;
  if (t.status === "missing") {
    return `<div class="missing" id="telemetry-status">Telemetry missing from ${escapeHtml(t.source)} <code>${escapeHtml(t.url)}</code>: ${escapeHtml(t.errors.join("; ") || "no data")}. Server charts below are marked missing; nothing is shown as zero.</div>`;
  }
  const offset = t.clockOffset
    ? `clock offset ${escapeHtml(formatMs(t.clockOffset.offsetMs))} ± ${escapeHtml(formatMs(t.clockOffset.uncertaintyMs))} (${escapeHtml(t.clockOffset.method)}, ${t.clockOffset.probes} probes, fastest round trip ${escapeHtml(formatMs(t.clockOffset.minRoundTripMs))}), applied before joining`
    : "clock offset unknown (assumed 0)";
  const gpus = t.gpus.length === 0 ? "no GPUs reported" : t.gpus.map((g) => `${escapeHtml(g.name || "GPU")} #${g.index}${g.simulated ? ` <strong>(simulated GPU)</strong>` : ""}`).join(", ");
  const missing = t.series.filter((s) => !s.available).map((s) => s.label);
  const errors = t.errors.length > 0 ? `<div class="note">Problems: ${escapeHtml(t.errors.join("; "))}</div>` : "";
  return `<div class="note" id="telemetry-status">Telemetry from ${escapeHtml(t.source)} <code>${escapeHtml(t.url)}</code>${t.selector ? ` selector <code>${escapeHtml(t.selector)}</code>` : ""} (${t.instances.length} instance${t.instances.length === 1 ? "" : "s"}, ${t.points} points, every ${t.intervalMs ?? "?"} ms): ${offset}. GPUs: ${gpus}.${
    missing.length > 0 ? ` <strong>Missing series</strong> (shown as gaps, never 0): ${escapeHtml(missing.join(", "))}.` : ""
  }</div>${errors}`;
}

/** Pearson r (Spearman in the tooltip) of each latency series against each available telemetry series. */
export function correlationSection(telemetry: TelemetryReport | null): string {
  if (!telemetry || telemetry.correlations.length === 0) return "";
  const clients = [...new Set(telemetry.correlations.map((c) => c.client))];
  const series = [...new Set(telemetry.correlations.map((c) => c.telemetry))];
  const cell = (client: string, name: string) => {
    const c = telemetry.correlations.find((x) => x.client === client && x.telemetry === name);
    if (!c || c.pearson === null) return `<td class="n" title="too few windows or constant">—</td>`;
    const r = c.pearson;
    const hue = r >= 0 ? "213,94,0" : "0,114,178";
    return `<td class="n" style="background: rgba(${hue},${(Math.abs(r) * 0.6).toFixed(2)})" title="Spearman ${c.spearman === null ? "—" : c.spearman.toFixed(2)}, n = ${c.n}">${r.toFixed(2)}</td>`;
  };
  const rows = series.map((name) => [escapeHtml(TELEMETRY_SERIES[name].label), ...clients.map((client) => cell(client, name))]);
  return `<section id="correlations"><h2>Correlation: client latency against telemetry</h2><p class="note">Pearson r over measured windows where both had a value (hover for Spearman and n). Near ±1: they moved together; near 0: no linear relation. Correlation is not cause: read it with the charts.</p>${table(
    ["telemetry \\ client", ...clients.map((c) => (CLIENT_SERIES as Record<string, { label: string }>)[c]?.label ?? c)],
    rows,
    "correlations",
  )}</section>`;
}
