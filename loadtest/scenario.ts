/**
 * The scenario file format: what a user writes in `scenarios/*.ts` as
 * `export default { ... } satisfies Scenario`. Plain data, k6-shaped where k6 has a name for it.
 * Durations are strings (`"30s"`, `"1m30s"`, `"500ms"`) or milliseconds as numbers.
 * `normalizeScenario()` (loadtest/scenario/normalize-scenario.ts) fills defaults and checks everything.
 */
import type { ThresholdMap } from "./thresholds/threshold-types.ts";

/** A duration: `"30s"`, `"1m30s"`, `"250ms"`, or a number of milliseconds. */
export type DurationInput = string | number;

/** The inference server under test. */
export interface TargetInput {
  /** Base URL, e.g. `http://127.0.0.1:8000` (the `/v1/...` paths are added). */
  url: string;
  /** Model name sent in every request. */
  model: string;
  /** `chat` (/v1/chat/completions, default) or `completions` (/v1/completions). */
  api?: "chat" | "completions";
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** Name of an environment variable holding an API key, sent as `Authorization: Bearer <key>`. */
  apiKeyEnv?: string;
}

/** A length distribution in tokens. */
export type LengthDistribution =
  | { kind: "fixed"; value: number }
  | { kind: "uniform"; min: number; max: number }
  | { kind: "normal"; mean: number; stddev: number; min?: number; max?: number };

/** Where prompts come from. */
export type PromptSource =
  | {
      kind: "synthetic";
      /** Prompt length in tokens (the simulator's token rule; see loadtest/workload/synthetic-prompt.ts). */
      inputTokens: LengthDistribution | number;
      /** Tokens of a prefix shared by every prompt (prefix-cache workloads). */
      sharedPrefixTokens?: number;
    }
  | {
      kind: "dataset";
      /** JSONL file, one object per line with `prompt` (string) or `messages` (chat), optional `max_tokens`. Relative paths are from the scenario file. */
      path: string;
    };

/** What each request asks for. */
export interface WorkloadInput {
  prompts: PromptSource;
  /** `max_tokens` per request (dataset lines may carry their own). */
  outputTokens: LengthDistribution | number;
  /** Stream the response (default true; the TTFT/ITL metrics need it). */
  stream?: boolean;
  /** Send `stream_options.include_usage` (default true) so token counts come from the server. */
  includeUsage?: boolean;
  /** Send `ignore_eos: true` so the server produces exactly max_tokens (vLLM's benchmark default; default true). */
  ignoreEos?: boolean;
  /** Extra body fields merged into every request (temperature, ...). */
  extraBody?: Record<string, unknown>;
}

/** A ramp stage: reach `target` (VUs or rate) linearly over `duration`. */
export interface StageInput {
  duration: DurationInput;
  target: number;
}

/** Arrival process of open-loop executors. */
export type ArrivalInput = "uniform" | "poisson" | "gamma";

/** Closed loop: `vus` requests in flight all the time. */
export interface ConstantVusInput {
  executor: "constant-vus";
  vus: number;
  /** Measured duration (after warm-up); or set `requests`. */
  duration?: DurationInput;
  /** Stop after this many measured requests were sent. */
  requests?: number;
}

/** Closed loop with VU stages (k6's ramping-vus). */
export interface RampingVusInput {
  executor: "ramping-vus";
  startVUs?: number;
  stages: StageInput[];
}

/** Open loop at a constant rate. */
export interface ConstantArrivalRateInput {
  executor: "constant-arrival-rate";
  /** Arrivals per `timeUnit` (default per second). */
  rate: number;
  timeUnit?: DurationInput;
  duration?: DurationInput;
  requests?: number;
  arrival?: ArrivalInput;
  /** Gamma shape (vLLM's burstiness): < 1 burstier, > 1 smoother, 1 = Poisson. */
  burstiness?: number;
  /** Ceiling on requests in flight; arrivals beyond it wait (queue time recorded), never dropped. */
  maxInFlight?: number;
}

/** Open loop with rate stages (k6's ramping-arrival-rate). */
export interface RampingArrivalRateInput {
  executor: "ramping-arrival-rate";
  startRate?: number;
  timeUnit?: DurationInput;
  stages: StageInput[];
  arrival?: ArrivalInput;
  burstiness?: number;
  maxInFlight?: number;
}

/** Capacity search over levels of rate or concurrency. */
export interface SweepInput {
  executor: "sweep";
  /** `rate`: each level is constant-arrival-rate; `concurrency`: each level is constant-vus. */
  mode: "rate" | "concurrency";
  /** Levels to try, ascending. */
  levels: number[];
  /** Measured time per level. */
  levelDuration: DurationInput;
  /** Unmeasured time at the start of each level (default 0). */
  levelWarmup?: DurationInput;
  /** Bisection steps between the last passing and the first failing level (default 2). */
  refine?: number;
  /** Stop escalating when a level's throughput grew less than this fraction over the previous one (default 0.05). */
  saturationGrowth?: number;
  arrival?: ArrivalInput;
  burstiness?: number;
  maxInFlight?: number;
}

/** One of the executors; the `executor` string selects it (k6's names). */
export type LoadInput = ConstantVusInput | RampingVusInput | ConstantArrivalRateInput | RampingArrivalRateInput | SweepInput;

/** Per-request SLOs for goodput (ms); a request is good when it meets all given. */
export interface SloInput {
  ttftMs?: number;
  tpotMs?: number;
  e2eMs?: number;
}

/** Per-request limits that turn a slow request into a typed failure. */
export interface TimeoutsInput {
  /** No first content token within this: `ttft_timeout` (default 60s). */
  ttft?: DurationInput;
  /** No chunk for this long once streaming: `stall` (default 30s). */
  stall?: DurationInput;
  /** Whole request (default 10m). */
  request?: DurationInput;
}

/** A scenario file's default export. */
export interface Scenario {
  /** Short name, used in the report folder (default: the file name). */
  name?: string;
  description?: string;
  target: TargetInput;
  workload: WorkloadInput;
  load: LoadInput;
  /** Unmeasured lead-in with the same load shape (default none). */
  warmup?: DurationInput;
  /** Time given to in-flight requests after the plan ends or on Ctrl-C before they are aborted (default 30s). */
  gracefulStop?: DurationInput;
  thresholds?: ThresholdMap;
  slo?: SloInput;
  timeouts?: TimeoutsInput;
  /** Vigil agent to correlate with (issue 6). */
  agent?: string;
  /** Seed for every random choice (arrivals, lengths, prompts); default 1. */
  seed?: number;
  /** Window width for the per-window series (default 1s). */
  window?: DurationInput;
}
