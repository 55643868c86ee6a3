/**
 * What an executor's planner produces: a schedule the runner follows, computed up front by a pure,
 * seeded function so it can be tested without a network and reproduced from the report's seed.
 * All times are ms since the phase start; the first `measureStartMs` are warm-up (not measured).
 */

/** Open loop: send request i at `sendAtMs[i]`, whatever happened to the earlier ones. */
export interface OpenLoopPlan {
  readonly kind: "open";
  /** Planned send times, ascending. */
  readonly sendAtMs: Float64Array;
  /** Warm-up ends here; requests planned before it are warm-up. */
  readonly measureStartMs: number;
  /** Planned end of the phase (last planned arrival's stage end). */
  readonly endMs: number;
  /** Ceiling on requests in flight (arrivals wait for a slot, never dropped); null = none. */
  readonly maxInFlight: number | null;
  /** Mean planned rate over the measured part (req/s). */
  readonly targetRatePerS: number;
}

/** Closed loop: keep `vus` requests in flight, each VU sending its next request when the last ends. */
export interface ClosedLoopPlan {
  readonly kind: "closed";
  /** VU target from `atMs` on, ascending by time; the first step is at 0. */
  readonly steps: ReadonlyArray<{ readonly atMs: number; readonly vus: number }>;
  readonly measureStartMs: number;
  /** No request starts at or after this time. */
  readonly endMs: number;
  /** Stop after this many measured requests were sent; null = by time only. */
  readonly maxRequests: number | null;
}

/** A schedule for one phase of load. */
export type LoadPlan = OpenLoopPlan | ClosedLoopPlan;

/** The open-loop arrival process: gaps in "unit-rate time" with mean 1. */
export interface ArrivalProcess {
  readonly arrival: "uniform" | "poisson" | "gamma";
  /** Gamma shape; 1 = Poisson. */
  readonly burstiness: number;
}
