/**
 * A scenario's load as k6 `options.scenarios`: our executors map to k6's executors of the same name
 * (loadtest-anchors §5). A warm-up becomes a first k6 scenario, `warmup`, at the starting load; the
 * measured run is the `measure` scenario starting when the warm-up ends. Pure.
 */
import { UsageError } from "../../../agent/errors.ts";
import type { NormalizedScenario } from "../../scenario/normalized-scenario.ts";
import { warmupLevel } from "../../executors/stages.ts";
import { MEASURE_SCENARIO, WARMUP_SCENARIO } from "./k6-metric-names.ts";

/** One k6 scenario, as written into the script's `options.scenarios` (k6's option names). */
export type K6Scenario = Readonly<Record<string, string | number | ReadonlyArray<Readonly<Record<string, string | number>>>>>;

/** The k6 scenarios of a scenario and what the mapping could not keep. */
export interface K6Load {
  readonly scenarios: Readonly<Record<string, K6Scenario>>;
  /** One line per approximation (arrival process, request count as a duration); written into the script. */
  readonly notes: readonly string[];
}

/** Largest number of VUs an open-loop k6 scenario may grow to when the scenario sets no `maxInFlight`. */
const MAX_VUS_CAP = 10_000;

/** k6 duration text: whole seconds as `10s`, else milliseconds. */
export function k6Duration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${Math.round(ms)}ms`;
}

/**
 * k6 takes integer iteration rates per `timeUnit`: the smallest whole number of seconds that makes every
 * rate an integer (2.5/s -> 5 per 2s), up to 1000 s; beyond that rates are rounded per 1000 s.
 */
export function k6TimeUnit(ratesPerS: readonly number[]): { readonly timeUnitS: number; readonly rates: readonly number[] } {
  for (let seconds = 1; seconds <= 1000; seconds++) {
    const scaled = ratesPerS.map((rate) => rate * seconds);
    if (scaled.every((value) => Math.abs(value - Math.round(value)) < 1e-9)) return { timeUnitS: seconds, rates: scaled.map(Math.round) };
  }
  return { timeUnitS: 1000, rates: ratesPerS.map((rate) => Math.round(rate * 1000)) };
}

/** VUs an open-loop scenario pre-allocates and may grow to: `maxInFlight` when set, else enough for the request timeout. */
function openLoopVus(peakRatePerS: number, maxInFlight: number | null, requestTimeoutMs: number): { readonly preAllocatedVUs: number; readonly maxVUs: number } {
  const maxVUs = maxInFlight ?? Math.min(MAX_VUS_CAP, Math.max(1, Math.ceil((peakRatePerS * requestTimeoutMs) / 1000)));
  return { preAllocatedVUs: Math.min(maxVUs, Math.max(1, Math.ceil(peakRatePerS * 2))), maxVUs };
}

/**
 * Maps the scenario's executor to k6 scenarios.
 * @throws UsageError for `sweep` (k6 has no capacity search: run the native runner).
 */
export function k6Load(scenario: NormalizedScenario): K6Load {
  const load = scenario.load;
  const gracefulStop = k6Duration(scenario.gracefulStopMs);
  const warmup = scenario.warmupMs;
  const startTime: Record<string, string> = warmup > 0 ? { startTime: k6Duration(warmup) } : {};
  const notes: string[] = [];
  const scenarios: Record<string, K6Scenario> = {};
  const exec = (name: string) => ({ exec: name, gracefulStop });
  switch (load.executor) {
    case "constant-vus": {
      if (warmup > 0) scenarios[WARMUP_SCENARIO] = { executor: "constant-vus", vus: load.vus, duration: k6Duration(warmup), ...exec(WARMUP_SCENARIO) };
      if (load.requests !== null) {
        // A fixed request count: k6's shared-iterations (the VUs share the iterations), bounded by the request timeout per round.
        const maxDurationMs = Math.ceil(load.requests / load.vus) * scenario.timeouts.requestMs;
        scenarios[MEASURE_SCENARIO] = { executor: "shared-iterations", vus: load.vus, iterations: load.requests, maxDuration: k6Duration(maxDurationMs), ...startTime, ...exec(MEASURE_SCENARIO) };
      } else scenarios[MEASURE_SCENARIO] = { executor: "constant-vus", vus: load.vus, duration: k6Duration(load.durationMs as number), ...startTime, ...exec(MEASURE_SCENARIO) };
      break;
    }
    case "ramping-vus": {
      const warmupVus = warmupLevel(load.startVUs, load.stages);
      if (warmup > 0) scenarios[WARMUP_SCENARIO] = { executor: "constant-vus", vus: Math.max(1, warmupVus), duration: k6Duration(warmup), ...exec(WARMUP_SCENARIO) };
      scenarios[MEASURE_SCENARIO] = {
        executor: "ramping-vus",
        startVUs: load.startVUs,
        stages: load.stages.map((stage) => ({ duration: k6Duration(stage.durationMs), target: stage.target })),
        gracefulRampDown: gracefulStop,
        ...startTime,
        ...exec(MEASURE_SCENARIO),
      };
      break;
    }
    case "constant-arrival-rate": {
      if (load.arrival !== "uniform") notes.push(`arrival "${load.arrival}": k6 starts arrival-rate iterations at evenly spaced instants (uniform), not ${load.arrival} gaps`);
      const { timeUnitS, rates } = k6TimeUnit([load.ratePerS]);
      const durationMs = load.durationMs ?? Math.ceil((load.requests as number) / load.ratePerS) * 1000;
      if (load.durationMs === null) notes.push(`requests: ${load.requests}: k6's arrival-rate executors have no iteration count; run for ${k6Duration(durationMs)} at the rate instead`);
      const vus = openLoopVus(load.ratePerS, load.maxInFlight, scenario.timeouts.requestMs);
      const rate = { executor: "constant-arrival-rate", rate: rates[0] as number, timeUnit: `${timeUnitS}s`, ...vus };
      if (warmup > 0) scenarios[WARMUP_SCENARIO] = { ...rate, duration: k6Duration(warmup), ...exec(WARMUP_SCENARIO) };
      scenarios[MEASURE_SCENARIO] = { ...rate, duration: k6Duration(durationMs), ...startTime, ...exec(MEASURE_SCENARIO) };
      break;
    }
    case "ramping-arrival-rate": {
      if (load.arrival !== "uniform") notes.push(`arrival "${load.arrival}": k6 starts arrival-rate iterations at evenly spaced instants (uniform), not ${load.arrival} gaps`);
      const warmupRate = warmupLevel(load.startRatePerS, load.stages);
      const { timeUnitS, rates } = k6TimeUnit([load.startRatePerS, warmupRate, ...load.stages.map((stage) => stage.target)]);
      const peak = Math.max(load.startRatePerS, warmupRate, ...load.stages.map((stage) => stage.target));
      const vus = openLoopVus(peak, load.maxInFlight, scenario.timeouts.requestMs);
      if (warmup > 0 && warmupRate > 0) {
        scenarios[WARMUP_SCENARIO] = { executor: "constant-arrival-rate", rate: rates[1] as number, timeUnit: `${timeUnitS}s`, duration: k6Duration(warmup), ...vus, ...exec(WARMUP_SCENARIO) };
      }
      scenarios[MEASURE_SCENARIO] = {
        executor: "ramping-arrival-rate",
        startRate: rates[0] as number,
        timeUnit: `${timeUnitS}s`,
        stages: load.stages.map((stage, i) => ({ duration: k6Duration(stage.durationMs), target: rates[i + 2] as number })),
        ...vus,
        ...startTime,
        ...exec(MEASURE_SCENARIO),
      };
      break;
    }
    case "sweep":
      throw new UsageError("--runner k6: the sweep executor (capacity search) needs results between levels, which a k6 script cannot hand back; use the native runner, or one k6 run per level with constant-arrival-rate");
  }
  return { scenarios, notes };
}
