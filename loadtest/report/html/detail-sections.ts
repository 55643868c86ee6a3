/** The lower sections: errors with examples, sweep levels, environment and scenario, metric definitions. */
import { describeClient } from "../describe-client.ts";
import type { Report } from "../report-types.ts";
import { TELEMETRY_SERIES, TELEMETRY_SERIES_NAMES } from "../telemetry-types.ts";
import { escapeHtml } from "./escape-html.ts";
import { formatBytes, formatMs } from "./format-value.ts";
import { num, table } from "./html-parts.ts";

/** Failures by type with their first examples. */
export function errorsTable(report: Report): string {
  const rows = Object.entries(report.errors.byType).flatMap(([type, summary]) =>
    (summary?.examples.length ? summary.examples : [null]).map((ex, i) => [
      i === 0 ? `<code>${escapeHtml(type)}</code>` : "",
      i === 0 ? `<td class="n">${num(summary?.count, "count", `errors.byType.${type}.count`)}</td>` : "<td></td>",
      ex ? escapeHtml(formatMs(ex.atOffsetMs)) : "",
      ex ? escapeHtml(ex.message) : "",
    ]),
  );
  return rows.length === 0 ? `<p class="note">No request failed.</p>` : table(["type", "count", "at (since start)", "example"], rows);
}

/** Sweep levels, or "" when the run was not a sweep. */
export function sweepTable(report: Report): string {
  const sweep = report.sweep;
  if (!sweep) return "";
  const rows = sweep.levels.map((l, i) => [
    `<td class="n">${escapeHtml(String(l.level))}${l.refinement ? " (refined)" : ""}${i === sweep.kneeLevelIndex ? " <strong>knee</strong>" : ""}</td>`,
    `<td class="n">${num(l.throughput.requestsPerS, "1/s", `sweep.levels.${i}.throughput.requestsPerS`)}</td>`,
    `<td class="n">${num(l.summary.ttftMs?.p95 ?? null, "ms", `sweep.levels.${i}.summary.ttftMs.p95`)}</td>`,
    `<td class="n">${num(l.errorRate, "percent", `sweep.levels.${i}.errorRate`)}</td>`,
    `<td class="${l.passed ? "pass" : "fail"}">${l.passed ? "pass" : "FAIL"}</td>`,
    l.saturated ? "saturated" : "",
  ]);
  return `<p>Knee: <strong>${sweep.knee === null ? "none of the levels met every threshold" : `${sweep.knee} ${sweep.mode === "rate" ? "req/s" : "VUs"}`}</strong>; stopped because ${escapeHtml(sweep.stopReason)}.</p>${table(["level", "achieved req/s", "TTFT p95", "error rate", "thresholds", ""], rows)}`;
}

/** Environment fingerprint, command line and the scenario as run. */
export function environmentSection(report: Report): string {
  const e = report.run.environment;
  const rows: [string, string][] = [
    ["harness", `${e.harnessVersion}${e.gitCommit ? ` (${e.gitCommit.slice(0, 12)}${e.gitDirty ? ", uncommitted changes" : ""})` : ""}`],
    ["bun", e.bunVersion],
    ["platform", `${e.platform}/${e.arch}`],
    ["host", e.host],
    ["CPU", `${e.cpuCount} × ${e.cpuModel}`],
    ["memory", formatBytes(e.memoryTotalBytes)],
    ["target", e.target.url],
    // The native runner also says its client and where chunk times come from.
    ["runner", report.run.client ? `${report.run.runner}: ${describeClient(report.run.client)}` : report.run.runner],
    ["target models", JSON.stringify(e.target.models)],
    ["target version", JSON.stringify(e.target.version)],
    ["command", `bun run loadtest ${report.run.argv.join(" ")}`],
    ["window", `${report.windows.windowMs} ms`],
  ];
  if (e.target.errors.length > 0) rows.push(["fingerprint errors", e.target.errors.join("; ")]);
  return `${table(["", ""], rows.map(([k, v]) => [escapeHtml(k), `<code>${escapeHtml(v)}</code>`]))}<h3>Scenario as run</h3><pre>${escapeHtml(JSON.stringify(report.scenario, null, 2))}</pre>`;
}

/** The metric definitions used (from the report itself) and how telemetry was joined. */
export function definitionsSection(report: Report): string {
  const metrics = Object.entries(report.definitions).map(([k, v]) => [`<code>${escapeHtml(k)}</code>`, escapeHtml(v)]);
  const telemetry = TELEMETRY_SERIES_NAMES.map((name) => [`<code>${escapeHtml(name)}</code>`, escapeHtml(`${TELEMETRY_SERIES[name].label} (${TELEMETRY_SERIES[name].unit}; several GPUs/instances: ${TELEMETRY_SERIES[name].combine})`)]);
  return `${table(["metric", "definition"], metrics)}
<h3>Telemetry series</h3>
<p class="note">Agent samples are shifted onto the harness clock by the estimated offset, then joined per ${report.windows.windowMs} ms window: gauges are averaged over the samples inside the window (or the nearest sample within one interval); counters and vLLM histograms use the interpolated increase over the window (counter resets handled), and the vLLM quantiles are computed from those bucket deltas as PromQL's histogram_quantile does. Missing data is null, shown as a gap, never as 0.</p>
${table(["series", "meaning"], telemetry)}`;
}
