/**
 * The time-series charts: client latency, throughput, errors and schedule lag from the report's
 * windows, overlaid with GPU and server telemetry. All share x (harness wall clock, epoch seconds),
 * so the page syncs their cursor and zoom. Telemetry that is missing becomes a MissingChart that says
 * so instead of a flat line at 0.
 */
import { ERROR_TYPES, type MetricName, type Report } from "../report-types.ts";
import type { TelemetryReport, TelemetrySeriesName } from "../telemetry-types.ts";
import { type ChartSeries, type ChartSpec, type MissingChart, PALETTE } from "./chart-spec.ts";

type Column = readonly (number | null)[];

/** Every time chart, in page order. */
export function timeSeriesCharts(report: Report): (ChartSpec | MissingChart)[] {
  const windows = report.windows.windows;
  const windowMs = report.windows.windowMs;
  const x = windows.map((w) => w.startEpochMs / 1000);
  const lat = (metric: MetricName, p: "p50" | "p95" | "max"): Column => windows.map((w) => w.latency[metric]?.[p] ?? null);
  const tel = (name: TelemetrySeriesName): Column | null => telemetryColumn(report.telemetry, name, windows.length);
  const chart = (id: string, title: string, yLabel: string, series: { s: ChartSeries; data: Column | null }[], y2Label?: string): ChartSpec | null => {
    const present = series.filter((p) => p.data !== null);
    if (present.length === 0) return null;
    return { id, title, xKind: "time", yLabel, y2Label, series: present.map((p) => p.s), data: [x, ...present.map((p) => p.data as Column)] };
  };
  const s = (label: string, unit: string, color: number, scale: "y" | "y2" = "y", extra: Partial<ChartSeries> = {}): ChartSeries => ({ label, unit, color: PALETTE[color] as string, scale, ...extra });
  const out: (ChartSpec | MissingChart)[] = [];
  const client = chart("ts-latency", "Client latency per window", "ms", [
    { s: s("TTFT p50", "ms", 5), data: lat("ttftMs", "p50") },
    { s: s("TTFT p95", "ms", 0), data: lat("ttftMs", "p95") },
    { s: s("E2E p95", "ms", 1), data: lat("e2eMs", "p95") },
    { s: s("ITL p95", "ms", 2, "y2"), data: lat("itlMs", "p95") },
  ], "ITL ms");
  if (client) out.push(client);
  const seconds = windowMs / 1000;
  out.push({
    id: "ts-throughput",
    title: "Throughput and requests in flight",
    xKind: "time",
    yLabel: "req/s · in flight",
    y2Label: "output tokens/s",
    series: [s("Completed req/s", "1/s", 0), s("Sent req/s", "1/s", 5, "y", { dash: true }), s("In flight (mean)", "count", 1), s("Output tokens/s", "1/s", 2, "y2")],
    data: [x, windows.map((w) => w.completed / seconds), windows.map((w) => w.started / seconds), windows.map((w) => w.inFlightMean), windows.map((w) => w.outputTokensPerS)],
  });

  const telemetryCharts: { id: string; title: string; yLabel: string; y2Label?: string; series: { s: ChartSeries; data: Column | null; client?: boolean }[] }[] = [
    {
      id: "ts-server-queue",
      title: "vLLM scheduler: running, waiting, KV cache",
      yLabel: "requests",
      y2Label: "KV-cache usage",
      series: [
        { s: s("Running", "count", 0, "y", { style: "step" }), data: tel("requestsRunning") },
        { s: s("Waiting", "count", 1, "y", { style: "step" }), data: tel("requestsWaiting") },
        { s: s("Preemptions/s", "1/s", 3, "y", { style: "step" }), data: tel("preemptionsPerS") },
        { s: s("KV-cache usage", "ratio", 2, "y2"), data: tel("kvCacheUsageRatio") },
      ],
    },
    {
      id: "ts-server-latency",
      title: "Client TTFT against vLLM's own histograms",
      yLabel: "ms",
      series: [
        { s: s("Client TTFT p95", "ms", 0), data: lat("ttftMs", "p95"), client: true },
        { s: s("vLLM TTFT p95", "ms", 1, "y", { dash: true }), data: tel("vllmTtftP95Ms") },
        { s: s("vLLM queue time p95", "ms", 3, "y", { dash: true }), data: tel("vllmQueueTimeP95Ms") },
        { s: s("vLLM ITL p95", "ms", 2, "y", { dash: true }), data: tel("vllmItlP95Ms") },
      ],
    },
    {
      id: "ts-gpu-util",
      title: "GPU utilization and memory",
      yLabel: "utilization",
      y2Label: "memory used",
      series: [
        { s: s("GPU utilization", "ratio", 0), data: tel("gpuUtilizationRatio") },
        { s: s("GPU memory used", "bytes", 4, "y2"), data: tel("gpuMemoryUsedBytes") },
      ],
    },
    {
      id: "ts-gpu-power",
      title: "GPU power and temperature",
      yLabel: "W",
      y2Label: "°C",
      series: [
        { s: s("Power", "W", 1), data: tel("gpuPowerWatts") },
        { s: s("Power limit", "W", 6, "y", { dash: true }), data: tel("gpuPowerLimitWatts") },
        { s: s("Temperature", "°C", 3, "y2"), data: tel("gpuTemperatureCelsius") },
      ],
    },
    {
      id: "ts-gpu-clock",
      title: "GPU SM clock and slowdown reasons",
      yLabel: "MHz",
      y2Label: "slowed down",
      series: [
        { s: s("SM clock", "MHz", 5, "y", { style: "step" }), data: tel("gpuClockSmMhz") },
        { s: s("Slowed down (power/thermal)", "count", 1, "y2", { style: "step" }), data: slowdown(tel("gpuClockEventReasons")) },
      ],
    },
    {
      id: "ts-host",
      title: "Server host CPU",
      yLabel: "utilization",
      y2Label: "load",
      series: [
        { s: s("CPU utilization", "ratio", 0), data: tel("hostCpuUtilizationRatio") },
        { s: s("Load (1 min)", "count", 1, "y2"), data: tel("hostLoad1") },
      ],
    },
  ];
  for (const spec of telemetryCharts) {
    // A chart whose only data is the client's own series would hide that the server side is missing.
    const hasTelemetry = spec.series.some((p) => !p.client && p.data !== null);
    const built = hasTelemetry ? chart(spec.id, spec.title, spec.yLabel, spec.series, spec.y2Label) : null;
    out.push(built ?? { id: spec.id, title: spec.title, missing: missingReason(report.telemetry, spec.title) });
  }

  const types = ERROR_TYPES.filter((type) => windows.some((w) => (w.errors[type] ?? 0) > 0));
  out.push(
    types.length === 0
      ? { id: "ts-errors", title: "Errors over time by type", missing: "No request failed." }
      : {
          id: "ts-errors",
          title: "Errors over time by type",
          xKind: "time",
          yLabel: "errors per window",
          series: types.map((type, i) => s(type, "count", (i + 1) % PALETTE.length, "y", { style: "bars" })),
          data: [x, ...types.map((type) => windows.map((w) => w.errors[type] ?? 0))],
        },
  );
  const lag = chart("ts-schedule", "Schedule lag (actual minus planned send)", "ms", [
    { s: s("Lag p50", "ms", 5), data: nonEmpty(lat("scheduleLagMs", "p50")) },
    { s: s("Lag p95", "ms", 0), data: nonEmpty(lat("scheduleLagMs", "p95")) },
    { s: s("Lag max", "ms", 1, "y", { dash: true }), data: nonEmpty(lat("scheduleLagMs", "max")) },
    { s: s("Queue wait p95", "ms", 3), data: nonEmpty(lat("queueMs", "p95")) },
  ]);
  out.push(lag ?? { id: "ts-schedule", title: "Schedule lag (actual minus planned send)", missing: "Closed-loop run: requests have no planned send time, so there is no schedule lag." });
  return out;
}

/** Clock event reasons as 1 when a power or thermal slowdown bit is set (gpu_idle and app clocks are not slowdowns). */
function slowdown(column: Column | null): Column | null {
  return column ? column.map((mask) => (mask === null ? null : (mask & (0x4 | 0x8 | 0x20 | 0x40 | 0x80)) !== 0 ? 1 : 0)) : null;
}

function nonEmpty(column: Column): Column | null {
  return column.some((v) => v !== null) ? column : null;
}

function telemetryColumn(telemetry: TelemetryReport | null, name: TelemetrySeriesName, length: number): Column | null {
  if (!telemetry || telemetry.status === "missing") return null;
  if (!telemetry.series.find((s) => s.name === name)?.available) return null;
  const byIndex = new Map(telemetry.windows.map((w) => [w.index, w[name] ?? null]));
  return Array.from({ length }, (_, i) => byIndex.get(i) ?? null);
}

function missingReason(telemetry: TelemetryReport | null, title: string): string {
  if (!telemetry) return "Telemetry missing: no agent was named (--agent or the scenario's agent), so server telemetry was not collected.";
  if (telemetry.status === "missing") return `Telemetry missing: ${telemetry.errors[0] ?? `${telemetry.url} gave no data`}`;
  return `Telemetry missing: ${telemetry.source} ${telemetry.url} had no data for "${title}".`;
}
