/**
 * One sampler, one truth: reads every source on an interval (single flight), turns
 * failures into error entries, and hands each Sample to the timeline and to the
 * outputs. A scrape that finds the latest sample older than the interval samples
 * once, sharing any sample already in flight (Prometheus' collect-on-scrape advice).
 */
import type { Logger } from "../log.ts";
import type { GpuReading, HostReading, Sample, SourceError, SourceName, SourceStatus, VllmReading } from "../sample.ts";

/** What a source gives back: its part of the sample and what failed. It must not reject. */
export interface SourceResult<T> {
  readonly value: T;
  readonly errors: readonly SourceError[];
}

export interface SamplerSources {
  readonly host?: { read(signal: AbortSignal): Promise<SourceResult<HostReading>> };
  readonly vllm?: { read(signal: AbortSignal): Promise<SourceResult<VllmReading[]>> };
  readonly gpu?: { read(signal: AbortSignal): Promise<SourceResult<GpuReading[]>> };
}

export interface SamplerOptions {
  readonly sources: SamplerSources;
  /** 0 = on demand only. */
  readonly intervalMs: number;
  /** A source still running after this long is cut off and counted as failed. */
  readonly sourceTimeoutMs: number;
  readonly logger: Logger;
  readonly onSample?: (sample: Sample) => void;
  readonly now?: () => number;
}

/** Cumulative failure counts per source, for vigil_source_errors_total. */
export type ErrorTotals = Readonly<Record<SourceName, number>>;

export class Sampler {
  readonly #options: SamplerOptions;
  readonly #now: () => number;
  #latest: Sample | null = null;
  #inFlight: Promise<Sample> | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #stopped = false;
  readonly #errorTotals: Record<SourceName, number> = { host: 0, vllm: 0, gpu: 0 };
  /** Last error code per (source, target), so a lasting failure is logged once, when it starts and when it ends. */
  readonly #failing = new Map<string, string>();

  constructor(options: SamplerOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** The latest sample, or null before the first one. */
  get latest(): Sample | null {
    return this.#latest;
  }

  get errorTotals(): ErrorTotals {
    return this.#errorTotals;
  }

  /** Starts the periodic loop (no-op for interval 0). */
  start(): void {
    if (this.#options.intervalMs <= 0 || this.#timer || this.#stopped) return;
    const tick = async () => {
      const startedMs = this.#now();
      await this.sampleNow();
      if (this.#stopped) return;
      // Keep to the interval's grid even when a sample was slow; never run two at once.
      const delayMs = Math.max(0, this.#options.intervalMs - (this.#now() - startedMs));
      this.#timer = setTimeout(tick, delayMs);
    };
    this.#timer = setTimeout(tick, 0);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** Resolves when any in-flight sample has finished (for shutdown). */
  async idle(): Promise<void> {
    await this.#inFlight;
  }

  /** A sample no older than the interval (or a new one for on-demand sampling). */
  async fresh(): Promise<Sample> {
    const latest = this.#latest;
    const maxAgeMs = this.#options.intervalMs > 0 ? this.#options.intervalMs * 1.5 : 0;
    if (latest && this.#now() - latest.timeMs <= maxAgeMs) return latest;
    return this.sampleNow();
  }

  /** Takes a sample now, or joins the one in flight. */
  sampleNow(): Promise<Sample> {
    this.#inFlight ??= this.#take().finally(() => {
      this.#inFlight = null;
    });
    return this.#inFlight;
  }

  async #take(): Promise<Sample> {
    const timeMs = this.#now();
    const started = performance.now();
    const { host, vllm, gpu } = this.#options.sources;
    // One deadline for the whole sample, shared by the sources: every source starts now and
    // has the same timeout, so one timer and one signal serve them all.
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => {
        controller.abort();
        resolve("timeout");
      }, this.#options.sourceTimeoutMs);
    });
    const run = { signal: controller.signal, deadline };
    let parts;
    try {
      parts = await Promise.all([
        host ? this.#run("host", run, (s) => host.read(s)) : null,
        vllm ? this.#run("vllm", run, (s) => vllm.read(s)) : null,
        gpu ? this.#run("gpu", run, (s) => gpu.read(s)) : null,
      ]);
    } finally {
      clearTimeout(timer);
    }
    const [hostPart, vllmPart, gpuPart] = parts;
    const sources: SourceStatus[] = [];
    const errors: SourceError[] = [];
    for (const part of [hostPart, vllmPart, gpuPart]) {
      if (!part) continue;
      sources.push(part.status);
      errors.push(...part.errors);
    }
    const sample: Sample = {
      timeMs,
      durationMs: performance.now() - started,
      gpus: gpuPart?.value ?? [],
      host: hostPart?.value ?? null,
      vllm: vllmPart?.value ?? [],
      sources,
      errors,
    };
    this.#noteErrors(sample);
    this.#latest = sample;
    this.#options.onSample?.(sample);
    return sample;
  }

  /** Runs one source until the sample's deadline; a hang or a throw becomes an error entry. */
  async #run<T>(
    source: SourceName,
    run: { readonly signal: AbortSignal; readonly deadline: Promise<"timeout"> },
    read: (signal: AbortSignal) => Promise<SourceResult<T>>,
  ): Promise<{ value: T | null; errors: readonly SourceError[]; status: SourceStatus }> {
    const started = performance.now();
    try {
      const result = await Promise.race([read(run.signal), run.deadline]);
      const durationMs = performance.now() - started;
      if (result === "timeout") {
        const message = `Cannot read the ${source} source: no answer within ${this.#options.sourceTimeoutMs} ms`;
        return { value: null, errors: [{ source, target: "", code: "timeout", message }], status: { source, up: false, durationMs } };
      }
      return { value: result.value, errors: result.errors, status: { source, up: result.errors.length === 0, durationMs } };
    } catch (error) {
      const message = `Cannot read the ${source} source: ${error instanceof Error ? error.message : String(error)}`;
      return { value: null, errors: [{ source, target: "", code: "internal", message }], status: { source, up: false, durationMs: performance.now() - started } };
    }
  }

  #noteErrors(sample: Sample): void {
    const current = new Map<string, { code: string; error: SourceError }>();
    for (const error of sample.errors) {
      this.#errorTotals[error.source] += 1;
      current.set(`${error.source}\u0000${error.target}`, { code: error.code, error });
    }
    for (const [key, { code, error }] of current) {
      if (this.#failing.get(key) === code) continue;
      this.#failing.set(key, code);
      this.#options.logger.warn(error.message, { source: error.source, target: error.target || undefined, code });
    }
    for (const key of [...this.#failing.keys()]) {
      if (current.has(key)) continue;
      this.#failing.delete(key);
      const [source, target] = key.split("\u0000");
      this.#options.logger.info(`The ${source} source recovered`, { source, target: target || undefined });
    }
  }
}
