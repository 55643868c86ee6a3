/**
 * A Sample is one reading of every source at one moment: plain data that every
 * output (/metrics, the timeline, the JSON API, later OTLP and recorders) is a
 * pure view of. No output talks to a source.
 */
import type { MetricFamily } from "./exposition/family.ts";

/** CPU modes as node_exporter names them (`node_cpu_seconds_total{mode}`). */
export type CpuMode = "user" | "nice" | "system" | "idle" | "iowait" | "irq" | "softirq" | "steal";

export interface CpuReading {
  /** Logical CPU number as a string, the `cpu` label ("0", "1", ...). */
  readonly cpu: string;
  /** Seconds spent in each mode since boot; clamped so it never goes backwards. */
  readonly secondsByMode: Readonly<Record<CpuMode, number>>;
  /** Guest time (already included in user/nice by the kernel), node_cpu_guest_seconds_total. */
  readonly guestSeconds: number;
  readonly guestNiceSeconds: number;
}

export interface KernelStatReading {
  readonly contextSwitchesTotal: number;
  readonly interruptsTotal: number;
  readonly forksTotal: number;
  readonly procsRunning: number;
  readonly procsBlocked: number;
  readonly bootTimeSeconds: number;
}

/** One /proc/meminfo line: `MemTotal: 16384 kB` -> { field: "MemTotal", value: 16777216, unit: "bytes" }. */
export interface MeminfoEntry {
  /** Kernel field name with `(` `)` replaced by `_` as node_exporter does (`Active(anon)` -> `Active_anon`). */
  readonly field: string;
  readonly value: number;
  /** "bytes" for kB lines (converted), "count" for unitless lines such as HugePages_Total. */
  readonly unit: "bytes" | "count";
}

export interface LoadReading {
  readonly load1: number;
  readonly load5: number;
  readonly load15: number;
}

export interface FilesystemReading {
  readonly device: string;
  readonly fstype: string;
  readonly mountpoint: string;
  readonly sizeBytes: number;
  readonly freeBytes: number;
  readonly availBytes: number;
  readonly files: number;
  readonly filesFree: number;
  readonly readonly: boolean;
  /** statfs failed or is stuck (hung mount); the byte fields are 0 then and must not be exported. */
  readonly deviceError: boolean;
}

export interface NetworkReading {
  readonly device: string;
  readonly receiveBytesTotal: number;
  readonly receivePacketsTotal: number;
  readonly receiveErrsTotal: number;
  readonly receiveDropTotal: number;
  readonly transmitBytesTotal: number;
  readonly transmitPacketsTotal: number;
  readonly transmitErrsTotal: number;
  readonly transmitDropTotal: number;
}

/** Pressure stall information (/proc/pressure/*), totals in seconds. Absent kernels give null. */
export interface PressureReading {
  readonly cpuWaitingSecondsTotal: number;
  readonly ioWaitingSecondsTotal: number;
  readonly ioStalledSecondsTotal: number;
  readonly memoryWaitingSecondsTotal: number;
  readonly memoryStalledSecondsTotal: number;
}

export interface UnameReading {
  readonly sysname: string;
  readonly release: string;
  readonly version: string;
  readonly machine: string;
  readonly nodename: string;
}

/** A watched process: the vLLM server (found by its listening port or given by --vllm-pid). */
export interface ProcessReading {
  readonly pid: number;
  /** The vLLM target this process serves (base URL), or "" when given by pid only. */
  readonly target: string;
  /** Short command name from /proc/<pid>/comm. */
  readonly command: string;
  readonly cpuSecondsTotal: number;
  readonly residentMemoryBytes: number;
  readonly virtualMemoryBytes: number;
  readonly openFds: number;
  readonly threads: number;
  readonly startTimeSeconds: number;
}

export interface HostReading {
  readonly cpus: readonly CpuReading[];
  readonly stat: KernelStatReading;
  readonly meminfo: readonly MeminfoEntry[];
  readonly load: LoadReading;
  readonly filesystems: readonly FilesystemReading[];
  readonly networks: readonly NetworkReading[];
  readonly pressure: PressureReading | null;
  readonly uname: UnameReading;
  readonly processes: readonly ProcessReading[];
}

/** Cumulative histogram as vLLM exposes it, summed over its label sets (models, engines). */
export interface HistogramReading {
  /** Upper bounds of the finite buckets, increasing. */
  readonly upperBounds: readonly number[];
  /** Cumulative counts per finite bucket, then +Inf as the last element (length = upperBounds.length + 1). */
  readonly cumulativeCounts: readonly number[];
  readonly sum: number;
  readonly count: number;
}

/** The parts of one vLLM server's /metrics the harness correlates with, summed over models and engines. */
export interface VllmSummary {
  readonly requestsRunning: number | null;
  readonly requestsWaiting: number | null;
  /** vllm:kv_cache_usage_perc (0..1 despite the name; V0's gpu_cache_usage_perc as fallback). */
  readonly kvCacheUsageRatio: number | null;
  readonly preemptionsTotal: number | null;
  readonly promptTokensTotal: number | null;
  readonly generationTokensTotal: number | null;
  readonly requestSuccessTotal: number | null;
  readonly timeToFirstTokenSeconds: HistogramReading | null;
  readonly interTokenLatencySeconds: HistogramReading | null;
  readonly e2eRequestLatencySeconds: HistogramReading | null;
  readonly requestQueueTimeSeconds: HistogramReading | null;
}

export interface VllmReading {
  /** Base URL of the target, e.g. http://127.0.0.1:8000. */
  readonly target: string;
  readonly up: boolean;
  readonly scrapeDurationMs: number;
  /** Families to re-expose unchanged (latest sample only; not kept in the timeline). */
  readonly families: readonly MetricFamily[];
  readonly summary: VllmSummary | null;
}

/** A process using a GPU (NVML's compute processes), joined with /proc/<pid>/comm. */
export interface GpuProcessReading {
  readonly pid: number;
  /** /proc/<pid>/comm, or "" when the process is gone or in another PID namespace. */
  readonly command: string;
  /** null when NVML reports it as not available (no privileges, some MIG setups). */
  readonly usedGpuMemoryBytes: number | null;
}

/** XID errors seen on one GPU since the agent started, per XID code. */
export interface GpuXidCount {
  readonly xid: number;
  readonly count: number;
}

/**
 * One GPU as NVML reports it in one sample. A value is null when NVML does not
 * support it on this device (NOT_SUPPORTED) or when the device is down.
 */
export interface GpuReading {
  /** NVML index, the `gpu` label. */
  readonly index: number;
  readonly uuid: string;
  readonly name: string;
  /** nvmlPciInfo_t.busId, e.g. 00000000:17:00.0 (dcgm-exporter's pci_bus_id). */
  readonly pciBusId: string;
  /** /dev/nvidia<minor>; dcgm-exporter's `device` label is nvidia<index>. */
  readonly minorNumber: number | null;
  readonly driverVersion: string;
  readonly nvmlVersion: string;
  /** e.g. "13.0", from nvmlSystemGetCudaDriverVersion. */
  readonly cudaDriverVersion: string;
  /** False when an NVML call on this device failed (GPU_IS_LOST, ...): every value below is null then. */
  readonly up: boolean;
  /** True when the readings come from a fake NVML, never hardware (the fake's `simulated` marker). */
  readonly simulated: boolean;
  readonly memoryTotalBytes: number | null;
  /** Used, excluding reserved (nvmlMemory_v2_t); with the v1 call it includes reserved. */
  readonly memoryUsedBytes: number | null;
  readonly memoryFreeBytes: number | null;
  /** null before R510 drivers (no nvmlDeviceGetMemoryInfo_v2). */
  readonly memoryReservedBytes: number | null;
  readonly utilizationGpuRatio: number | null;
  readonly utilizationMemoryRatio: number | null;
  readonly encoderUtilizationRatio: number | null;
  readonly decoderUtilizationRatio: number | null;
  readonly temperatureCelsius: number | null;
  readonly powerWatts: number | null;
  /** Enforced power limit. */
  readonly powerLimitWatts: number | null;
  readonly powerManagementLimitWatts: number | null;
  /** Energy since the driver was loaded (counter), in millijoules as NVML reports it. */
  readonly energyMillijoulesTotal: number | null;
  readonly clockGraphicsMhz: number | null;
  readonly clockSmMhz: number | null;
  readonly clockMemoryMhz: number | null;
  readonly clockVideoMhz: number | null;
  readonly maxClockGraphicsMhz: number | null;
  readonly maxClockSmMhz: number | null;
  readonly maxClockMemoryMhz: number | null;
  readonly maxClockVideoMhz: number | null;
  readonly fanSpeedRatio: number | null;
  /** 0..15 (P0 = most performance); 32 = unknown. */
  readonly performanceState: number | null;
  /** nvmlClocksEventReasons bitmask (same bits as the older throttle reasons). */
  readonly clocksEventReasons: number | null;
  /** From the XID worker's periodic read (each read costs NVML ~20 ms, so it stays off the sampler). */
  readonly pcieTxBytesPerSecond: number | null;
  readonly pcieRxBytesPerSecond: number | null;
  readonly pcieReplayTotal: number | null;
  readonly eccCorrectedVolatileTotal: number | null;
  readonly eccUncorrectedVolatileTotal: number | null;
  readonly eccCorrectedAggregateTotal: number | null;
  readonly eccUncorrectedAggregateTotal: number | null;
  readonly retiredPagesSingleBitTotal: number | null;
  readonly retiredPagesDoubleBitTotal: number | null;
  readonly retiredPagesPending: boolean | null;
  readonly remappedRowsCorrectableTotal: number | null;
  readonly remappedRowsUncorrectableTotal: number | null;
  readonly remappedRowsPending: boolean | null;
  readonly remappedRowsFailure: boolean | null;
  /** nvmlComputeMode_t: 0 default, 2 prohibited, 3 exclusive process. */
  readonly computeMode: number | null;
  readonly migModeCurrent: number | null;
  readonly migModePending: number | null;
  readonly processes: readonly GpuProcessReading[];
  readonly xidErrors: readonly GpuXidCount[];
  /** The last XID seen (dcgm-exporter's DCGM_FI_DEV_XID_ERRORS), null before any. */
  readonly lastXid: number | null;
}

export type SourceName = "host" | "vllm" | "gpu";

/** Health of one source in one sample: feeds vigil_source_up and vigil_source_duration_seconds. */
export interface SourceStatus {
  readonly source: SourceName;
  readonly up: boolean;
  readonly durationMs: number;
}

/** A failure inside a sample: the sample is still served, with this entry. */
export interface SourceError {
  readonly source: SourceName;
  /** The vLLM target or the sub-collector (e.g. "filesystem") that failed, else "". */
  readonly target: string;
  /** Stable machine-readable code, e.g. "timeout", "http_status", "body_too_large", "parse". */
  readonly code: string;
  readonly message: string;
}

export interface Sample {
  /** Wall-clock time the sample started, ms since the epoch. */
  readonly timeMs: number;
  /** How long taking the sample took (monotonic), ms. */
  readonly durationMs: number;
  readonly gpus: readonly GpuReading[];
  readonly host: HostReading | null;
  readonly vllm: readonly VllmReading[];
  readonly sources: readonly SourceStatus[];
  readonly errors: readonly SourceError[];
}
