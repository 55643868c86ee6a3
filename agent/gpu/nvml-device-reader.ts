/**
 * Reads every GPU through an open NvmlLibrary into GpuReadings. The hot path:
 * one set of scratch typed arrays allocated once and passed to NVML *directly*
 * (never a cached ptr(): Bun moves small typed arrays at JIT tier-up, oven-sh/bun#32054),
 * 64-bit fields read as bigint, identity strings decoded once per device.
 *
 * Error policy per call: SUCCESS -> value; NOT_SUPPORTED (and NO_PERMISSION) -> the
 * value is null for that device, logged once at debug; anything else (GPU_IS_LOST, ...)
 * -> the device is down for this sample and the other devices are still read.
 */
import type { Logger } from "../log.ts";
import type { GpuProcessReading, GpuReading, GpuXidCount } from "../sample.ts";
import { NvmlError } from "./nvml-error.ts";
import type { NvmlLibrary } from "./nvml-library.ts";
import { isUnsupported, NVML_ERROR_INSUFFICIENT_SIZE, NVML_ERROR_NO_PERMISSION, NVML_SUCCESS } from "./nvml-return.ts";

const NAME_BUFFER = 96; // NVML_DEVICE_NAME_V2_BUFFER_SIZE, also NVML_DEVICE_UUID_V2_BUFFER_SIZE
const VERSION_BUFFER = 80; // NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE
const MEMORY_V2_VERSION = 40 | (2 << 24); // NVML_STRUCT_VERSION(Memory, 2) = 0x02000028
const PROCESS_INFO_BYTES = 24; // nvmlProcessInfo_t (v2 layout, used by _v3)
const CLOCK = { graphics: 0, sm: 1, memory: 2, video: 3 } as const;

/** What the XID worker knows about one GPU: XID counts and the last PCIe throughput read. */
export interface GpuWorkerState {
  xidErrors(index: number): readonly GpuXidCount[];
  lastXid(index: number): number | null;
  pcie(index: number): { txBytesPerSecond: number; rxBytesPerSecond: number } | null;
}

/** A device that failed this sample: becomes a SourceError with target gpu<index>. */
export interface GpuDeviceFailure {
  readonly index: number;
  readonly error: NvmlError;
}

interface DeviceIdentity {
  handle: bigint | null;
  uuid: string;
  name: string;
  pciBusId: string;
  minorNumber: number | null;
}

export interface NvmlDeviceReaderOptions {
  readonly logger: Logger;
  /** /proc/<pid>/comm of a process, "" when unknown. */
  readonly commandOf: (pid: number) => string;
  readonly worker: GpuWorkerState;
}

/** Reads all devices of one NVML session; holds the scratch buffers and identity cache. */
export class NvmlDeviceReader {
  readonly deviceCount: number;
  readonly driverVersion: string;
  readonly nvmlVersion: string;
  readonly cudaDriverVersion: string;
  readonly #nvml: NvmlLibrary;
  readonly #options: NvmlDeviceReaderOptions;
  readonly #devices: DeviceIdentity[];
  /** GPUs whose handle NVML refuses with NO_PERMISSION (another container's): never served. */
  readonly #inaccessible = new Set<number>();
  /** "index\0function" pairs already logged as unsupported. */
  readonly #unsupportedLogged = new Set<string>();
  // Scratch out-parameters, reused by every call. Each is its own ArrayBuffer, read right after the call.
  readonly #u32 = new Uint32Array(1);
  readonly #u32b = new Uint32Array(1);
  readonly #u32c = new Uint32Array(1);
  readonly #u32d = new Uint32Array(1);
  readonly #u64 = new BigUint64Array(1);
  readonly #handle = new BigUint64Array(1);
  readonly #text = new Uint8Array(NAME_BUFFER);
  readonly #pci = new Uint8Array(68);
  readonly #memory = new BigUint64Array(5); // nvmlMemory_v2_t: version@0 total@8 reserved@16 free@24 used@32
  readonly #memoryV1 = new BigUint64Array(3); // nvmlMemory_t: total@0 free@8 used@16
  readonly #utilization = new Uint32Array(2);
  #processes = new Uint8Array(PROCESS_INFO_BYTES * 16);
  #processView = new DataView(this.#processes.buffer);
  readonly #decoder = new TextDecoder();

  constructor(nvml: NvmlLibrary, options: NvmlDeviceReaderOptions) {
    this.#nvml = nvml;
    this.#options = options;
    this.driverVersion = this.#systemString("nvmlSystemGetDriverVersion", (b, n) => nvml.core.nvmlSystemGetDriverVersion(b, n));
    this.nvmlVersion = this.#systemString("nvmlSystemGetNVMLVersion", (b, n) => nvml.core.nvmlSystemGetNVMLVersion(b, n));
    const cuda = nvml.optional.nvmlSystemGetCudaDriverVersion;
    const cudaOk = cuda !== undefined && cuda(this.#u32) === NVML_SUCCESS;
    // 12040 -> "12.4" (major = v / 1000, minor = (v % 1000) / 10).
    this.cudaDriverVersion = cudaOk ? `${Math.floor(this.#u32[0]! / 1000)}.${Math.floor((this.#u32[0]! % 1000) / 10)}` : "";
    const code = nvml.core.nvmlDeviceGetCount_v2(this.#u32);
    if (code !== NVML_SUCCESS) throw new NvmlError("nvmlDeviceGetCount_v2", code, nvml.describe(code));
    this.deviceCount = this.#u32[0]!;
    this.#devices = Array.from({ length: this.deviceCount }, () => ({ handle: null, uuid: "", name: "", pciBusId: "", minorNumber: null }));
  }

  /** Reads every device; one failing device is reported in `failures` and read as down. */
  read(): { gpus: GpuReading[]; failures: GpuDeviceFailure[] } {
    const gpus: GpuReading[] = [];
    const failures: GpuDeviceFailure[] = [];
    for (let index = 0; index < this.deviceCount; index++) {
      if (this.#inaccessible.has(index)) continue;
      try {
        gpus.push(this.#readDevice(index));
      } catch (error) {
        if (!(error instanceof NvmlError)) throw error;
        if (error.functionName === "nvmlDeviceGetHandleByIndex_v2" && error.code === NVML_ERROR_NO_PERMISSION) {
          // Counted but not ours: a container's cgroup hides the other GPUs (nvmlDeviceGetCount_v2 counts them all).
          this.#inaccessible.add(index);
          this.#options.logger.info(`GPU ${index} is not accessible to this process (${error.message}); not serving it`, { gpu: index });
          continue;
        }
        failures.push({ index, error });
        gpus.push(this.#down(index));
      }
    }
    return { gpus, failures };
  }

  #identify(index: number): DeviceIdentity {
    const device = this.#devices[index]!;
    if (device.handle !== null) return device;
    const { core, optional } = this.#nvml;
    this.#check("nvmlDeviceGetHandleByIndex_v2", core.nvmlDeviceGetHandleByIndex_v2(index, this.#handle));
    const handle = this.#handle[0]!;
    const name = this.#deviceString("nvmlDeviceGetName", core.nvmlDeviceGetName(handle, this.#text, NAME_BUFFER));
    const uuid = this.#deviceString("nvmlDeviceGetUUID", core.nvmlDeviceGetUUID(handle, this.#text, NAME_BUFFER));
    this.#check("nvmlDeviceGetPciInfo_v3", core.nvmlDeviceGetPciInfo_v3(handle, this.#pci));
    // nvmlPciInfo_t.busId: char[32] at offset 36.
    const pciBusId = this.#cString(this.#pci.subarray(36, 68));
    const minor = optional.nvmlDeviceGetMinorNumber;
    const minorNumber = minor && this.#value(index, "nvmlDeviceGetMinorNumber", minor(handle, this.#u32)) ? this.#u32[0]! : null;
    Object.assign(device, { handle, name, uuid, pciBusId, minorNumber });
    return device;
  }

  #readDevice(index: number): GpuReading {
    const id = this.#identify(index);
    const h = id.handle as bigint;
    const { core, optional: o } = this.#nvml;
    const u32 = this.#u32;
    const u64 = this.#u64;
    const readU32 = (fn: string, call: ((d: bigint, out: Uint32Array) => number) | undefined): number | null =>
      call && this.#value(index, fn, call(h, u32)) ? u32[0]! : null;
    const readU64 = (fn: string, call: ((d: bigint, out: BigUint64Array) => number) | undefined): number | null =>
      call && this.#value(index, fn, call(h, u64)) ? Number(u64[0]!) : null;
    const clock = (fn: string, call: typeof o.nvmlDeviceGetClockInfo, type: number): number | null =>
      call && this.#value(index, fn, call(h, type, u32)) ? u32[0]! : null;
    const ecc = (errorType: number, counterType: number): number | null =>
      o.nvmlDeviceGetTotalEccErrors && this.#value(index, "nvmlDeviceGetTotalEccErrors", o.nvmlDeviceGetTotalEccErrors(h, errorType, counterType, u64)) ? Number(u64[0]!) : null;

    const memory = this.#readMemory(index, h);
    const utilOk = this.#value(index, "nvmlDeviceGetUtilizationRates", core.nvmlDeviceGetUtilizationRates(h, this.#utilization));
    const temperature = this.#value(index, "nvmlDeviceGetTemperature", core.nvmlDeviceGetTemperature(h, 0, u32)) ? u32[0]! : null;
    const powerMw = this.#value(index, "nvmlDeviceGetPowerUsage", core.nvmlDeviceGetPowerUsage(h, u32)) ? u32[0]! : null;
    const enforcedMw = readU32("nvmlDeviceGetEnforcedPowerLimit", o.nvmlDeviceGetEnforcedPowerLimit);
    const managementMw = readU32("nvmlDeviceGetPowerManagementLimit", o.nvmlDeviceGetPowerManagementLimit);
    const energyMj = readU64("nvmlDeviceGetTotalEnergyConsumption", o.nvmlDeviceGetTotalEnergyConsumption);
    const fan = readU32("nvmlDeviceGetFanSpeed", o.nvmlDeviceGetFanSpeed);
    const reasonsFn = o.nvmlDeviceGetCurrentClocksEventReasons ? "nvmlDeviceGetCurrentClocksEventReasons" : "nvmlDeviceGetCurrentClocksThrottleReasons";
    const reasons = readU64(reasonsFn, o.nvmlDeviceGetCurrentClocksEventReasons ?? o.nvmlDeviceGetCurrentClocksThrottleReasons);
    const encoder = this.#codec(index, h, "nvmlDeviceGetEncoderUtilization", o.nvmlDeviceGetEncoderUtilization);
    const decoder = this.#codec(index, h, "nvmlDeviceGetDecoderUtilization", o.nvmlDeviceGetDecoderUtilization);
    const remapped = o.nvmlDeviceGetRemappedRows && this.#value(index, "nvmlDeviceGetRemappedRows", o.nvmlDeviceGetRemappedRows(h, this.#u32, this.#u32b, this.#u32c, this.#u32d));
    const remappedRows = remapped ? [this.#u32[0]!, this.#u32b[0]!, this.#u32c[0]!, this.#u32d[0]!] : null;
    const mig = o.nvmlDeviceGetMigMode && this.#value(index, "nvmlDeviceGetMigMode", o.nvmlDeviceGetMigMode(h, this.#u32, this.#u32b));
    const migModes = mig ? [this.#u32[0]!, this.#u32b[0]!] : null;
    const pcie = this.#options.worker.pcie(index);
    const worker = this.#options.worker;

    return {
      index,
      uuid: id.uuid,
      name: id.name,
      pciBusId: id.pciBusId,
      minorNumber: id.minorNumber,
      driverVersion: this.driverVersion,
      nvmlVersion: this.nvmlVersion,
      cudaDriverVersion: this.cudaDriverVersion,
      up: true,
      simulated: this.#nvml.simulated,
      memoryTotalBytes: memory?.total ?? null,
      memoryUsedBytes: memory?.used ?? null,
      memoryFreeBytes: memory?.free ?? null,
      memoryReservedBytes: memory?.reserved ?? null,
      utilizationGpuRatio: utilOk ? this.#utilization[0]! / 100 : null,
      utilizationMemoryRatio: utilOk ? this.#utilization[1]! / 100 : null,
      encoderUtilizationRatio: encoder === null ? null : encoder / 100,
      decoderUtilizationRatio: decoder === null ? null : decoder / 100,
      temperatureCelsius: temperature,
      powerWatts: powerMw === null ? null : powerMw / 1000,
      powerLimitWatts: enforcedMw === null ? null : enforcedMw / 1000,
      powerManagementLimitWatts: managementMw === null ? null : managementMw / 1000,
      energyMillijoulesTotal: energyMj,
      clockGraphicsMhz: clock("nvmlDeviceGetClockInfo", o.nvmlDeviceGetClockInfo, CLOCK.graphics),
      clockSmMhz: clock("nvmlDeviceGetClockInfo", o.nvmlDeviceGetClockInfo, CLOCK.sm),
      clockMemoryMhz: clock("nvmlDeviceGetClockInfo", o.nvmlDeviceGetClockInfo, CLOCK.memory),
      clockVideoMhz: clock("nvmlDeviceGetClockInfo", o.nvmlDeviceGetClockInfo, CLOCK.video),
      maxClockGraphicsMhz: clock("nvmlDeviceGetMaxClockInfo", o.nvmlDeviceGetMaxClockInfo, CLOCK.graphics),
      maxClockSmMhz: clock("nvmlDeviceGetMaxClockInfo", o.nvmlDeviceGetMaxClockInfo, CLOCK.sm),
      maxClockMemoryMhz: clock("nvmlDeviceGetMaxClockInfo", o.nvmlDeviceGetMaxClockInfo, CLOCK.memory),
      maxClockVideoMhz: clock("nvmlDeviceGetMaxClockInfo", o.nvmlDeviceGetMaxClockInfo, CLOCK.video),
      fanSpeedRatio: fan === null ? null : fan / 100,
      performanceState: readU32("nvmlDeviceGetPerformanceState", o.nvmlDeviceGetPerformanceState),
      clocksEventReasons: reasons,
      pcieTxBytesPerSecond: pcie?.txBytesPerSecond ?? null,
      pcieRxBytesPerSecond: pcie?.rxBytesPerSecond ?? null,
      pcieReplayTotal: readU32("nvmlDeviceGetPcieReplayCounter", o.nvmlDeviceGetPcieReplayCounter),
      eccCorrectedVolatileTotal: ecc(0, 0),
      eccUncorrectedVolatileTotal: ecc(1, 0),
      eccCorrectedAggregateTotal: ecc(0, 1),
      eccUncorrectedAggregateTotal: ecc(1, 1),
      retiredPagesSingleBitTotal: this.#retiredPages(index, h, 0),
      retiredPagesDoubleBitTotal: this.#retiredPages(index, h, 1),
      retiredPagesPending: flag(readU32("nvmlDeviceGetRetiredPagesPendingStatus", o.nvmlDeviceGetRetiredPagesPendingStatus)),
      remappedRowsCorrectableTotal: remappedRows?.[0] ?? null,
      remappedRowsUncorrectableTotal: remappedRows?.[1] ?? null,
      remappedRowsPending: remappedRows ? remappedRows[2] !== 0 : null,
      remappedRowsFailure: remappedRows ? remappedRows[3] !== 0 : null,
      computeMode: readU32("nvmlDeviceGetComputeMode", o.nvmlDeviceGetComputeMode),
      migModeCurrent: migModes?.[0] ?? null,
      migModePending: migModes?.[1] ?? null,
      processes: this.#readProcesses(index, h),
      xidErrors: worker.xidErrors(index),
      lastXid: worker.lastXid(index),
    };
  }

  #readMemory(index: number, h: bigint): { total: number; used: number; free: number; reserved: number | null } | null {
    const { core, optional } = this.#nvml;
    const v2 = optional.nvmlDeviceGetMemoryInfo_v2;
    if (v2) {
      this.#memory[0] = BigInt(MEMORY_V2_VERSION);
      const code = v2(h, this.#memory);
      // A driver that has the symbol but not the struct version answers 25; use v1 then.
      if (code === NVML_SUCCESS) {
        const m = this.#memory;
        return { total: Number(m[1]!), reserved: Number(m[2]!), free: Number(m[3]!), used: Number(m[4]!) };
      }
      if (!isUnsupported(code) && code !== 25) this.#check("nvmlDeviceGetMemoryInfo_v2", code);
    }
    if (!this.#value(index, "nvmlDeviceGetMemoryInfo", core.nvmlDeviceGetMemoryInfo(h, this.#memoryV1))) return null;
    const m = this.#memoryV1;
    return { total: Number(m[0]!), free: Number(m[1]!), used: Number(m[2]!), reserved: null };
  }

  #codec(index: number, h: bigint, fn: string, call: ((d: bigint, u: Uint32Array, p: Uint32Array) => number) | undefined): number | null {
    return call && this.#value(index, fn, call(h, this.#u32, this.#u32b)) ? this.#u32[0]! : null;
  }

  /** Retired-page count for one cause: the count query (pageCount 0, NULL addresses). */
  #retiredPages(index: number, h: bigint, cause: number): number | null {
    const call = this.#nvml.optional.nvmlDeviceGetRetiredPages;
    if (!call) return null;
    this.#u32[0] = 0;
    const code = call(h, cause, this.#u32, null);
    if (code === NVML_SUCCESS || code === NVML_ERROR_INSUFFICIENT_SIZE) return this.#u32[0]!;
    this.#value(index, "nvmlDeviceGetRetiredPages", code);
    return null;
  }

  /** Compute processes: ask the count (0, NULL), grow the buffer if needed, then read. */
  #readProcesses(index: number, h: bigint): GpuProcessReading[] {
    const o = this.#nvml.optional;
    const fn = o.nvmlDeviceGetComputeRunningProcesses_v3 ? "nvmlDeviceGetComputeRunningProcesses_v3" : "nvmlDeviceGetComputeRunningProcesses_v2";
    const call = o.nvmlDeviceGetComputeRunningProcesses_v3 ?? o.nvmlDeviceGetComputeRunningProcesses_v2;
    if (!call) return [];
    // Two tries: a process may start between the count query and the read.
    for (let attempt = 0; attempt < 2; attempt++) {
      this.#u32[0] = this.#processes.byteLength / PROCESS_INFO_BYTES;
      const code = call(h, this.#u32, this.#processes);
      if (code === NVML_ERROR_INSUFFICIENT_SIZE) {
        const needed = this.#u32[0]! + 8;
        this.#processes = new Uint8Array(needed * PROCESS_INFO_BYTES);
        this.#processView = new DataView(this.#processes.buffer);
        continue;
      }
      if (!this.#value(index, fn, code)) return [];
      const count = this.#u32[0]!;
      const view = this.#processView;
      const out: GpuProcessReading[] = [];
      for (let i = 0; i < count; i++) {
        const pid = view.getUint32(i * PROCESS_INFO_BYTES, true);
        const used = view.getBigUint64(i * PROCESS_INFO_BYTES + 8, true);
        // All ones = NVML_VALUE_NOT_AVAILABLE.
        out.push({ pid, command: this.#options.commandOf(pid), usedGpuMemoryBytes: used === 0xffffffffffffffffn ? null : Number(used) });
      }
      return out;
    }
    return [];
  }

  #down(index: number): GpuReading {
    const id = this.#devices[index]!;
    return {
      ...DOWN_VALUES,
      index,
      uuid: id.uuid,
      name: id.name,
      pciBusId: id.pciBusId,
      minorNumber: id.minorNumber,
      driverVersion: this.driverVersion,
      nvmlVersion: this.nvmlVersion,
      cudaDriverVersion: this.cudaDriverVersion,
      up: false,
      simulated: this.#nvml.simulated,
      processes: [],
      xidErrors: this.#options.worker.xidErrors(index),
      lastXid: this.#options.worker.lastXid(index),
    };
  }

  /** True on success, false when unsupported (logged once); throws NvmlError on any other failure. */
  #value(index: number, fn: string, code: number): boolean {
    if (code === NVML_SUCCESS) return true;
    if (isUnsupported(code)) {
      const key = `${index}\u0000${fn}`;
      if (!this.#unsupportedLogged.has(key)) {
        this.#unsupportedLogged.add(key);
        this.#options.logger.debug(`NVML ${fn} is not available on GPU ${index}; omitting its metric`, { gpu: index, code, reason: this.#nvml.describe(code) });
      }
      return false;
    }
    throw new NvmlError(fn, code, this.#nvml.describe(code));
  }

  #check(fn: string, code: number): void {
    if (code !== NVML_SUCCESS) throw new NvmlError(fn, code, this.#nvml.describe(code));
  }

  #deviceString(fn: string, code: number): string {
    this.#check(fn, code);
    return this.#cString(this.#text);
  }

  #systemString(fn: string, call: (buffer: Uint8Array, length: number) => number): string {
    const buffer = new Uint8Array(VERSION_BUFFER);
    const code = call(buffer, VERSION_BUFFER);
    return code === NVML_SUCCESS ? this.#cString(buffer) : "";
  }

  #cString(bytes: Uint8Array): string {
    const end = bytes.indexOf(0);
    return this.#decoder.decode(bytes.subarray(0, end < 0 ? bytes.length : end));
  }
}

function flag(value: number | null): boolean | null {
  return value === null ? null : value !== 0;
}

/** Every GpuReading value that is null on a down device. */
const NULLABLE_KEYS = [
  "memoryTotalBytes", "memoryUsedBytes", "memoryFreeBytes", "memoryReservedBytes", "utilizationGpuRatio", "utilizationMemoryRatio",
  "encoderUtilizationRatio", "decoderUtilizationRatio", "temperatureCelsius", "powerWatts", "powerLimitWatts", "powerManagementLimitWatts",
  "energyMillijoulesTotal", "clockGraphicsMhz", "clockSmMhz", "clockMemoryMhz", "clockVideoMhz", "maxClockGraphicsMhz", "maxClockSmMhz",
  "maxClockMemoryMhz", "maxClockVideoMhz", "fanSpeedRatio", "performanceState", "clocksEventReasons", "pcieTxBytesPerSecond",
  "pcieRxBytesPerSecond", "pcieReplayTotal", "eccCorrectedVolatileTotal", "eccUncorrectedVolatileTotal", "eccCorrectedAggregateTotal",
  "eccUncorrectedAggregateTotal", "retiredPagesSingleBitTotal", "retiredPagesDoubleBitTotal", "retiredPagesPending",
  "remappedRowsCorrectableTotal", "remappedRowsUncorrectableTotal", "remappedRowsPending", "remappedRowsFailure", "computeMode",
  "migModeCurrent", "migModePending",
] as const satisfies readonly (keyof GpuReading)[];

const DOWN_VALUES = Object.fromEntries(NULLABLE_KEYS.map((key) => [key, null])) as { readonly [K in (typeof NULLABLE_KEYS)[number]]: null };
