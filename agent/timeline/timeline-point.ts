/**
 * What the timeline keeps of a Sample: everything the harness correlates with,
 * compacted so an hour at 1 s stays a few MB even on a 256-CPU host (per-CPU
 * times are summed, filesystems and re-exposed families are left to /metrics).
 */
import type { CpuMode, GpuReading, HistogramReading, PressureReading, ProcessReading, Sample, SourceError, SourceStatus, VllmSummary } from "../sample.ts";

export interface TimelineHost {
  readonly cpuCount: number;
  /** Seconds by mode summed over all CPUs (node_cpu_seconds_total summed over `cpu`). */
  readonly cpuSecondsByMode: Readonly<Record<CpuMode, number>>;
  readonly memoryTotalBytes: number | null;
  readonly memoryAvailableBytes: number | null;
  readonly load1: number;
  /** Sums over network devices other than lo. */
  readonly networkReceiveBytesTotal: number;
  readonly networkTransmitBytesTotal: number;
  readonly pressure: PressureReading | null;
  readonly processes: readonly ProcessReading[];
}

export interface TimelineVllm {
  readonly target: string;
  readonly up: boolean;
  readonly scrapeDurationMs: number;
  readonly summary: VllmSummary | null;
}

/** The per-GPU summary the harness correlates with (the rest of GpuReading stays on /metrics). */
export interface TimelineGpu {
  readonly index: number;
  readonly uuid: string;
  readonly up: boolean;
  readonly utilizationGpuRatio: number | null;
  readonly memoryUsedBytes: number | null;
  readonly memoryTotalBytes: number | null;
  readonly powerWatts: number | null;
  readonly powerLimitWatts: number | null;
  readonly temperatureCelsius: number | null;
  readonly clockSmMhz: number | null;
  readonly clockMemoryMhz: number | null;
  readonly clockGraphicsMhz: number | null;
  /** nvmlClocksEventReasons bitmask. */
  readonly clocksEventReasons: number | null;
}

export interface TimelinePoint {
  readonly timeMs: number;
  readonly durationMs: number;
  readonly gpus: readonly TimelineGpu[];
  readonly host: TimelineHost | null;
  readonly vllm: readonly TimelineVllm[];
  readonly sources: readonly SourceStatus[];
  readonly errors: readonly SourceError[];
}

const MODES: readonly CpuMode[] = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"];

/**
 * Compacts a sample for the timeline. `internBounds` shares identical histogram
 * bucket-bound arrays between points (they never change between scrapes).
 */
export function toTimelinePoint(sample: Sample, internBounds: (bounds: readonly number[]) => readonly number[] = (b) => b): TimelinePoint {
  return {
    timeMs: sample.timeMs,
    durationMs: sample.durationMs,
    gpus: sample.gpus.map(compactGpu),
    host: sample.host ? compactHost(sample.host) : null,
    vllm: sample.vllm.map((v) => ({ target: v.target, up: v.up, scrapeDurationMs: v.scrapeDurationMs, summary: v.summary ? internSummary(v.summary, internBounds) : null })),
    sources: sample.sources,
    errors: sample.errors,
  };
}

function compactGpu(gpu: GpuReading): TimelineGpu {
  return {
    index: gpu.index,
    uuid: gpu.uuid,
    up: gpu.up,
    utilizationGpuRatio: gpu.utilizationGpuRatio,
    memoryUsedBytes: gpu.memoryUsedBytes,
    memoryTotalBytes: gpu.memoryTotalBytes,
    powerWatts: gpu.powerWatts,
    powerLimitWatts: gpu.powerLimitWatts,
    temperatureCelsius: gpu.temperatureCelsius,
    clockSmMhz: gpu.clockSmMhz,
    clockMemoryMhz: gpu.clockMemoryMhz,
    clockGraphicsMhz: gpu.clockGraphicsMhz,
    clocksEventReasons: gpu.clocksEventReasons,
  };
}

function compactHost(host: NonNullable<Sample["host"]>): TimelineHost {
  const cpuSecondsByMode = Object.fromEntries(MODES.map((mode) => [mode, 0])) as Record<CpuMode, number>;
  for (const cpu of host.cpus) for (const mode of MODES) cpuSecondsByMode[mode] += cpu.secondsByMode[mode];
  const meminfo = (field: string): number | null => host.meminfo.find((entry) => entry.field === field)?.value ?? null;
  let networkReceiveBytesTotal = 0;
  let networkTransmitBytesTotal = 0;
  for (const net of host.networks) {
    if (net.device === "lo") continue;
    networkReceiveBytesTotal += net.receiveBytesTotal;
    networkTransmitBytesTotal += net.transmitBytesTotal;
  }
  return {
    cpuCount: host.cpus.length,
    cpuSecondsByMode,
    memoryTotalBytes: meminfo("MemTotal"),
    memoryAvailableBytes: meminfo("MemAvailable"),
    load1: host.load.load1,
    networkReceiveBytesTotal,
    networkTransmitBytesTotal,
    pressure: host.pressure,
    processes: host.processes,
  };
}

function internSummary(summary: VllmSummary, intern: (bounds: readonly number[]) => readonly number[]): VllmSummary {
  const h = (reading: HistogramReading | null): HistogramReading | null => (reading ? { ...reading, upperBounds: intern(reading.upperBounds) } : null);
  return {
    ...summary,
    timeToFirstTokenSeconds: h(summary.timeToFirstTokenSeconds),
    interTokenLatencySeconds: h(summary.interTokenLatencySeconds),
    e2eRequestLatencySeconds: h(summary.e2eRequestLatencySeconds),
    requestQueueTimeSeconds: h(summary.requestQueueTimeSeconds),
  };
}
