/**
 * The source-neutral shape the window join works on: one reading of one instance at one moment,
 * already combined over that instance's GPUs and vLLM targets. The agent's timeline points
 * (`fromTimelinePoint`) and Prometheus `query_range` steps (`fromPrometheusRange`) both become these,
 * so the join, the quantiles and the findings have one implementation.
 */
import type { HistogramReading } from "../../agent/sample.ts";
import type { TelemetrySeriesName } from "../report/telemetry-types.ts";

/** Series read as an instantaneous value (combined over GPUs/targets by the series' `combine` rule). */
export const GAUGE_SERIES = [
  "gpuUtilizationRatio",
  "gpuMemoryUsedBytes",
  "gpuPowerWatts",
  "gpuPowerLimitWatts",
  "gpuTemperatureCelsius",
  "gpuClockSmMhz",
  "gpuClockEventReasons",
  "kvCacheUsageRatio",
  "requestsRunning",
  "requestsWaiting",
  "hostLoad1",
] as const satisfies readonly TelemetrySeriesName[];

/** One of {@link GAUGE_SERIES}. */
export type GaugeSeries = (typeof GAUGE_SERIES)[number];

/** Cumulative counters; per-window values are differences (resets handled). */
export const COUNTERS = ["preemptionsTotal", "cpuBusySecondsTotal", "cpuSecondsTotal"] as const;

/** One of {@link COUNTERS}. */
export type CounterName = (typeof COUNTERS)[number];

/** vLLM's cumulative histograms (seconds); per-window quantiles come from bucket deltas. */
export const HISTOGRAMS = ["ttftSeconds", "queueTimeSeconds", "itlSeconds"] as const;

/** One of {@link HISTOGRAMS}. */
export type HistogramName = (typeof HISTOGRAMS)[number];

/** One instance's reading at `timeMs` on the source's clock. An absent key means the source did not have it. */
export interface TelemetrySample {
  /** Source clock, ms since the epoch. */
  readonly timeMs: number;
  readonly gauges: Readonly<Partial<Record<GaugeSeries, number>>>;
  readonly counters: Readonly<Partial<Record<CounterName, number>>>;
  readonly histograms: Readonly<Partial<Record<HistogramName, HistogramReading>>>;
}

/** All samples of one instance (one agent, or one Prometheus `instance`), in time order. */
export interface TelemetryStream {
  readonly instance: string;
  readonly samples: readonly TelemetrySample[];
}
