/**
 * Server-side telemetry joined to the report's windows (issue 6): what the agent's timeline (or a
 * Prometheus server, for a fleet) said while the run happened, shifted onto the harness clock by the
 * estimated clock offset, one value per series per report window.
 *
 * A series that a source did not provide is listed with `available: false` and every window value of
 * it is `null`: missing data is never written as 0. `status` says whether the source answered at all.
 */

/** Every series the join produces, with how several GPUs, instances or points combine into one value. */
export const TELEMETRY_SERIES = {
  gpuUtilizationRatio: { label: "GPU utilization", unit: "ratio", group: "gpu", combine: "mean" },
  gpuMemoryUsedBytes: { label: "GPU memory used", unit: "bytes", group: "gpu", combine: "sum" },
  gpuPowerWatts: { label: "GPU power", unit: "W", group: "gpu", combine: "sum" },
  gpuPowerLimitWatts: { label: "GPU power limit", unit: "W", group: "gpu", combine: "sum" },
  gpuTemperatureCelsius: { label: "GPU temperature (hottest)", unit: "°C", group: "gpu", combine: "max" },
  gpuClockSmMhz: { label: "GPU SM clock (lowest)", unit: "MHz", group: "gpu", combine: "min" },
  gpuClockEventReasons: { label: "GPU clock event reasons (bitmask, OR over GPUs)", unit: "bitmask", group: "gpu", combine: "or" },
  kvCacheUsageRatio: { label: "KV-cache usage", unit: "ratio", group: "vllm", combine: "mean" },
  requestsRunning: { label: "vLLM running requests", unit: "count", group: "vllm", combine: "sum" },
  requestsWaiting: { label: "vLLM waiting requests", unit: "count", group: "vllm", combine: "sum" },
  preemptionsPerS: { label: "vLLM preemptions", unit: "1/s", group: "vllm", combine: "sum" },
  vllmTtftP50Ms: { label: "vLLM TTFT p50 (server histogram)", unit: "ms", group: "vllm", combine: "histogram" },
  vllmTtftP95Ms: { label: "vLLM TTFT p95 (server histogram)", unit: "ms", group: "vllm", combine: "histogram" },
  vllmQueueTimeP95Ms: { label: "vLLM queue time p95 (server histogram)", unit: "ms", group: "vllm", combine: "histogram" },
  vllmItlP95Ms: { label: "vLLM ITL p95 (server histogram)", unit: "ms", group: "vllm", combine: "histogram" },
  hostCpuUtilizationRatio: { label: "Host CPU utilization", unit: "ratio", group: "host", combine: "mean" },
  hostLoad1: { label: "Host load (1 min)", unit: "count", group: "host", combine: "sum" },
} as const satisfies Record<string, { label: string; unit: string; group: "gpu" | "vllm" | "host"; combine: "mean" | "sum" | "max" | "min" | "or" | "histogram" }>;

/** One of {@link TELEMETRY_SERIES}. */
export type TelemetrySeriesName = keyof typeof TELEMETRY_SERIES;

/** All series names in display order. */
export const TELEMETRY_SERIES_NAMES = Object.keys(TELEMETRY_SERIES) as TelemetrySeriesName[];

/** How the agent's clock relates to the harness's: agent time = harness time + `offsetMs` (± `uncertaintyMs`). */
export interface ClockOffsetEstimate {
  /** Estimated source clock minus harness clock, ms. */
  readonly offsetMs: number;
  /** Half-width of the interval the true offset lies in (given symmetric network delays are not assumed). */
  readonly uncertaintyMs: number;
  /** `serverTimeMs` (the agent's JSON field, ms resolution) or `date-header` (HTTP `Date`, 1 s resolution). */
  readonly method: "serverTimeMs" | "date-header";
  /** Probe requests used. */
  readonly probes: number;
  /** Shortest round trip among the probes, ms. */
  readonly minRoundTripMs: number;
}

/** Per-series availability: a series with no data from the source is `available: false`, never zeros. */
export interface TelemetrySeriesInfo {
  readonly name: TelemetrySeriesName;
  readonly label: string;
  readonly unit: string;
  readonly group: "gpu" | "vllm" | "host";
  /** True when at least one window has a value. */
  readonly available: boolean;
  /** Measured windows without a value (gaps). */
  readonly missingWindows: number;
}

/** One report window's telemetry: the report window `index`, then one value per series name (null = missing). */
export type TelemetryWindow = { readonly index: number } & Readonly<Partial<Record<TelemetrySeriesName, number | null>>>;

/** Pearson and Spearman coefficients between one client latency series and one telemetry series over the measured windows. */
export interface TelemetryCorrelation {
  /** Client series, e.g. `ttftMs.p95`, `outputTokensPerS`. */
  readonly client: string;
  readonly telemetry: TelemetrySeriesName;
  /** Windows where both had a value. */
  readonly n: number;
  /** null when n < 3 or either side is constant. */
  readonly pearson: number | null;
  readonly spearman: number | null;
}

/** A plain-language finding drawn from the joined data, with the window that shows it. */
export interface TelemetryFinding {
  readonly severity: "info" | "warning" | "error";
  /** Stable code: `latency-rise`, `power-at-limit`, `gpu-saturated`, `kv-cache-full`, `preemptions`, `clock-throttled`, `telemetry-missing`, ... */
  readonly code: string;
  readonly message: string;
  /** The evidence: report window indexes (inclusive) and the wall-clock (harness) time of the first one. */
  readonly evidence: { readonly fromWindow: number; readonly toWindow: number; readonly atEpochMs: number } | null;
}

/** A GPU as the source described it (from the agent's snapshot; Prometheus gives what `vigil_gpu_info` has). */
export interface TelemetryGpu {
  readonly instance: string;
  readonly index: number;
  readonly name: string;
  readonly uuid: string;
  /** True when the readings come from the fake NVML library (the demo's "simulated GPU"); null when the source cannot tell (Prometheus). */
  readonly simulated: boolean | null;
}

/** Server-side telemetry for the run's windows. */
export interface TelemetryReport {
  /** Where it came from. */
  readonly source: "agent" | "prometheus";
  /** Base URL of the agent or Prometheus server. */
  readonly url: string;
  /** The Prometheus label selector used (e.g. `{job="vigil"}`), null for an agent. */
  readonly selector: string | null;
  /** `ok`: data for the run; `partial`: some series or windows missing; `missing`: the source gave nothing (see `errors`). */
  readonly status: "ok" | "partial" | "missing";
  /** Estimated source clock minus harness clock; null when unknown (kept for readers of the first shape). */
  readonly clockOffsetMs: number | null;
  /** The full offset estimate, null when no probe succeeded. */
  readonly clockOffset: ClockOffsetEstimate | null;
  /** The source's sampling interval (agent `intervalMs`, or the Prometheus step), null when unknown. */
  readonly intervalMs: number | null;
  /** Timeline points (or Prometheus steps) received inside the run window. */
  readonly points: number;
  /** Instances the data came from (agent URL, or Prometheus `instance` labels). */
  readonly instances: readonly string[];
  readonly gpus: readonly TelemetryGpu[];
  /** Availability per series, in {@link TELEMETRY_SERIES_NAMES} order. */
  readonly series: readonly TelemetrySeriesInfo[];
  /** One entry per report window (same `index`), values by series name (null when missing). */
  readonly windows: readonly TelemetryWindow[];
  /** Client latency series against each available telemetry series. */
  readonly correlations: readonly TelemetryCorrelation[];
  /** What the joined data shows, most important first (also appended to the report's `findings`). */
  readonly findings: readonly TelemetryFinding[];
  /** Problems fetching or joining, one line each. */
  readonly errors: readonly string[];
}
