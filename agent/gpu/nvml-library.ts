/**
 * libnvidia-ml.so.1 through bun:ffi: a core map of symbols every supported driver
 * exports (one dlopen; a missing one means "no usable NVML"), then each newer or
 * optional symbol probed with its own dlopen, because one missing symbol in a map
 * makes Bun's dlopen throw (reference/nvml-dcgm-bunffi.md §3.4). ld.so ref-counts
 * the handle, so the probes are cheap. Only versioned names are bound: the old
 * unversioned ones have other struct layouts.
 *
 * A class because the session has a lifecycle: open + nvmlInit_v2, then
 * nvmlShutdown + close, once.
 */
import { dlopen, FFIType as T, type Library } from "bun:ffi";
import { NvmlUnavailableError } from "./nvml-error.ts";

const CORE = {
  nvmlInit_v2: { args: [], returns: T.i32 },
  nvmlShutdown: { args: [], returns: T.i32 },
  nvmlErrorString: { args: [T.i32], returns: T.cstring },
  nvmlSystemGetDriverVersion: { args: [T.ptr, T.u32], returns: T.i32 },
  nvmlSystemGetNVMLVersion: { args: [T.ptr, T.u32], returns: T.i32 },
  nvmlDeviceGetCount_v2: { args: [T.ptr], returns: T.i32 },
  nvmlDeviceGetHandleByIndex_v2: { args: [T.u32, T.ptr], returns: T.i32 },
  nvmlDeviceGetName: { args: [T.ptr, T.ptr, T.u32], returns: T.i32 },
  nvmlDeviceGetUUID: { args: [T.ptr, T.ptr, T.u32], returns: T.i32 },
  nvmlDeviceGetPciInfo_v3: { args: [T.ptr, T.ptr], returns: T.i32 },
  nvmlDeviceGetMemoryInfo: { args: [T.ptr, T.ptr], returns: T.i32 },
  nvmlDeviceGetUtilizationRates: { args: [T.ptr, T.ptr], returns: T.i32 },
  nvmlDeviceGetTemperature: { args: [T.ptr, T.i32, T.ptr], returns: T.i32 },
  nvmlDeviceGetPowerUsage: { args: [T.ptr, T.ptr], returns: T.i32 },
} as const;

const OPTIONAL = {
  nvmlSystemGetCudaDriverVersion: { args: [T.ptr], returns: T.i32 },
  nvmlDeviceGetMinorNumber: { args: [T.ptr, T.ptr], returns: T.i32 },
  // R510+; older drivers fall back to nvmlDeviceGetMemoryInfo (used includes reserved).
  nvmlDeviceGetMemoryInfo_v2: { args: [T.ptr, T.ptr], returns: T.i32 },
  nvmlDeviceGetEncoderUtilization: { args: [T.ptr, T.ptr, T.ptr], returns: T.i32 },
  nvmlDeviceGetDecoderUtilization: { args: [T.ptr, T.ptr, T.ptr], returns: T.i32 },
  nvmlDeviceGetEnforcedPowerLimit: { args: [T.ptr, T.ptr], returns: T.i32 },
  nvmlDeviceGetPowerManagementLimit: { args: [T.ptr, T.ptr], returns: T.i32 },
  nvmlDeviceGetTotalEnergyConsumption: { args: [T.ptr, T.ptr], returns: T.i32 },
  nvmlDeviceGetClockInfo: { args: [T.ptr, T.i32, T.ptr], returns: T.i32 },
  nvmlDeviceGetMaxClockInfo: { args: [T.ptr, T.i32, T.ptr], returns: T.i32 },
  nvmlDeviceGetFanSpeed: { args: [T.ptr, T.ptr], returns: T.i32 },
  nvmlDeviceGetPerformanceState: { args: [T.ptr, T.ptr], returns: T.i32 },
  // R535+ name; the same bits as the deprecated throttle-reasons call, the fallback.
  nvmlDeviceGetCurrentClocksEventReasons: { args: [T.ptr, T.ptr], returns: T.i32 },
  nvmlDeviceGetCurrentClocksThrottleReasons: { args: [T.ptr, T.ptr], returns: T.i32 },
  nvmlDeviceGetPcieThroughput: { args: [T.ptr, T.i32, T.ptr], returns: T.i32 },
  nvmlDeviceGetPcieReplayCounter: { args: [T.ptr, T.ptr], returns: T.i32 },
  nvmlDeviceGetTotalEccErrors: { args: [T.ptr, T.i32, T.i32, T.ptr], returns: T.i32 },
  nvmlDeviceGetRetiredPages: { args: [T.ptr, T.i32, T.ptr, T.ptr], returns: T.i32 },
  nvmlDeviceGetRetiredPagesPendingStatus: { args: [T.ptr, T.ptr], returns: T.i32 },
  nvmlDeviceGetRemappedRows: { args: [T.ptr, T.ptr, T.ptr, T.ptr, T.ptr], returns: T.i32 },
  nvmlDeviceGetComputeMode: { args: [T.ptr, T.ptr], returns: T.i32 },
  nvmlDeviceGetMigMode: { args: [T.ptr, T.ptr, T.ptr], returns: T.i32 },
  // _v3 and _v2 share the 24-byte nvmlProcessInfo_t; _v2 is the fallback for pre-R510 drivers.
  nvmlDeviceGetComputeRunningProcesses_v3: { args: [T.ptr, T.ptr, T.ptr], returns: T.i32 },
  nvmlDeviceGetComputeRunningProcesses_v2: { args: [T.ptr, T.ptr, T.ptr], returns: T.i32 },
  nvmlEventSetCreate: { args: [T.ptr], returns: T.i32 },
  nvmlDeviceRegisterEvents: { args: [T.ptr, T.u64, T.ptr], returns: T.i32 },
  nvmlEventSetWait_v2: { args: [T.ptr, T.ptr, T.u32], returns: T.i32 },
  nvmlEventSetFree: { args: [T.ptr], returns: T.i32 },
  // Not NVML: only the test fake (test/fake-nvml) exports it, which marks readings as simulated.
  vigilFakeNvmlSetStatePath: { args: [T.cstring], returns: T.void },
} as const;

type CoreSymbols = Library<typeof CORE>["symbols"];
type OptionalSymbols = Partial<Library<typeof OPTIONAL>["symbols"]>;

/** An open, initialised NVML session. */
export class NvmlLibrary {
  readonly path: string;
  readonly core: CoreSymbols;
  readonly optional: OptionalSymbols;
  /** Optional symbols this library lacks (older drivers), for one debug line. */
  readonly missing: readonly string[];
  readonly #libraries: Library<Record<string, never>>[];
  #open = true;

  private constructor(path: string, core: Library<typeof CORE>, optional: OptionalSymbols, missing: string[], libraries: Library<Record<string, never>>[]) {
    this.path = path;
    this.core = core.symbols;
    this.optional = optional;
    this.missing = missing;
    this.#libraries = [core as unknown as Library<Record<string, never>>, ...libraries];
  }

  /**
   * dlopens `path` (a soname searches the system path) and calls nvmlInit_v2.
   * Throws NvmlUnavailableError with one operator-readable line when that fails.
   */
  static open(path: string): NvmlLibrary {
    let core: Library<typeof CORE>;
    try {
      core = dlopen(path, CORE);
    } catch (error) {
      // For a bare soname Bun retries <cwd>/<name> and reports that failure, which would send an operator to the wrong place.
      const reason = !path.includes("/") && (error as { code?: string }).code === "ERR_DLOPEN_FAILED"
        ? "not found in the system library path (is the NVIDIA driver installed? --nvml-library PATH names another)"
        : error instanceof Error ? error.message : String(error);
      throw new NvmlUnavailableError(`Cannot load NVML from ${path}: ${reason}; serving no GPU metrics`, { cause: error });
    }
    const optional: Record<string, unknown> = {};
    const missing: string[] = [];
    const libraries: Library<Record<string, never>>[] = [];
    for (const [name, definition] of Object.entries(OPTIONAL)) {
      try {
        const lib = dlopen(path, { [name]: definition });
        optional[name] = lib.symbols[name];
        libraries.push(lib as unknown as Library<Record<string, never>>);
      } catch {
        // Absent on this driver: the metric it feeds is omitted (listed in `missing`, logged at debug).
        missing.push(name);
      }
    }
    const library = new NvmlLibrary(path, core, optional as OptionalSymbols, missing, libraries);
    const code = library.core.nvmlInit_v2();
    if (code !== 0) {
      const description = library.describe(code);
      library.#close();
      throw new NvmlUnavailableError(`Cannot initialise NVML from ${path}: nvmlInit_v2 returned ${description} (NVML code ${code}); serving no GPU metrics`);
    }
    return library;
  }

  /** nvmlErrorString of a code, e.g. "GPU is lost". */
  describe(code: number): string {
    return this.core.nvmlErrorString(code) ?? `NVML error ${code}`;
  }

  /** True for the test fake (it exports vigilFakeNvmlSetStatePath). */
  get simulated(): boolean {
    return this.optional.vigilFakeNvmlSetStatePath !== undefined;
  }

  /** nvmlShutdown, then closes every handle. Idempotent. Call only when no other thread is inside NVML. */
  shutdown(): void {
    if (!this.#open) return;
    this.core.nvmlShutdown();
    this.#close();
  }

  #close(): void {
    this.#open = false;
    for (const lib of this.#libraries) lib.close();
  }
}
