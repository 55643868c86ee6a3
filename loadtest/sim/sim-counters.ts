/**
 * What the simulator served and injected, for tests that check a client saw exactly
 * that (RunningSimulator.counters(), GET /sim/counters, GET /sim/metrics).
 */
import type { InjectedFault } from "./sim-request-record.ts";

/** Injected faults, plus those outside completions. */
export type FaultCounterName = InjectedFault | "metrics_failure" | "metrics_delay" | "health_not_ready";

export const FAULT_COUNTER_NAMES: readonly FaultCounterName[] = ["http_429", "http_500", "http_503", "stall", "disconnect", "malformed_chunk", "metrics_failure", "metrics_delay", "health_not_ready"];

export interface SimCounters {
  /** HTTP responses by `METHOD path status`, e.g. `"POST /v1/completions 200"` (unknown paths as `none`). */
  readonly httpResponses: Readonly<Record<string, number>>;
  /** Completion requests handed to the engine (valid, not refused by a status fault). */
  readonly acceptedRequests: number;
  /** Engine sequences (choices) finished, by finish reason. */
  readonly finishedSequences: Readonly<Record<"stop" | "length" | "abort", number>>;
  /** Requests whose response is still open. */
  readonly inFlightRequests: number;
  readonly promptTokens: number;
  readonly generationTokens: number;
  readonly preemptions: number;
  readonly injected: Readonly<Record<FaultCounterName, number>>;
}
