/**
 * The GPU source: NVML through bun:ffi behind the small interface the sampler
 * reads. Without a usable NVML (no library, driver not loaded, driver/library
 * mismatch) it still exists and reports one error per sample, which the sampler
 * logs once and turns into vigil_source_up{source="gpu"} 0, and tries again every
 * minute; the rest of the agent is unaffected. The blocking NVML calls (XID events, PCIe throughput) run in a Worker.
 */
import { readFileSync } from "node:fs";
import type { Logger } from "../log.ts";
import type { GpuReading, SourceError } from "../sample.ts";
import type { SourceResult } from "../sampler/sampler.ts";
import { NvmlDeviceReader } from "./nvml-device-reader.ts";
import { NvmlError, NvmlUnavailableError } from "./nvml-error.ts";
import { NvmlLibrary } from "./nvml-library.ts";
import { NVML_ERROR_GPU_IS_LOST } from "./nvml-return.ts";
import { XidWorker } from "./xid-worker-client.ts";

/** What the sampler needs from a GPU source. */
export interface GpuSource {
  read(signal: AbortSignal): Promise<SourceResult<GpuReading[]>>;
  /** Stops the worker and calls nvmlShutdown; idempotent. */
  close(): Promise<void>;
}

export interface GpuSourceOptions {
  /** Path or soname of libnvidia-ml (--nvml-library). */
  readonly libraryPath: string;
  /** procfs root, for /proc/<pid>/comm of GPU processes. */
  readonly procRoot: string;
  readonly logger: Logger;
  /** Run the XID/PCIe worker (default true); a one-shot sample does not need it. */
  readonly worker?: boolean;
  /** How often an unusable NVML is tried again; default 60 s, 0 never. */
  readonly retryIntervalMs?: number;
  /** Monotonic clock in ms, for the retry schedule (tests). */
  readonly now?: () => number;
}

/**
 * Opens NVML and returns a source; never throws. An unusable NVML becomes a source that
 * reports one error per sample and tries again every `retryIntervalMs` (the agent may
 * start before the driver's modules are loaded at boot); once NVML opens, it serves GPUs.
 */
export function openGpuSource(options: GpuSourceOptions): GpuSource {
  const opened = tryOpen(options);
  if (!("message" in opened)) return opened;
  const retryIntervalMs = options.retryIntervalMs ?? 60_000;
  const now = options.now ?? (() => performance.now());
  let errors: readonly SourceError[] = [{ source: "gpu", target: "", code: "nvml_unavailable", message: opened.message }];
  let nextTryMs = now() + retryIntervalMs;
  let live: GpuSource | null = null;
  let closed = false;
  return {
    async read(signal: AbortSignal): Promise<SourceResult<GpuReading[]>> {
      if (live) return live.read(signal);
      if (!closed && retryIntervalMs > 0 && now() >= nextTryMs) {
        nextTryMs = now() + retryIntervalMs;
        const again = tryOpen(options);
        if (!("message" in again)) {
          live = again;
          return live.read(signal);
        }
        // Same code, so the sampler does not log again; the message may say more now.
        errors = [{ ...errors[0]!, message: again.message }];
      }
      return { value: [], errors };
    },
    async close(): Promise<void> {
      closed = true;
      await live?.close();
    },
  };
}

/** The live source, or the one-line reason NVML cannot be used. */
function tryOpen(options: GpuSourceOptions): GpuSource | { readonly message: string } {
  let nvml: NvmlLibrary;
  let reader: NvmlDeviceReader;
  try {
    nvml = NvmlLibrary.open(options.libraryPath);
  } catch (error) {
    if (error instanceof NvmlUnavailableError) return { message: error.message };
    throw error;
  }
  if (nvml.missing.length > 0) options.logger.debug("NVML lacks optional functions; their metrics are omitted", { missing: nvml.missing.join(",") });
  const commands = new Map<number, string>();
  const commandOf = (pid: number): string => {
    let command = commands.get(pid);
    if (command === undefined) commands.set(pid, (command = readCommand(options.procRoot, pid)));
    return command;
  };
  const worker = options.worker === false ? null : new LazyWorker(options);
  try {
    reader = new NvmlDeviceReader(nvml, { logger: options.logger, commandOf, worker: worker ?? NO_WORKER });
  } catch (error) {
    nvml.shutdown();
    if (error instanceof NvmlError) return { message: `Cannot list GPUs through NVML (${options.libraryPath}): ${error.message}; serving no GPU metrics` };
    throw error;
  }
  worker?.start(reader.deviceCount);
  options.logger.info("NVML loaded", { library: options.libraryPath, gpus: reader.deviceCount, driver: reader.driverVersion, simulated: nvml.simulated || undefined });
  let closed = false;
  return {
    async read(): Promise<SourceResult<GpuReading[]>> {
      if (closed) return { value: [], errors: [] };
      const { gpus, failures } = reader.read();
      // Forget commands of processes that left every GPU (PIDs get reused).
      if (commands.size > 0) {
        const seen = new Set<number>();
        for (const gpu of gpus) for (const proc of gpu.processes) seen.add(proc.pid);
        for (const pid of commands.keys()) if (!seen.has(pid)) commands.delete(pid);
      }
      const errors: SourceError[] = failures.map(({ index, error }) => {
        const uuid = gpus.find((g) => g.index === index)?.uuid;
        return {
          source: "gpu",
          target: `gpu${index}`,
          code: error.code === NVML_ERROR_GPU_IS_LOST ? "gpu_lost" : "nvml_error",
          message: `Cannot read GPU ${index}${uuid ? ` (${uuid})` : ""}: ${error.message}`,
        };
      });
      return { value: gpus, errors };
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await worker?.stop();
      nvml.shutdown();
    },
  };
}

function readCommand(procRoot: string, pid: number): string {
  try {
    return readFileSync(`${procRoot}/${pid}/comm`, "utf8").trim();
  } catch {
    // Gone already, or in another PID namespace (a container): the label stays empty.
    return "";
  }
}

const NO_WORKER = { xidErrors: () => [], lastXid: () => null, pcie: () => null };

/** Starts the worker once the device count is known. */
class LazyWorker {
  readonly #options: GpuSourceOptions;
  #worker: XidWorker | null = null;

  constructor(options: GpuSourceOptions) {
    this.#options = options;
  }

  start(deviceCount: number): void {
    this.#worker = new XidWorker({ libraryPath: this.#options.libraryPath, deviceCount, logger: this.#options.logger });
  }

  xidErrors(index: number) {
    return this.#worker?.xidErrors(index) ?? [];
  }

  lastXid(index: number) {
    return this.#worker?.lastXid(index) ?? null;
  }

  pcie(index: number) {
    return this.#worker?.pcie(index) ?? null;
  }

  async stop(): Promise<void> {
    await this.#worker?.stop();
  }
}
