/**
 * `ramping-vus` (k6's name): a closed loop whose VU count moves linearly through `stages`. When the
 * target drops, VUs finish their current request and stop (k6's graceful ramp-down).
 */
import { type Problems, readNumber, rejectUnknownKeys } from "../scenario/problems.ts";
import type { ClosedLoopPlan } from "./plan.ts";
import { type Stage, stagesDurationMs, validateStages, warmupLevel } from "./stages.ts";

// --- type ---
/** The normalized executor. */
export interface RampingVusLoad {
  readonly executor: "ramping-vus";
  readonly startVUs: number;
  readonly stages: readonly Stage[];
}

// --- defaults ---
const KNOWN = ["executor", "startVUs", "stages"] as const;
const DEFAULT_START_VUS = 1;

// --- validate ---
/** Checks the scenario's `load` object. */
export function validateRampingVus(input: Record<string, unknown>, path: string, problems: Problems): RampingVusLoad | undefined {
  rejectUnknownKeys(input, path, problems, KNOWN);
  const startVUs = readNumber(input.startVUs, `${path}.startVUs`, problems, { integer: true, min: 0 }, DEFAULT_START_VUS);
  const stages = validateStages(input.stages, `${path}.stages`, problems, { integer: true });
  if (startVUs === undefined || stages === undefined) return undefined;
  return { executor: "ramping-vus", startVUs, stages };
}

// --- describe ---
/** One line for the terminal and the report. */
export function describeRampingVus(load: RampingVusLoad): string {
  return `ramping-vus: ${[load.startVUs, ...load.stages.map((s) => s.target)].join(" -> ")} in flight (closed loop) over ${stagesDurationMs(load.stages) / 1000}s`;
}

// --- plan ---
/**
 * The VU steps: warm-up at the start level (or the first target when it starts at 0), then each
 * stage, stepping to integer k at the moment the linear ramp reaches k.
 */
export function planRampingVus(load: RampingVusLoad, options: { readonly warmupMs: number }): ClosedLoopPlan {
  const warmupMs = options.warmupMs;
  const steps: Array<{ atMs: number; vus: number }> = [];
  const warmupVus = warmupLevel(load.startVUs, load.stages);
  if (warmupMs > 0) steps.push({ atMs: 0, vus: warmupVus });
  steps.push({ atMs: warmupMs, vus: load.startVUs });
  let from = load.startVUs;
  let t0 = warmupMs;
  for (const stage of load.stages) {
    const to = stage.target;
    if (to !== from && stage.durationMs > 0) {
      const direction = to > from ? 1 : -1;
      for (let k = from + direction; direction > 0 ? k <= to : k >= to; k += direction) {
        steps.push({ atMs: t0 + (stage.durationMs * Math.abs(k - from)) / Math.abs(to - from), vus: k });
      }
    } else if (to !== from) {
      steps.push({ atMs: t0, vus: to });
    }
    from = to;
    t0 += stage.durationMs;
  }
  return { kind: "closed", steps: mergeSameTime(steps), measureStartMs: warmupMs, endMs: t0, maxRequests: null };
}

function mergeSameTime(steps: Array<{ atMs: number; vus: number }>): Array<{ atMs: number; vus: number }> {
  const out: Array<{ atMs: number; vus: number }> = [];
  for (const step of steps) {
    const last = out[out.length - 1];
    if (last && last.atMs === step.atMs) last.vus = step.vus;
    else out.push({ ...step });
  }
  return out;
}
