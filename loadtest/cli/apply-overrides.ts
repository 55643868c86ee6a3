/**
 * Applies CLI overrides to the raw scenario object (before validation, so overridden values are
 * validated like written ones). Returns a new object; the module's export is never mutated.
 */
import { UsageError } from "../../agent/errors.ts";
import { parseDurationMs } from "../../agent/config/duration.ts";
import { isRecord } from "../scenario/problems.ts";
import type { ScenarioOverrides } from "./parse-args.ts";

/**
 * `--rate` turns the load into constant-arrival-rate and `--vus` into constant-vus, keeping the
 * duration (or the total of the stages) and the arrival options; `--duration` sets the duration
 * (a sweep's levelDuration).
 * @throws UsageError when an override cannot apply (e.g. --duration on a ramping executor).
 */
export function applyOverrides(raw: unknown, overrides: ScenarioOverrides): unknown {
  if (!isRecord(raw)) return raw;
  const scenario: Record<string, unknown> = { ...raw };
  if (overrides.target !== undefined || overrides.model !== undefined) {
    const target = isRecord(raw.target) ? { ...raw.target } : {};
    if (overrides.target !== undefined) target.url = overrides.target;
    if (overrides.model !== undefined) target.model = overrides.model;
    scenario.target = target;
  }
  if (overrides.agent !== undefined) scenario.agent = overrides.agent;
  if (overrides.seed !== undefined) scenario.seed = overrides.seed;
  if (overrides.stream !== undefined) scenario.workload = { ...(isRecord(raw.workload) ? raw.workload : {}), stream: overrides.stream };
  const load: Record<string, unknown> = isRecord(raw.load) ? { ...raw.load } : {};
  const executor = load.executor;
  if (overrides.rate !== undefined || overrides.vus !== undefined) {
    const duration = overrides.duration ?? load.duration ?? stagesTotal(load.stages);
    const replaced: Record<string, unknown> =
      overrides.rate !== undefined
        ? { executor: "constant-arrival-rate", rate: overrides.rate, duration, arrival: load.arrival, burstiness: load.burstiness, maxInFlight: load.maxInFlight }
        : { executor: "constant-vus", vus: overrides.vus, duration };
    if (duration === undefined && load.requests !== undefined) replaced.requests = load.requests;
    scenario.load = Object.fromEntries(Object.entries(replaced).filter(([, v]) => v !== undefined));
    return scenario;
  }
  if (overrides.duration !== undefined) {
    if (executor === "sweep") load.levelDuration = overrides.duration;
    else if (executor === "constant-vus" || executor === "constant-arrival-rate") {
      load.duration = overrides.duration;
      delete load.requests;
    } else throw new UsageError(`--duration does not apply to ${String(executor)} (its stages set the duration); use --rate or --vus to replace the executor`);
    scenario.load = load;
  }
  return scenario;
}

/** Total ms of raw stages, or undefined when they are not readable (validation will say why). */
function stagesTotal(stages: unknown): number | undefined {
  if (!Array.isArray(stages)) return undefined;
  let total = 0;
  for (const stage of stages) {
    const duration = isRecord(stage) ? stage.duration : undefined;
    const ms = typeof duration === "number" ? duration : typeof duration === "string" ? parseDurationMs(duration) : undefined;
    if (ms === undefined) return undefined;
    total += ms;
  }
  return total;
}
