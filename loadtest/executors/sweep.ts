/**
 * `sweep`: capacity search. Runs levels of rate (each a constant-arrival-rate phase) or concurrency
 * (each a constant-vus phase) in ascending order; the knee is the highest level that meets every
 * threshold. After the first failing level it bisects between the last passing and the first failing
 * level `refine` times. It stops escalating early when the server is saturated: throughput grew less
 * than `saturationGrowth` over the best previous level, or (rate mode) the achieved rate fell below
 * 90 % of the target.
 */
import { type Problems, readChoice, readDurationMs, readNumber, rejectUnknownKeys, show } from "../scenario/problems.ts";
import { type ArrivalOptions, describeArrival, validateArrivalOptions } from "./arrival-options.ts";
import { planConstantArrivalRate } from "./constant-arrival-rate.ts";
import { planConstantVus } from "./constant-vus.ts";
import type { LoadPlan } from "./plan.ts";

// --- type ---
/** The normalized executor. */
export interface SweepLoad extends ArrivalOptions {
  readonly executor: "sweep";
  readonly mode: "rate" | "concurrency";
  /** Ascending levels: req/s (rate) or VUs (concurrency). */
  readonly levels: readonly number[];
  readonly levelDurationMs: number;
  readonly levelWarmupMs: number;
  readonly refine: number;
  readonly saturationGrowth: number;
}

/** What the sweep controller needs to know about a finished level. */
export interface SweepLevelOutcome {
  readonly level: number;
  readonly passed: boolean;
  /** Completed requests per second at this level. */
  readonly throughputPerS: number;
  /** Achieved send rate / target (rate mode), else null. */
  readonly achievedRatio: number | null;
}

/** The controller's decision: run another level, or stop and why. */
export type SweepStep =
  | { readonly kind: "run"; readonly level: number; readonly refinement: boolean }
  | { readonly kind: "done"; readonly reason: "levels-done" | "saturated" | "threshold-failed" };

// --- defaults ---
const KNOWN = ["executor", "mode", "levels", "levelDuration", "levelWarmup", "refine", "saturationGrowth", "arrival", "burstiness", "maxInFlight"] as const;
const DEFAULT_REFINE = 2;
const DEFAULT_SATURATION_GROWTH = 0.05;
/** Rate mode: achieved below this fraction of the target means the server (or generator) cannot keep up. */
export const SATURATED_ACHIEVED_RATIO = 0.9;

// --- validate ---
/** Checks the scenario's `load` object. */
export function validateSweep(input: Record<string, unknown>, path: string, problems: Problems): SweepLoad | undefined {
  rejectUnknownKeys(input, path, problems, KNOWN);
  const mode = readChoice(input.mode, `${path}.mode`, problems, ["rate", "concurrency"] as const);
  let levels: number[] | undefined;
  if (!Array.isArray(input.levels) || input.levels.length === 0) {
    problems.add(`${path}.levels`, `must be a non-empty array of ascending numbers, got ${show(input.levels)}`);
  } else {
    const read = input.levels.map((value, index) => readNumber(value, `${path}.levels[${index}]`, problems, { gt: 0, integer: mode === "concurrency" }));
    if (read.every((value) => value !== undefined)) {
      levels = read as number[];
      if (levels.some((value, index) => index > 0 && value <= (levels as number[])[index - 1]!)) {
        problems.add(`${path}.levels`, `must be strictly ascending, got ${show(levels)}`);
        levels = undefined;
      }
    }
  }
  const levelDurationMs = readDurationMs(input.levelDuration, `${path}.levelDuration`, problems, { positive: true });
  const levelWarmupMs = readDurationMs(input.levelWarmup, `${path}.levelWarmup`, problems, { fallback: 0 });
  const refine = readNumber(input.refine, `${path}.refine`, problems, { integer: true, min: 0 }, DEFAULT_REFINE);
  const saturationGrowth = readNumber(input.saturationGrowth, `${path}.saturationGrowth`, problems, { min: 0 }, DEFAULT_SATURATION_GROWTH);
  const arrival = validateArrivalOptions(input, path, problems);
  if (mode === undefined || levels === undefined || levelDurationMs === undefined || levelWarmupMs === undefined) return undefined;
  if (refine === undefined || saturationGrowth === undefined || arrival === undefined) return undefined;
  return { executor: "sweep", mode, levels, levelDurationMs, levelWarmupMs, refine, saturationGrowth, ...arrival };
}

// --- describe ---
/** One line for the terminal and the report. */
export function describeSweep(load: SweepLoad): string {
  const unit = load.mode === "rate" ? "req/s" : "in flight";
  const how = load.mode === "rate" ? ` ${describeArrival(load)}` : "";
  return `sweep (${load.mode}): levels ${load.levels.join(", ")} ${unit}${how}, ${load.levelDurationMs / 1000}s each, refine ${load.refine}`;
}

// --- plan ---
/** The plan of one level: a constant-arrival-rate or constant-vus phase with the level's own warm-up. */
export function planSweepLevel(load: SweepLoad, level: number, options: { readonly seed: number }): LoadPlan {
  if (load.mode === "rate") {
    return planConstantArrivalRate(
      { executor: "constant-arrival-rate", ratePerS: level, durationMs: load.levelDurationMs, requests: null, arrival: load.arrival, burstiness: load.burstiness, maxInFlight: load.maxInFlight },
      { warmupMs: load.levelWarmupMs, seed: options.seed + Math.round(level * 1000) },
    );
  }
  return planConstantVus({ executor: "constant-vus", vus: level, durationMs: load.levelDurationMs, requests: null }, { warmupMs: load.levelWarmupMs });
}

/** True when the level shows saturation compared with the levels before it. */
export function isSaturated(load: SweepLoad, outcome: SweepLevelOutcome, before: readonly SweepLevelOutcome[]): boolean {
  if (load.mode === "rate" && outcome.achievedRatio !== null && outcome.achievedRatio < SATURATED_ACHIEVED_RATIO) return true;
  const lower = before.filter((o) => o.level < outcome.level);
  if (lower.length === 0) return false;
  const best = Math.max(...lower.map((o) => o.throughputPerS));
  return outcome.throughputPerS < best * (1 + load.saturationGrowth);
}

/**
 * Decides the next level from the outcomes so far (pure, so the search is testable without a server).
 * @example nextSweepStep(load, []) // { kind: "run", level: load.levels[0], refinement: false }
 */
export function nextSweepStep(load: SweepLoad, outcomes: readonly SweepLevelOutcome[]): SweepStep {
  const initial = outcomes.filter((_, index) => index < load.levels.length);
  const failed = outcomes.some((o) => !o.passed);
  const last = initial[initial.length - 1];
  const saturated = last !== undefined && isSaturated(load, last, initial.slice(0, -1));
  const escalating = !failed && !saturated && initial.length === outcomes.length;
  if (escalating && initial.length < load.levels.length) {
    return { kind: "run", level: load.levels[initial.length] as number, refinement: false };
  }
  if (!failed) return { kind: "done", reason: saturated ? "saturated" : "levels-done" };
  const refinements = outcomes.length - initial.length;
  const passing = outcomes.filter((o) => o.passed).map((o) => o.level);
  const lastPass = passing.length > 0 ? Math.max(...passing) : null;
  const firstFail = Math.min(...outcomes.filter((o) => !o.passed && (lastPass === null || o.level > lastPass)).map((o) => o.level));
  if (refinements < load.refine && lastPass !== null && Number.isFinite(firstFail)) {
    const mid = midpoint(load, lastPass, firstFail);
    if (mid !== null) return { kind: "run", level: mid, refinement: true };
  }
  return { kind: "done", reason: saturated ? "saturated" : "threshold-failed" };
}

/** The level halfway between (an integer for concurrency, 3 significant digits for rate), or null when none lies between. */
function midpoint(load: SweepLoad, low: number, high: number): number | null {
  const raw = (low + high) / 2;
  const mid = load.mode === "concurrency" ? Math.round(raw) : Number(raw.toPrecision(3));
  return mid > low && mid < high ? mid : null;
}

/** The knee: the highest level that passed, or null. */
export function findKnee(outcomes: readonly SweepLevelOutcome[]): number | null {
  const passing = outcomes.filter((o) => o.passed).map((o) => o.level);
  return passing.length > 0 ? Math.max(...passing) : null;
}
