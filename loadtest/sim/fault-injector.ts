/**
 * Decides which requests get a fault. Every rule draws one number per eligible request
 * from its own seeded stream (whether or not it fires), so decisions depend only on the
 * seed and the request order; `every: N` fires on eligible request N, 2N, ... exactly.
 * Eligible: status faults, every accepted completion request; stream faults, every
 * streamed one that no status fault took; metrics faults, every GET /metrics.
 */
import { createRandom, deriveSeed, type Random } from "./seeded-random.ts";
import type { InjectedFault } from "./sim-request-record.ts";
import type { FaultOptions, FaultRule } from "./simulator-options.ts";

const STATUS_FAULTS = [
  ["http429", "http_429"],
  ["http500", "http_500"],
  ["http503", "http_503"],
] as const;
const STREAM_FAULTS = [
  ["stall", "stall"],
  ["disconnect", "disconnect"],
  ["malformedChunk", "malformed_chunk"],
] as const;

export class FaultInjector {
  #faults: FaultOptions;
  readonly #random: Record<string, Random> = {};
  #requests = 0;
  #streams = 0;
  #scrapes = 0;

  constructor(faults: FaultOptions, seed: number) {
    this.#faults = faults;
    ["http429", "http500", "http503", "stall", "disconnect", "malformedChunk", "metricsFailure"].forEach((name, i) => {
      this.#random[name] = createRandom(deriveSeed(seed, 1000 + i));
    });
  }

  get faults(): FaultOptions {
    return this.#faults;
  }

  update(faults: Partial<FaultOptions>): FaultOptions {
    this.#faults = { ...this.#faults, ...faults };
    return this.#faults;
  }

  #fires(name: string, rule: FaultRule, index: number): boolean {
    const draw = (this.#random[name] as Random)();
    return (rule.every > 0 && index % rule.every === 0) || draw < rule.rate;
  }

  /** The fault for the next accepted completion request, if any (status faults win over stream faults). */
  nextRequest(stream: boolean): InjectedFault | null {
    const index = ++this.#requests;
    let fault: InjectedFault | null = null;
    for (const [key, name] of STATUS_FAULTS) if (this.#fires(key, this.#faults[key], index) && fault === null) fault = name;
    if (!stream || fault !== null) return fault;
    const streamIndex = ++this.#streams;
    for (const [key, name] of STREAM_FAULTS) if (this.#fires(key, this.#faults[key], streamIndex) && fault === null) fault = name;
    return fault;
  }

  /** Whether the next /metrics scrape fails. */
  nextScrapeFails(): boolean {
    return this.#fires("metricsFailure", this.#faults.metricsFailure, ++this.#scrapes);
  }
}
