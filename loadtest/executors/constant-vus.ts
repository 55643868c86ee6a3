/**
 * `constant-vus` (k6's name): a closed loop with `vus` requests in flight for `duration` (or until
 * `requests` were sent). Closed loops suffer coordinated omission by design: a slow server slows the
 * sender, so latency is reported from the actual send only.
 */
import { type Problems, readDurationMs, readNumber, rejectUnknownKeys } from "../scenario/problems.ts";
import type { ClosedLoopPlan } from "./plan.ts";

// --- type ---
/** The normalized executor. */
export interface ConstantVusLoad {
  readonly executor: "constant-vus";
  readonly vus: number;
  /** Measured duration; null when bounded by `requests`. */
  readonly durationMs: number | null;
  readonly requests: number | null;
}

// --- defaults ---
const KNOWN = ["executor", "vus", "duration", "requests"] as const;

// --- validate ---
/** Checks the scenario's `load` object, adding problems under `path`. */
export function validateConstantVus(input: Record<string, unknown>, path: string, problems: Problems): ConstantVusLoad | undefined {
  rejectUnknownKeys(input, path, problems, KNOWN);
  const vus = readNumber(input.vus, `${path}.vus`, problems, { integer: true, min: 1 });
  const durationMs = input.duration === undefined ? null : readDurationMs(input.duration, `${path}.duration`, problems, { positive: true });
  const requests = input.requests === undefined ? null : readNumber(input.requests, `${path}.requests`, problems, { integer: true, min: 1 });
  if (input.duration === undefined && input.requests === undefined) problems.add(`${path}.duration`, "is required (or set requests)");
  if (vus === undefined || durationMs === undefined || requests === undefined) return undefined;
  return { executor: "constant-vus", vus, durationMs, requests };
}

// --- describe ---
/** One line for the terminal and the report. */
export function describeConstantVus(load: ConstantVusLoad): string {
  const bound = [load.durationMs !== null ? `${load.durationMs / 1000}s` : null, load.requests !== null ? `${load.requests} requests` : null].filter(Boolean).join(" or ");
  return `constant-vus: ${load.vus} in flight (closed loop) for ${bound}`;
}

// --- plan ---
/** The schedule: `vus` from the start, warm-up first. */
export function planConstantVus(load: ConstantVusLoad, options: { readonly warmupMs: number }): ClosedLoopPlan {
  const endMs = load.durationMs === null ? Number.POSITIVE_INFINITY : options.warmupMs + load.durationMs;
  return { kind: "closed", steps: [{ atMs: 0, vus: load.vus }], measureStartMs: options.warmupMs, endMs, maxRequests: load.requests };
}
