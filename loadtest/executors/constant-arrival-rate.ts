/**
 * `constant-arrival-rate` (k6's name): an open loop sending `rate` requests per `timeUnit` at planned
 * times (uniform, Poisson or gamma gaps), whatever the server does. With `maxInFlight`, arrivals wait
 * for a slot and the wait is recorded as queue time (never dropped, unlike k6).
 */
import { createRandom, deriveSeed } from "../random/seeded-random.ts";
import { type Problems, readDurationMs, readNumber, rejectUnknownKeys } from "../scenario/problems.ts";
import { type ArrivalOptions, describeArrival, readTimeUnitMs, validateArrivalOptions } from "./arrival-options.ts";
import { arrivalTimes, arrivalTimesByCount } from "./arrival-times.ts";
import type { OpenLoopPlan } from "./plan.ts";

// --- type ---
/** The normalized executor. */
export interface ConstantArrivalRateLoad extends ArrivalOptions {
  readonly executor: "constant-arrival-rate";
  /** Requests per second (after `timeUnit`). */
  readonly ratePerS: number;
  /** Measured duration; null when bounded by `requests`. */
  readonly durationMs: number | null;
  readonly requests: number | null;
}

// --- defaults ---
const KNOWN = ["executor", "rate", "timeUnit", "duration", "requests", "arrival", "burstiness", "maxInFlight"] as const;

// --- validate ---
/** Checks the scenario's `load` object. */
export function validateConstantArrivalRate(input: Record<string, unknown>, path: string, problems: Problems): ConstantArrivalRateLoad | undefined {
  rejectUnknownKeys(input, path, problems, KNOWN);
  const rate = readNumber(input.rate, `${path}.rate`, problems, { gt: 0 });
  const timeUnitMs = readTimeUnitMs(input, path, problems);
  const durationMs = input.duration === undefined ? null : readDurationMs(input.duration, `${path}.duration`, problems, { positive: true });
  const requests = input.requests === undefined ? null : readNumber(input.requests, `${path}.requests`, problems, { integer: true, min: 1 });
  if (input.duration === undefined && input.requests === undefined) problems.add(`${path}.duration`, "is required (or set requests)");
  const arrival = validateArrivalOptions(input, path, problems);
  if (rate === undefined || timeUnitMs === undefined || durationMs === undefined || requests === undefined || arrival === undefined) return undefined;
  return { executor: "constant-arrival-rate", ratePerS: (rate * 1000) / timeUnitMs, durationMs, requests, ...arrival };
}

// --- describe ---
/** One line for the terminal and the report. */
export function describeConstantArrivalRate(load: ConstantArrivalRateLoad): string {
  const bound = [load.durationMs !== null ? `${load.durationMs / 1000}s` : null, load.requests !== null ? `${load.requests} requests` : null].filter(Boolean).join(" or ");
  return `constant-arrival-rate: ${load.ratePerS} req/s ${describeArrival(load)} (open loop) for ${bound}`;
}

// --- plan ---
/** Planned send times: warm-up at the same rate, then the measured part; `requests` caps the measured count. */
export function planConstantArrivalRate(load: ConstantArrivalRateLoad, options: { readonly warmupMs: number; readonly seed: number }): OpenLoopPlan {
  const random = createRandom(deriveSeed(options.seed, "arrivals"));
  const ratePerMs = load.ratePerS / 1000;
  const warmupMs = options.warmupMs;
  let sendAtMs: Float64Array;
  if (load.durationMs !== null) {
    const all = arrivalTimes([{ durationMs: warmupMs + load.durationMs, fromPerMs: ratePerMs, toPerMs: ratePerMs }], load, random);
    sendAtMs = load.requests === null ? all : capMeasured(all, warmupMs, load.requests);
  } else {
    // Count-bounded: enough arrivals to cover the warm-up, then exactly `requests` measured ones.
    const all = arrivalTimesByCount(Math.ceil(warmupMs * ratePerMs * 2) + (load.requests ?? 0) + 16, ratePerMs, load, random);
    sendAtMs = capMeasured(all, warmupMs, load.requests ?? 0);
  }
  const last = sendAtMs.length > 0 ? (sendAtMs[sendAtMs.length - 1] as number) : warmupMs;
  const endMs = load.durationMs !== null ? warmupMs + load.durationMs : last;
  return { kind: "open", sendAtMs, measureStartMs: warmupMs, endMs, maxInFlight: load.maxInFlight, targetRatePerS: load.ratePerS };
}

/** Keeps the warm-up arrivals and the first `count` measured ones. */
function capMeasured(times: Float64Array, warmupMs: number, count: number): Float64Array {
  let firstMeasured = 0;
  while (firstMeasured < times.length && (times[firstMeasured] as number) < warmupMs) firstMeasured++;
  return times.slice(0, Math.min(times.length, firstMeasured + count));
}
