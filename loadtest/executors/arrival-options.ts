/** Options shared by the open-loop executors: arrival process, burstiness, in-flight ceiling, time unit. */
import { type Problems, readChoice, readDurationMs, readNumber } from "../scenario/problems.ts";
import type { ArrivalProcess } from "./plan.ts";

/** The normalized shared options. */
export interface ArrivalOptions extends ArrivalProcess {
  readonly maxInFlight: number | null;
}

/** Default arrival process: Poisson, what production traffic looks like and what vLLM's benchmark uses. */
export const DEFAULT_ARRIVAL = "poisson" as const;

/** Checks `arrival`, `burstiness` (gamma only) and `maxInFlight`. */
export function validateArrivalOptions(input: Record<string, unknown>, path: string, problems: Problems): ArrivalOptions | undefined {
  const arrival = readChoice(input.arrival, `${path}.arrival`, problems, ["uniform", "poisson", "gamma"] as const, DEFAULT_ARRIVAL);
  const burstiness = readNumber(input.burstiness, `${path}.burstiness`, problems, { gt: 0 }, 1);
  if (input.burstiness !== undefined && arrival !== "gamma") problems.add(`${path}.burstiness`, `applies only to arrival "gamma", got arrival ${JSON.stringify(arrival)}`);
  const maxInFlight = input.maxInFlight === undefined ? null : readNumber(input.maxInFlight, `${path}.maxInFlight`, problems, { integer: true, min: 1 });
  if (arrival === undefined || burstiness === undefined || maxInFlight === undefined) return undefined;
  return { arrival, burstiness, maxInFlight };
}

/** Reads `timeUnit` (default 1s) and returns ms per unit. */
export function readTimeUnitMs(input: Record<string, unknown>, path: string, problems: Problems): number | undefined {
  return readDurationMs(input.timeUnit, `${path}.timeUnit`, problems, { fallback: 1000, positive: true });
}

/** "poisson", "gamma(b=0.5)", "uniform", plus the ceiling when set. */
export function describeArrival(options: ArrivalOptions): string {
  const process = options.arrival === "gamma" ? `gamma(burstiness ${options.burstiness})` : options.arrival;
  return options.maxInFlight === null ? process : `${process}, at most ${options.maxInFlight} in flight`;
}
