/**
 * The agent's timeline point (agent/timeline/timeline-point.ts) as a TelemetrySample: GPUs that are
 * up and vLLM targets that answered are combined; a GPU or target that is down contributes nothing,
 * so its series is missing rather than 0.
 */
import type { HistogramReading } from "../../agent/sample.ts";
import type { TimelinePoint } from "../../agent/timeline/timeline-point.ts";
import { TELEMETRY_SERIES } from "../report/telemetry-types.ts";
import { type CombineRule, combineValues } from "./combine-values.ts";
import type { CounterName, GaugeSeries, HistogramName, TelemetrySample } from "./telemetry-sample.ts";
import { sumHistograms } from "./sum-histograms.ts";

/** Converts one timeline point. */
export function fromTimelinePoint(point: TimelinePoint): TelemetrySample {
  const gauges: Partial<Record<GaugeSeries, number>> = {};
  const counters: Partial<Record<CounterName, number>> = {};
  const histograms: Partial<Record<HistogramName, HistogramReading>> = {};
  const set = (name: GaugeSeries, values: readonly (number | null | undefined)[]) => {
    const present = values.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
    const value = combineValues(present, TELEMETRY_SERIES[name].combine as CombineRule);
    if (value !== undefined) gauges[name] = value;
  };
  const gpus = point.gpus.filter((g) => g.up);
  set("gpuUtilizationRatio", gpus.map((g) => g.utilizationGpuRatio));
  set("gpuMemoryUsedBytes", gpus.map((g) => g.memoryUsedBytes));
  set("gpuPowerWatts", gpus.map((g) => g.powerWatts));
  set("gpuPowerLimitWatts", gpus.map((g) => g.powerLimitWatts));
  set("gpuTemperatureCelsius", gpus.map((g) => g.temperatureCelsius));
  set("gpuClockSmMhz", gpus.map((g) => g.clockSmMhz));
  set("gpuClockEventReasons", gpus.map((g) => g.clocksEventReasons));

  const summaries = point.vllm.filter((v) => v.up && v.summary !== null).map((v) => v.summary!);
  set("kvCacheUsageRatio", summaries.map((s) => s.kvCacheUsageRatio));
  set("requestsRunning", summaries.map((s) => s.requestsRunning));
  set("requestsWaiting", summaries.map((s) => s.requestsWaiting));
  const preemptions = summaries.map((s) => s.preemptionsTotal).filter((v): v is number => v !== null);
  if (preemptions.length > 0) counters.preemptionsTotal = preemptions.reduce((a, b) => a + b, 0);
  const histogram = (name: HistogramName, pick: (s: (typeof summaries)[number]) => HistogramReading | null) => {
    const merged = sumHistograms(summaries.map(pick).filter((h): h is HistogramReading => h !== null));
    if (merged) histograms[name] = merged;
  };
  histogram("ttftSeconds", (s) => s.timeToFirstTokenSeconds);
  histogram("queueTimeSeconds", (s) => s.requestQueueTimeSeconds);
  histogram("itlSeconds", (s) => s.interTokenLatencySeconds);

  if (point.host) {
    const modes = point.host.cpuSecondsByMode;
    const total = Object.values(modes).reduce((a, b) => a + b, 0);
    // Busy = everything but idle and iowait (iowait is idle time with I/O outstanding), as `top` counts it.
    counters.cpuSecondsTotal = total;
    counters.cpuBusySecondsTotal = total - modes.idle - modes.iowait;
    set("hostLoad1", [point.host.load1]);
  }
  return { timeMs: point.timeMs, gauges, counters, histograms };
}
