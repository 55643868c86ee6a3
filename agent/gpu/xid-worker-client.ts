/**
 * The main-thread side of xid-worker.ts: starts the Worker, counts XID events per
 * (gpu, xid), keeps the latest PCIe throughput per GPU, and stops the worker cleanly
 * (its loop ends within one wait step; only then may nvmlShutdown run on this thread).
 */
import type { Logger } from "../log.ts";
import type { GpuXidCount } from "../sample.ts";
import type { GpuWorkerState } from "./nvml-device-reader.ts";
import type { XidWorkerMessage, XidWorkerStart } from "./xid-worker.ts";

export interface XidWorkerOptions {
  readonly libraryPath: string;
  readonly deviceCount: number;
  readonly logger: Logger;
  /** Longest single nvmlEventSetWait_v2; bounds how long stop() waits. Default 250 ms. */
  readonly waitTimeoutMs?: number;
  /** How often to read PCIe throughput (each read blocks the worker ~20 ms per GPU and direction). Default 2 s. */
  readonly pcieIntervalMs?: number;
}

/** XID counts and PCIe readings from the worker thread, read synchronously by the sampler. */
export class XidWorker implements GpuWorkerState {
  readonly #worker: Worker;
  readonly #counts: Map<number, Map<number, number>> = new Map();
  readonly #last: Map<number, number> = new Map();
  #pcie: readonly ({ txBytesPerSecond: number; rxBytesPerSecond: number } | null)[] = [];
  readonly #ready: Promise<void>;
  readonly #stopped: Promise<void>;
  readonly #waitTimeoutMs: number;
  #cache = new Map<number, readonly GpuXidCount[]>();

  constructor(options: XidWorkerOptions) {
    this.#waitTimeoutMs = options.waitTimeoutMs ?? 250;
    this.#worker = new Worker(workerSpecifier(import.meta.url));
    // The worker must never keep the process alive on its own (--once, shutdown).
    (this.#worker as Worker & { unref(): void }).unref();
    let ready!: () => void;
    let stopped!: () => void;
    this.#ready = new Promise((resolve) => (ready = resolve));
    this.#stopped = new Promise((resolve) => (stopped = resolve));
    this.#worker.onmessage = (event: MessageEvent<XidWorkerMessage>) => {
      const message = event.data;
      if (message.type === "xid") this.#count(message.index, message.xid);
      else if (message.type === "pcie") this.#pcie = message.readings;
      else if (message.type === "ready") {
        for (const problem of message.problems) options.logger.info(`GPU event worker: ${problem}`);
        options.logger.debug("GPU event worker started", { xid_gpus: message.registered.join(",") || "none" });
        ready();
      } else if (message.type === "stopped") {
        ready();
        stopped();
      }
    };
    this.#worker.onerror = (event) => {
      options.logger.warn(`GPU event worker failed: ${event.message}; XID errors are no longer counted`);
      ready();
      stopped();
    };
    const start: XidWorkerStart = {
      type: "start",
      libraryPath: options.libraryPath,
      deviceCount: options.deviceCount,
      waitTimeoutMs: this.#waitTimeoutMs,
      pcieIntervalMs: options.pcieIntervalMs ?? 2_000,
    };
    this.#worker.postMessage(start);
  }

  /** Resolves once the worker has registered for events (or given up). */
  ready(): Promise<void> {
    return this.#ready;
  }

  xidErrors(index: number): readonly GpuXidCount[] {
    return this.#cache.get(index) ?? EMPTY;
  }

  lastXid(index: number): number | null {
    return this.#last.get(index) ?? null;
  }

  pcie(index: number): { txBytesPerSecond: number; rxBytesPerSecond: number } | null {
    return this.#pcie[index] ?? null;
  }

  /** Asks the loop to end, waits for it (bounded), then terminates the thread. */
  async stop(): Promise<void> {
    this.#worker.postMessage({ type: "stop" });
    let timer: ReturnType<typeof setTimeout> | undefined;
    // A wait in progress ends within waitTimeoutMs; PCIe reads add up to ~20 ms per GPU and direction.
    const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.#waitTimeoutMs * 4 + 1_000)));
    await Promise.race([this.#stopped, limit]);
    clearTimeout(timer);
    this.#worker.terminate();
  }

  #count(index: number, xid: number): void {
    let perGpu = this.#counts.get(index);
    if (!perGpu) this.#counts.set(index, (perGpu = new Map()));
    perGpu.set(xid, (perGpu.get(xid) ?? 0) + 1);
    this.#last.set(index, xid);
    // Rebuilt only when an XID arrives, so the per-sample read allocates nothing.
    this.#cache.set(index, [...perGpu].sort((a, b) => a[0] - b[0]).map(([x, count]) => ({ xid: x, count })));
  }
}

const EMPTY: readonly GpuXidCount[] = [];

/**
 * Where the worker module is. From sources: beside this file. In a `bun build --compile`
 * binary every module's import.meta.url is the binary itself (file:///$bunfs/root/vigil-agent)
 * and an extra entry point lives at /$bunfs/root/<its path below agent/> (scripts/build-agent.ts
 * passes agent/main.ts and agent/gpu/xid-worker.ts, so the common root is agent/).
 */
export function workerSpecifier(moduleUrl: string): string {
  return moduleUrl.includes("/$bunfs/") ? "/$bunfs/root/gpu/xid-worker.ts" : new URL("./xid-worker.ts", moduleUrl).href;
}
