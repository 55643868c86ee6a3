/**
 * GPU readings under the hardware semantic conventions (semantic-conventions
 * model/hardware/gpu-metrics.yaml and common-metrics.yaml): hw.gpu.*, hw.power,
 * hw.energy, hw.errors, hw.temperature, each point with hw.id (the GPU UUID) and
 * hw.type=gpu. A value NVML did not give (null) is left out, never sent as 0.
 */
import type { Attributes } from "@opentelemetry/api";
import type { MetricData } from "@opentelemetry/sdk-metrics";
import type { GpuReading } from "../../sample.ts";
import { gauge, nonEmpty, type Point, type PointTimes, sum } from "./otlp-metric-data.ts";

function attributesOf(gpu: GpuReading): Attributes {
  return { "hw.id": gpu.uuid, "hw.type": "gpu", "hw.name": gpu.name, "hw.vendor": "NVIDIA", "hw.driver_version": gpu.driverVersion, "gpu.index": gpu.index };
}

/** Maps every GPU field that semconv names; the rest stay on /metrics only. */
export function gpuToOtlp(gpus: readonly GpuReading[], times: PointTimes): MetricData[] {
  if (gpus.length === 0) return [];
  const gaugeTimes = { startMs: times.timeMs, timeMs: times.timeMs };
  const usageTimes = { ...times, monotonic: false };
  const counterTimes = { ...times, monotonic: true };
  const rows = (value: (gpu: GpuReading) => number | null, extra: Attributes = {}): Point[] =>
    gpus.flatMap((gpu): Point[] => {
      const v = value(gpu);
      return v === null ? [] : [[{ ...attributesOf(gpu), ...extra }, v]];
    });
  const millijoules = (gpu: GpuReading) => (gpu.energyMillijoulesTotal === null ? null : gpu.energyMillijoulesTotal / 1000);
  return nonEmpty([
    gauge("hw.gpu.utilization", "1", "Fraction of time the GPU was busy, by task.", [
      ...rows((g) => g.utilizationGpuRatio, { "hw.gpu.task": "general" }),
      ...rows((g) => g.encoderUtilizationRatio, { "hw.gpu.task": "encoder" }),
      ...rows((g) => g.decoderUtilizationRatio, { "hw.gpu.task": "decoder" }),
    ], gaugeTimes),
    gauge("hw.gpu.memory.utilization", "1", "Fraction of time the GPU memory was being read or written.", rows((g) => g.utilizationMemoryRatio), gaugeTimes),
    sum("hw.gpu.memory.usage", "By", "GPU memory used.", rows((g) => g.memoryUsedBytes), usageTimes),
    sum("hw.gpu.memory.limit", "By", "Total GPU memory.", rows((g) => g.memoryTotalBytes), usageTimes),
    gauge("hw.power", "W", "Instantaneous power drawn by the GPU.", rows((g) => g.powerWatts), gaugeTimes),
    gauge("hw.power.limit", "W", "Enforced power limit of the GPU (not a semantic convention).", rows((g) => g.powerLimitWatts), gaugeTimes),
    sum("hw.energy", "J", "Energy consumed by the GPU since the driver loaded.", rows(millijoules), counterTimes),
    gauge("hw.temperature", "Cel", "GPU core temperature.", rows((g) => g.temperatureCelsius), gaugeTimes),
    sum("hw.errors", "{error}", "ECC errors since the driver loaded (volatile), by kind.", [
      ...rows((g) => g.eccCorrectedVolatileTotal, { "error.type": "corrected" }),
      ...rows((g) => g.eccUncorrectedVolatileTotal, { "error.type": "uncorrected" }),
    ], counterTimes),
    sum("hw.status", "1", "1 for the GPU's current state (ok when NVML answers, failed when the device is lost).", gpus.flatMap((gpu): Point[] => [
      [{ ...attributesOf(gpu), "hw.state": "ok" }, gpu.up ? 1 : 0],
      [{ ...attributesOf(gpu), "hw.state": "failed" }, gpu.up ? 0 : 1],
    ]), usageTimes),
  ]);
}
