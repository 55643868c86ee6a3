/**
 * The contract between a test (or the vLLM simulator) and the fake
 * `libnvidia-ml.so.1` in `fake-nvml.c`: a small text file, named by the
 * environment variable `VIGIL_FAKE_NVML_STATE`, that says what every fake GPU
 * reports. The fake re-reads it whenever its mtime or size changes, so writing a
 * new state (atomically, with `writeFakeNvmlState`) changes the next NVML call.
 *
 * Line format (one `key=value` per line, `#` starts a comment, unknown keys are
 * ignored so the format can grow; integers are decimal, or hex with `0x`):
 *
 *   simulated=1                          marker: this is a fake GPU, never a real one
 *   driver_version=580.95.05             nvmlSystemGetDriverVersion
 *   nvml_version=13.580.95.05            nvmlSystemGetNVMLVersion
 *   cuda_driver_version=13000            nvmlSystemGetCudaDriverVersion(_v2)
 *   error.<nvmlSymbol>=NVML_ERROR_...    library-wide failure of one function, e.g.
 *                                        error.nvmlInit_v2=NVML_ERROR_LIB_RM_VERSION_MISMATCH
 *   device_count=8                       nvmlDeviceGetCount_v2 (max 64)
 *   gpu.<i>.<field>=<value>              a device value (fields below, i = 0..count-1)
 *   gpu.<i>.error.<nvmlSymbol>=NVML_ERROR_NOT_SUPPORTED
 *                                        that function fails for that device; the symbol
 *                                        `*` makes every device function fail (GPU_IS_LOST)
 *   gpu.<i>.process.<k>.pid=1234         running compute process k (k = 0..63)
 *   gpu.<i>.process.<k>.used_gpu_memory_bytes=1073741824   (-1 = NVML_VALUE_NOT_AVAILABLE)
 *   gpu.<i>.xid.<eventId>=79             a pending XID event; eventId is a positive integer,
 *                                        unique in the file; each event set delivers it once
 *
 * Error values are NVML return-code names (`NVML_ERROR_GPU_IS_LOST`) or numbers (15).
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** NVML return codes the fake can be told to return, by their header names. */
export const NVML_RETURN_CODES = {
  NVML_SUCCESS: 0,
  NVML_ERROR_UNINITIALIZED: 1,
  NVML_ERROR_INVALID_ARGUMENT: 2,
  NVML_ERROR_NOT_SUPPORTED: 3,
  NVML_ERROR_NO_PERMISSION: 4,
  NVML_ERROR_NOT_FOUND: 6,
  NVML_ERROR_INSUFFICIENT_SIZE: 7,
  NVML_ERROR_INSUFFICIENT_POWER: 8,
  NVML_ERROR_DRIVER_NOT_LOADED: 9,
  NVML_ERROR_TIMEOUT: 10,
  NVML_ERROR_IRQ_ISSUE: 11,
  NVML_ERROR_LIBRARY_NOT_FOUND: 12,
  NVML_ERROR_FUNCTION_NOT_FOUND: 13,
  NVML_ERROR_CORRUPTED_INFOROM: 14,
  NVML_ERROR_GPU_IS_LOST: 15,
  NVML_ERROR_RESET_REQUIRED: 16,
  NVML_ERROR_OPERATING_SYSTEM: 17,
  NVML_ERROR_LIB_RM_VERSION_MISMATCH: 18,
  NVML_ERROR_IN_USE: 19,
  NVML_ERROR_MEMORY: 20,
  NVML_ERROR_NO_DATA: 21,
  NVML_ERROR_ARGUMENT_VERSION_MISMATCH: 25,
  NVML_ERROR_UNKNOWN: 999,
} as const;

export type NvmlReturnName = keyof typeof NVML_RETURN_CODES;

/** Per-function failures: exported NVML symbol name (or "*" for all device functions) -> return code. */
export type FakeNvmlErrors = Readonly<Record<string, NvmlReturnName>>;

/** The four clock domains NVML reports (`nvmlClockType_t`), in MHz. */
export interface FakeClocksMhz {
  readonly graphics: number;
  readonly sm: number;
  readonly memory: number;
  readonly video: number;
}

export interface FakeGpuProcess {
  readonly pid: number;
  /** null = NVML_VALUE_NOT_AVAILABLE (all-ones), as NVML reports without privileges. */
  readonly usedGpuMemoryBytes: number | null;
}

export interface FakeXidEvent {
  /** Positive integer unique within the file: the fake delivers each id once per event set. */
  readonly id: number;
  readonly xid: number;
}

/** Everything one fake GPU reports; every value the binding reads. */
export interface FakeGpu {
  readonly name: string;
  /** "GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" */
  readonly uuid: string;
  /** nvmlPciInfo_t.busId, "%08X:%02X:%02X.0", e.g. "00000000:17:00.0". */
  readonly pciBusId: string;
  /** (device id << 16) | vendor id, e.g. 0x233010de for an H100 SXM. */
  readonly pciDeviceId: number;
  readonly pciSubSystemId: number;
  readonly minorNumber: number;
  readonly memoryTotalBytes: number;
  /** v2 semantics: used excludes reserved; the fake's v1 call reports used + reserved as used. */
  readonly memoryUsedBytes: number;
  readonly memoryReservedBytes: number;
  readonly memoryFreeBytes: number;
  readonly utilizationGpuPercent: number;
  readonly utilizationMemoryPercent: number;
  readonly encoderUtilizationPercent: number;
  readonly decoderUtilizationPercent: number;
  readonly temperatureCelsius: number;
  readonly powerUsageMilliwatts: number;
  readonly enforcedPowerLimitMilliwatts: number;
  readonly powerManagementLimitMilliwatts: number;
  readonly totalEnergyMillijoules: number;
  readonly clocksMhz: FakeClocksMhz;
  readonly maxClocksMhz: FakeClocksMhz;
  readonly fanSpeedPercent: number;
  /** 0..15 (P0 = maximum performance), 32 = unknown. */
  readonly performanceState: number;
  /** nvmlClocksEventReasons bitmask (0x1 idle, 0x4 sw power cap, 0x8 hw slowdown, ...). */
  readonly clocksEventReasons: number;
  readonly pcieTxKilobytesPerSecond: number;
  readonly pcieRxKilobytesPerSecond: number;
  readonly pcieReplayCounter: number;
  readonly eccCorrectedVolatile: number;
  readonly eccUncorrectedVolatile: number;
  readonly eccCorrectedAggregate: number;
  readonly eccUncorrectedAggregate: number;
  readonly retiredPagesSingleBit: number;
  readonly retiredPagesDoubleBit: number;
  readonly retiredPagesPending: boolean;
  readonly remappedRowsCorrectable: number;
  readonly remappedRowsUncorrectable: number;
  readonly remappedRowsPending: boolean;
  readonly remappedRowsFailure: boolean;
  /** 0 default, 2 prohibited, 3 exclusive process. */
  readonly computeMode: number;
  readonly migModeCurrent: number;
  readonly migModePending: number;
  readonly processes: readonly FakeGpuProcess[];
  readonly xidEvents: readonly FakeXidEvent[];
  readonly errors: FakeNvmlErrors;
}

/** The whole fake driver: versions, library-wide failures and the devices. */
export interface FakeNvmlState {
  /** Always true: marks readings that come from the fake, never from hardware. */
  readonly simulated: true;
  readonly driverVersion: string;
  readonly nvmlVersion: string;
  /** CUDA driver version as NVML encodes it: 12040 = 12.4. */
  readonly cudaDriverVersion: number;
  /** Library-wide failures, e.g. { nvmlInit_v2: "NVML_ERROR_DRIVER_NOT_LOADED" }. */
  readonly errors: FakeNvmlErrors;
  readonly devices: readonly FakeGpu[];
}

/** Thrown when a state holds a value the fake cannot represent; names the field and value. */
export class FakeNvmlStateError extends Error {
  override readonly name = "FakeNvmlStateError";
}

const MAX_DEVICES = 64;
const MAX_PROCESSES = 64;
const MAX_XID_EVENTS = 1024;

/** Renders a state in the line format above. Throws FakeNvmlStateError on values the fake cannot hold. */
export function renderFakeNvmlState(state: FakeNvmlState): string {
  if (state.devices.length > MAX_DEVICES) throw new FakeNvmlStateError(`Cannot render fake NVML state: ${state.devices.length} devices, the fake holds at most ${MAX_DEVICES}`);
  const lines: string[] = ["# Vigil fake NVML state (test/fake-nvml/state-file.ts)", "simulated=1"];
  lines.push(`driver_version=${text("driverVersion", state.driverVersion, 79)}`);
  lines.push(`nvml_version=${text("nvmlVersion", state.nvmlVersion, 79)}`);
  lines.push(`cuda_driver_version=${int("cudaDriverVersion", state.cudaDriverVersion)}`);
  for (const [symbol, code] of Object.entries(state.errors)) lines.push(`error.${symbolName(symbol)}=${returnCode(symbol, code)}`);
  lines.push(`device_count=${state.devices.length}`);
  let xidEvents = 0;
  state.devices.forEach((gpu, i) => {
    const p = `gpu.${i}.`;
    const set = (key: string, value: string | number) => lines.push(`${p}${key}=${value}`);
    set("name", text(`devices[${i}].name`, gpu.name, 95));
    set("uuid", text(`devices[${i}].uuid`, gpu.uuid, 95));
    set("pci_bus_id", text(`devices[${i}].pciBusId`, gpu.pciBusId, 31));
    const ints: [string, string, number][] = [
      ["pci_device_id", "pciDeviceId", gpu.pciDeviceId],
      ["pci_subsystem_id", "pciSubSystemId", gpu.pciSubSystemId],
      ["minor_number", "minorNumber", gpu.minorNumber],
      ["memory_total_bytes", "memoryTotalBytes", gpu.memoryTotalBytes],
      ["memory_used_bytes", "memoryUsedBytes", gpu.memoryUsedBytes],
      ["memory_reserved_bytes", "memoryReservedBytes", gpu.memoryReservedBytes],
      ["memory_free_bytes", "memoryFreeBytes", gpu.memoryFreeBytes],
      ["utilization_gpu_percent", "utilizationGpuPercent", gpu.utilizationGpuPercent],
      ["utilization_memory_percent", "utilizationMemoryPercent", gpu.utilizationMemoryPercent],
      ["encoder_utilization_percent", "encoderUtilizationPercent", gpu.encoderUtilizationPercent],
      ["decoder_utilization_percent", "decoderUtilizationPercent", gpu.decoderUtilizationPercent],
      ["temperature_celsius", "temperatureCelsius", gpu.temperatureCelsius],
      ["power_usage_mw", "powerUsageMilliwatts", gpu.powerUsageMilliwatts],
      ["enforced_power_limit_mw", "enforcedPowerLimitMilliwatts", gpu.enforcedPowerLimitMilliwatts],
      ["power_management_limit_mw", "powerManagementLimitMilliwatts", gpu.powerManagementLimitMilliwatts],
      ["total_energy_mj", "totalEnergyMillijoules", gpu.totalEnergyMillijoules],
      ["clock_graphics_mhz", "clocksMhz.graphics", gpu.clocksMhz.graphics],
      ["clock_sm_mhz", "clocksMhz.sm", gpu.clocksMhz.sm],
      ["clock_memory_mhz", "clocksMhz.memory", gpu.clocksMhz.memory],
      ["clock_video_mhz", "clocksMhz.video", gpu.clocksMhz.video],
      ["max_clock_graphics_mhz", "maxClocksMhz.graphics", gpu.maxClocksMhz.graphics],
      ["max_clock_sm_mhz", "maxClocksMhz.sm", gpu.maxClocksMhz.sm],
      ["max_clock_memory_mhz", "maxClocksMhz.memory", gpu.maxClocksMhz.memory],
      ["max_clock_video_mhz", "maxClocksMhz.video", gpu.maxClocksMhz.video],
      ["fan_speed_percent", "fanSpeedPercent", gpu.fanSpeedPercent],
      ["performance_state", "performanceState", gpu.performanceState],
      ["clocks_event_reasons", "clocksEventReasons", gpu.clocksEventReasons],
      ["pcie_tx_kbps", "pcieTxKilobytesPerSecond", gpu.pcieTxKilobytesPerSecond],
      ["pcie_rx_kbps", "pcieRxKilobytesPerSecond", gpu.pcieRxKilobytesPerSecond],
      ["pcie_replay_counter", "pcieReplayCounter", gpu.pcieReplayCounter],
      ["ecc_corrected_volatile", "eccCorrectedVolatile", gpu.eccCorrectedVolatile],
      ["ecc_uncorrected_volatile", "eccUncorrectedVolatile", gpu.eccUncorrectedVolatile],
      ["ecc_corrected_aggregate", "eccCorrectedAggregate", gpu.eccCorrectedAggregate],
      ["ecc_uncorrected_aggregate", "eccUncorrectedAggregate", gpu.eccUncorrectedAggregate],
      ["retired_pages_single_bit", "retiredPagesSingleBit", gpu.retiredPagesSingleBit],
      ["retired_pages_double_bit", "retiredPagesDoubleBit", gpu.retiredPagesDoubleBit],
      ["retired_pages_pending", "retiredPagesPending", gpu.retiredPagesPending ? 1 : 0],
      ["remapped_rows_correctable", "remappedRowsCorrectable", gpu.remappedRowsCorrectable],
      ["remapped_rows_uncorrectable", "remappedRowsUncorrectable", gpu.remappedRowsUncorrectable],
      ["remapped_rows_pending", "remappedRowsPending", gpu.remappedRowsPending ? 1 : 0],
      ["remapped_rows_failure", "remappedRowsFailure", gpu.remappedRowsFailure ? 1 : 0],
      ["compute_mode", "computeMode", gpu.computeMode],
      ["mig_mode_current", "migModeCurrent", gpu.migModeCurrent],
      ["mig_mode_pending", "migModePending", gpu.migModePending],
    ];
    for (const [key, field, value] of ints) set(key, int(`devices[${i}].${field}`, value));
    if (gpu.processes.length > MAX_PROCESSES) throw new FakeNvmlStateError(`Cannot render fake NVML state: devices[${i}] has ${gpu.processes.length} processes, the fake holds at most ${MAX_PROCESSES}`);
    gpu.processes.forEach((proc, k) => {
      set(`process.${k}.pid`, int(`devices[${i}].processes[${k}].pid`, proc.pid));
      set(`process.${k}.used_gpu_memory_bytes`, proc.usedGpuMemoryBytes === null ? -1 : int(`devices[${i}].processes[${k}].usedGpuMemoryBytes`, proc.usedGpuMemoryBytes));
    });
    for (const event of gpu.xidEvents) {
      if (!Number.isSafeInteger(event.id) || event.id <= 0) throw new FakeNvmlStateError(`Cannot render fake NVML state: devices[${i}] XID event id must be a positive integer: current value is ${event.id}`);
      set(`xid.${event.id}`, int(`devices[${i}].xidEvents(id ${event.id}).xid`, event.xid));
      xidEvents += 1;
    }
    for (const [symbol, code] of Object.entries(gpu.errors)) set(`error.${symbolName(symbol)}`, returnCode(symbol, code));
  });
  if (xidEvents > MAX_XID_EVENTS) throw new FakeNvmlStateError(`Cannot render fake NVML state: ${xidEvents} XID events, the fake holds at most ${MAX_XID_EVENTS}`);
  return `${lines.join("\n")}\n`;
}

/**
 * Writes a state atomically (temp file + rename), so the fake never reads half a file.
 * Example: `writeFakeNvmlState(process.env.VIGIL_FAKE_NVML_STATE!, makeFakeNvmlState(8))`.
 */
export function writeFakeNvmlState(path: string, state: FakeNvmlState): void {
  const body = renderFakeNvmlState(state);
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(temp, body);
  renameSync(temp, path);
}

function int(field: string, value: number): string {
  if (!Number.isSafeInteger(value) || value < 0) throw new FakeNvmlStateError(`Cannot render fake NVML state: ${field} must be a non-negative integer: current value is ${value}`);
  return String(value);
}

function text(field: string, value: string, maxLength: number): string {
  if (value.length > maxLength || /[\r\n\0]/.test(value)) {
    throw new FakeNvmlStateError(`Cannot render fake NVML state: ${field} must be one line of at most ${maxLength} characters: current value is ${JSON.stringify(value)}`);
  }
  return value;
}

function symbolName(symbol: string): string {
  if (symbol !== "*" && !/^nvml[A-Za-z0-9_]+$/.test(symbol)) throw new FakeNvmlStateError(`Cannot render fake NVML state: error key must be an NVML symbol or "*": current value is ${JSON.stringify(symbol)}`);
  return symbol;
}

function returnCode(symbol: string, code: string): string {
  if (!(code in NVML_RETURN_CODES)) throw new FakeNvmlStateError(`Cannot render fake NVML state: error for ${symbol} must be an NVML return-code name: current value is ${JSON.stringify(code)}`);
  return code;
}
