/** The scenario after defaults, overrides and validation: what the runner and the report use. */
import type { ConstantArrivalRateLoad } from "../executors/constant-arrival-rate.ts";
import type { ConstantVusLoad } from "../executors/constant-vus.ts";
import type { RampingArrivalRateLoad } from "../executors/ramping-arrival-rate.ts";
import type { RampingVusLoad } from "../executors/ramping-vus.ts";
import type { SweepLoad } from "../executors/sweep.ts";
import type { LengthDistribution } from "../scenario.ts";
import type { ParsedThreshold, ThresholdMap } from "../thresholds/threshold-types.ts";

/** Any normalized executor. */
export type NormalizedLoad = ConstantVusLoad | RampingVusLoad | ConstantArrivalRateLoad | RampingArrivalRateLoad | SweepLoad;

/** A normalized prompt source. */
export type NormalizedPrompts =
  | { readonly kind: "synthetic"; readonly inputTokens: LengthDistribution; readonly sharedPrefixTokens: number }
  | { readonly kind: "dataset"; readonly path: string };

/** One threshold, parsed, with the metric it applies to. */
export interface ScenarioThreshold extends ParsedThreshold {
  readonly metric: string;
  readonly expression: string;
}

/** A validated scenario. */
export interface NormalizedScenario {
  readonly name: string;
  readonly description: string;
  /** Absolute path of the scenario file ("" when built in code). */
  readonly file: string;
  readonly target: {
    readonly url: string;
    readonly model: string;
    readonly api: "chat" | "completions";
    readonly headers: Readonly<Record<string, string>>;
    /** Environment variable holding the API key, or null. The key itself is read at run time and never stored. */
    readonly apiKeyEnv: string | null;
  };
  readonly workload: {
    readonly prompts: NormalizedPrompts;
    readonly outputTokens: LengthDistribution;
    readonly stream: boolean;
    readonly includeUsage: boolean;
    readonly ignoreEos: boolean;
    readonly extraBody: Readonly<Record<string, unknown>>;
  };
  readonly load: NormalizedLoad;
  readonly warmupMs: number;
  readonly gracefulStopMs: number;
  readonly thresholds: ThresholdMap;
  readonly parsedThresholds: readonly ScenarioThreshold[];
  readonly slo: { readonly ttftMs: number | null; readonly tpotMs: number | null; readonly e2eMs: number | null } | null;
  readonly timeouts: { readonly ttftMs: number; readonly stallMs: number; readonly requestMs: number };
  readonly agent: string | null;
  readonly seed: number;
  readonly windowMs: number;
}
