/**
 * `ramping-arrival-rate` (k6's name): an open loop whose rate moves linearly through `stages`
 * (from `startRate`), arrivals placed by time rescaling so Poisson and gamma keep their shape on a ramp.
 */
import { createRandom, deriveSeed } from "../random/seeded-random.ts";
import { type Problems, readNumber, rejectUnknownKeys } from "../scenario/problems.ts";
import { type ArrivalOptions, describeArrival, readTimeUnitMs, validateArrivalOptions } from "./arrival-options.ts";
import { arrivalTimes, type RateSegment } from "./arrival-times.ts";
import type { OpenLoopPlan } from "./plan.ts";
import { rampArea, type Stage, stagesDurationMs, validateStages, warmupLevel } from "./stages.ts";

// --- type ---
/** The normalized executor; rates in requests per second. */
export interface RampingArrivalRateLoad extends ArrivalOptions {
  readonly executor: "ramping-arrival-rate";
  readonly startRatePerS: number;
  /** Stage targets in requests per second. */
  readonly stages: readonly Stage[];
}

// --- defaults ---
const KNOWN = ["executor", "startRate", "timeUnit", "stages", "arrival", "burstiness", "maxInFlight"] as const;

// --- validate ---
/** Checks the scenario's `load` object. */
export function validateRampingArrivalRate(input: Record<string, unknown>, path: string, problems: Problems): RampingArrivalRateLoad | undefined {
  rejectUnknownKeys(input, path, problems, KNOWN);
  const startRate = readNumber(input.startRate, `${path}.startRate`, problems, { min: 0 }, 0);
  const timeUnitMs = readTimeUnitMs(input, path, problems);
  const stages = validateStages(input.stages, `${path}.stages`, problems, { integer: false });
  const arrival = validateArrivalOptions(input, path, problems);
  if (startRate === undefined || timeUnitMs === undefined || stages === undefined || arrival === undefined) return undefined;
  if (startRate === 0 && stages.every((stage) => stage.target === 0)) {
    problems.add(`${path}.stages`, "never sends: every target is 0 and startRate is 0");
    return undefined;
  }
  const perS = 1000 / timeUnitMs;
  return {
    executor: "ramping-arrival-rate",
    startRatePerS: startRate * perS,
    stages: stages.map((stage) => ({ durationMs: stage.durationMs, target: stage.target * perS })),
    ...arrival,
  };
}

// --- describe ---
/** One line for the terminal and the report. */
export function describeRampingArrivalRate(load: RampingArrivalRateLoad): string {
  const rates = [load.startRatePerS, ...load.stages.map((s) => s.target)].join(" -> ");
  return `ramping-arrival-rate: ${rates} req/s ${describeArrival(load)} (open loop) over ${stagesDurationMs(load.stages) / 1000}s`;
}

// --- plan ---
/** Planned send times: warm-up at the start rate (or the first target when it starts at 0), then the stages. */
export function planRampingArrivalRate(load: RampingArrivalRateLoad, options: { readonly warmupMs: number; readonly seed: number }): OpenLoopPlan {
  const random = createRandom(deriveSeed(options.seed, "arrivals"));
  const segments: RateSegment[] = [];
  const warmupRatePerS = warmupLevel(load.startRatePerS, load.stages);
  if (options.warmupMs > 0) segments.push({ durationMs: options.warmupMs, fromPerMs: warmupRatePerS / 1000, toPerMs: warmupRatePerS / 1000 });
  let from = load.startRatePerS;
  for (const stage of load.stages) {
    segments.push({ durationMs: stage.durationMs, fromPerMs: from / 1000, toPerMs: stage.target / 1000 });
    from = stage.target;
  }
  const measuredArrivals = rampArea(load.startRatePerS, load.stages);
  const totalMs = stagesDurationMs(load.stages);
  return {
    kind: "open",
    sendAtMs: arrivalTimes(segments, load, random),
    measureStartMs: options.warmupMs,
    endMs: options.warmupMs + totalMs,
    maxInFlight: load.maxInFlight,
    targetRatePerS: totalMs > 0 ? measuredArrivals / (totalMs / 1000) : 0,
  };
}
