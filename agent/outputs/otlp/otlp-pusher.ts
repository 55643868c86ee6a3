/**
 * Pushes samples to an OTLP/HTTP collector on its own interval. The exporter's
 * transport retries 429/502/503/504 and network errors with backoff and honours
 * Retry-After (otlp-exporter-base retrying-transport.ts); on top of it this keeps a
 * bounded queue of batches while the collector is down (the oldest is dropped and
 * counted), logs one line per state change, and never throws into the agent.
 */
import type { PushMetricExporter, ResourceMetrics } from "@opentelemetry/sdk-metrics";
import type { Resource } from "@opentelemetry/resources";
import type { Logger } from "../../log.ts";
import type { CpuReading, Sample } from "../../sample.ts";
import { OutputStats } from "../output-stats.ts";
import { sampleToOtlp } from "./sample-to-otlp.ts";

export interface OtlpPusherOptions {
  readonly exporter: PushMetricExporter;
  readonly url: string;
  readonly intervalMs: number;
  readonly queueBatches: number;
  readonly resource: Resource;
  readonly version: string;
  readonly logger: Logger;
  readonly now?: () => number;
}

type PushState = "starting" | "ok" | "failing";

/** A lifecycle: start(), onSample() per sample (O(1)), stop() flushes the last batch. */
export class OtlpPusher {
  readonly stats = new OutputStats("otlp");
  readonly #options: OtlpPusherOptions;
  readonly #startMs: number;
  readonly #queue: ResourceMetrics[] = [];
  #latest: Sample | null = null;
  #batchedTimeMs = -Infinity;
  #previousCpus: readonly CpuReading[] | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;
  #draining: Promise<void> | null = null;
  #state: PushState = "starting";
  #droppedInEpisode = 0;

  constructor(options: OtlpPusherOptions) {
    this.#options = options;
    this.#startMs = (options.now ?? Date.now)();
  }

  /** Keeps a reference to the newest sample; the batch is built on the push interval, off the sampling path. */
  onSample(sample: Sample): void {
    this.#latest = sample;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.tick(), this.#options.intervalMs);
  }

  /** Builds a batch from the newest sample (if it is new) and sends what is queued. */
  tick(): Promise<void> {
    this.#enqueueLatest();
    this.#draining ??= this.#drain().finally(() => {
      this.#draining = null;
    });
    return this.#draining;
  }

  /**
   * Stops the interval and pushes the newest sample, all within `deadlineMs` (a
   * collector that is down must not hold up a SIGTERM), then shuts the exporter down.
   */
  async stop(deadlineMs = 3_000): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    const startedMs = performance.now();
    const within = async (work: Promise<unknown>, ms: number): Promise<void> => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([work.catch(() => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, ms))))]);
      clearTimeout(timer);
    };
    await within((async () => {
      await this.#draining;
      await this.tick();
    })(), deadlineMs);
    if (this.#queue.length > 0) this.#options.logger.warn("OTLP batches not delivered at shutdown", { url: this.#options.url, batches: this.#queue.length });
    // shutdown() waits for an export still retrying: give it what is left of the deadline, at least a moment.
    await within(this.#options.exporter.shutdown(), Math.max(200, deadlineMs - (performance.now() - startedMs)));
  }

  #enqueueLatest(): void {
    const sample = this.#latest;
    if (!sample || sample.timeMs <= this.#batchedTimeMs) return;
    this.#batchedTimeMs = sample.timeMs;
    const batch = sampleToOtlp(sample, { resource: this.#options.resource, version: this.#options.version, startMs: this.#startMs, previousCpus: this.#previousCpus });
    this.#previousCpus = sample.host?.cpus ?? null;
    this.#queue.push(batch);
    while (this.#queue.length > this.#options.queueBatches) {
      this.#queue.shift();
      this.stats.dropped += 1;
      if (this.#droppedInEpisode++ === 0) {
        this.#options.logger.warn("OTLP queue full: dropping the oldest batches until the collector answers", { url: this.#options.url, queue: this.#options.queueBatches });
      }
    }
    this.stats.queued = this.#queue.length;
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue[0] as ResourceMetrics;
      const result = await this.#export(batch);
      if (result.ok) {
        this.#queue.shift();
        this.stats.sent += 1;
        this.#setState("ok", "");
      } else {
        this.stats.errors += 1;
        if (result.rejected) {
          // A 4xx other than 429: the collector will never take this batch (OTLP spec: MUST NOT retry).
          this.#queue.shift();
          this.stats.dropped += 1;
        }
        this.#setState("failing", result.reason);
        if (!result.rejected) break; // try again on the next interval
      }
      this.stats.queued = this.#queue.length;
    }
    this.stats.queued = this.#queue.length;
  }

  #export(batch: ResourceMetrics): Promise<{ ok: true } | { ok: false; rejected: boolean; reason: string }> {
    return new Promise((resolve) => {
      try {
        this.#options.exporter.export(batch, (result) => {
          if (result.code === 0) return resolve({ ok: true });
          const error = result.error as (Error & { code?: unknown; data?: unknown }) | undefined;
          const status = typeof error?.code === "number" ? error.code : null;
          const rejected = status !== null && status >= 400 && status !== 429 && ![502, 503, 504].includes(status);
          const reason = status !== null ? `status ${status}${error?.data ? ` ${String(error.data).slice(0, 200)}` : ""}` : (error?.message ?? "unknown error");
          resolve({ ok: false, rejected, reason });
        });
      } catch (error) {
        // The exporter must not throw, but a bug there must not stop the agent either.
        resolve({ ok: false, rejected: false, reason: error instanceof Error ? error.message : String(error) });
      }
    });
  }

  #setState(state: PushState, reason: string): void {
    this.stats.up = state !== "failing";
    if (state === this.#state) return;
    const previous = this.#state;
    this.#state = state;
    if (state === "failing") {
      this.#options.logger.warn(`Cannot push OTLP metrics to ${this.#options.url}: ${reason}; retrying every interval`, { queue_max: this.#options.queueBatches });
    } else if (previous === "failing") {
      this.#options.logger.info(`OTLP push to ${this.#options.url} recovered`, { dropped_total: this.stats.dropped });
      this.#droppedInEpisode = 0;
    } else {
      this.#options.logger.info("Pushing OTLP metrics", { url: this.#options.url });
    }
  }
}
