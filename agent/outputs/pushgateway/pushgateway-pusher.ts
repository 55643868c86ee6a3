/**
 * Pushes the latest sample's /metrics body to a Pushgateway group on an interval
 * (PUT: the group then holds exactly this body) and deletes the group on shutdown,
 * so the gateway does not serve a stopped agent's values forever. Each push carries
 * only the newest sample: there is nothing to queue, a failed push is retried with the
 * next one. One log line per state change.
 */
import type { PushgatewayConfig } from "../../config/agent-config.ts";
import { TEXT_CONTENT_TYPE } from "../../exposition/write-exposition.ts";
import type { Logger } from "../../log.ts";
import type { Sample } from "../../sample.ts";
import { OutputStats } from "../output-stats.ts";
import { pushgatewayGroupUrl } from "./pushgateway-url.ts";

export interface PushgatewayPusherOptions {
  readonly config: PushgatewayConfig;
  /** Renders a sample as /metrics does (text 0.0.4, no timestamps). */
  readonly render: (sample: Sample) => Promise<string>;
  readonly logger: Logger;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}

export class PushgatewayPusher {
  readonly stats = new OutputStats("pushgateway");
  readonly groupUrl: string;
  readonly #options: PushgatewayPusherOptions;
  readonly #fetch: typeof fetch;
  #latest: Sample | null = null;
  #pushedTimeMs = -Infinity;
  #timer: ReturnType<typeof setInterval> | null = null;
  #inFlight: Promise<void> | null = null;
  #pushedOnce = false;
  #failing: string | null = null;

  constructor(options: PushgatewayPusherOptions) {
    this.#options = options;
    this.#fetch = options.fetch ?? fetch;
    this.groupUrl = pushgatewayGroupUrl(options.config.url, options.config.job, { instance: options.config.instance });
  }

  onSample(sample: Sample): void {
    const first = this.#latest === null;
    this.#latest = sample;
    // The first sample is pushed at once: the group exists as soon as the agent serves.
    if (first) setTimeout(() => void this.push(), 0);
  }

  start(): void {
    this.#timer ??= setInterval(() => void this.push(), this.#options.config.intervalMs);
  }

  /** Pushes the newest sample if it has not been pushed yet; never rejects. */
  push(): Promise<void> {
    this.#inFlight ??= this.#push().finally(() => {
      this.#inFlight = null;
    });
    return this.#inFlight;
  }

  /** Stops pushing and deletes the group (if this agent ever pushed it). */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#inFlight;
    if (!this.#pushedOnce) return;
    try {
      const response = await this.#fetch(this.groupUrl, { method: "DELETE", signal: AbortSignal.timeout(this.#options.timeoutMs ?? 5_000) });
      if (!response.ok) throw new Error(`status ${response.status}`);
      this.#options.logger.info("Deleted the Pushgateway group", { url: this.groupUrl });
    } catch (error) {
      this.#options.logger.warn(`Cannot delete the Pushgateway group ${this.groupUrl}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async #push(): Promise<void> {
    const sample = this.#latest;
    if (!sample || sample.timeMs <= this.#pushedTimeMs) return;
    try {
      const body = await this.#options.render(sample);
      const response = await this.#fetch(this.groupUrl, {
        method: "PUT",
        body,
        headers: { "content-type": TEXT_CONTENT_TYPE },
        signal: AbortSignal.timeout(this.#options.timeoutMs ?? 5_000),
      });
      if (!response.ok) throw new Error(`status ${response.status}: ${(await response.text()).trim().slice(0, 200)}`);
      this.#pushedTimeMs = sample.timeMs;
      this.#pushedOnce = true;
      this.stats.sent += 1;
      this.stats.up = true;
      if (this.#failing !== null) this.#options.logger.info("Pushgateway push recovered", { url: this.groupUrl });
      else if (this.stats.sent === 1) this.#options.logger.info("Pushing to the Pushgateway", { url: this.groupUrl });
      this.#failing = null;
    } catch (error) {
      this.stats.errors += 1;
      this.stats.up = false;
      const reason = error instanceof Error ? error.message : String(error);
      // Logged when the failure starts or changes kind, not on every interval.
      const kind = reason.replace(/\d+(\.\d+)?\s*ms/g, "");
      if (this.#failing !== kind) this.#options.logger.warn(`Cannot push to the Pushgateway ${this.groupUrl}: ${reason}; retrying every interval`);
      this.#failing = kind;
    }
  }
}
