/**
 * Every setting of the vLLM simulator, with defaults that resemble Llama-3.1-8B on one
 * H100 (the shape of shared/fixtures/vllm-metrics-v1.txt). The CLI (main.ts) maps one
 * flag to each field; startSimulator() takes a Partial of this.
 */

/** When a fault strikes: with a seeded probability per request, and/or on every Nth request (1-based). */
export interface FaultRule {
  /** Probability 0..1 per eligible request, drawn from the fault stream of `seed`. */
  readonly rate: number;
  /** Strike on request N, 2N, 3N... of the eligible requests; 0 = never. */
  readonly every: number;
}

/** Faults the simulator injects; each injection is counted (RunningSimulator.counters(), GET /sim/counters, /sim/metrics). */
export interface FaultOptions {
  /** Completion requests answered 429 with vLLM's error body. */
  readonly http429: FaultRule;
  /** Completion requests answered 500. */
  readonly http500: FaultRule;
  /** Completion requests answered 503. */
  readonly http503: FaultRule;
  /** Streamed responses that pause writing for `stallMs` after `afterTokens` tokens (the engine keeps generating). */
  readonly stall: FaultRule;
  readonly stallMs: number;
  /** Streamed responses whose connection is cut after `afterTokens` tokens (counted by vLLM as finished_reason abort). */
  readonly disconnect: FaultRule;
  /** Streamed responses that carry one truncated, unparseable `data:` chunk after `afterTokens` tokens. */
  readonly malformedChunk: FaultRule;
  /** Content tokens written before a stream fault strikes. */
  readonly afterTokens: number;
  /** Every GET /metrics waits this long before answering. */
  readonly metricsDelayMs: number;
  /** GET /metrics answered 500 (counted per scrape). */
  readonly metricsFailure: FaultRule;
  /** /health answers 503 (and /v1/* 503) until this long after start. */
  readonly startupDelayMs: number;
}

/** Where output text comes from: seeded pseudo-words, or the prompt's own tokens repeated. */
export type OutputMode = "random" | "echo";

export interface SimulatorOptions {
  /** Interface to listen on; loopback by default. */
  readonly host: string;
  /** Port; 0 picks a free one (see RunningSimulator.port). */
  readonly port: number;
  /** Served model name (vLLM's --served-model-name); other names get vLLM's 404. */
  readonly model: string;
  /** Seeds output text, output lengths, step jitter and fault draws: same seed + same requests = same run. */
  readonly seed: number;
  /** vLLM's --max-num-seqs: sequences in the running batch. */
  readonly maxNumSeqs: number;
  /** vLLM's --max-num-batched-tokens: token budget of one engine step (chunked prefill). */
  readonly maxNumBatchedTokens: number;
  /** KV cache size in blocks (vLLM's --num-gpu-blocks-override). */
  readonly numGpuBlocks: number;
  /** Tokens per KV block (vLLM's --block-size). */
  readonly blockSize: number;
  /** vLLM's --max-model-len; the effective limit is also capped by the KV cache size. */
  readonly maxModelLen: number;
  /** vLLM's --enable-prefix-caching. */
  readonly enablePrefixCaching: boolean;
  /** Fixed cost of one engine step in ms (kernel launches, sampling, scheduling). */
  readonly stepBaseMs: number;
  /** Added to a step per sequence decoding in it, ms. */
  readonly decodeMsPerSeq: number;
  /** Added to a step per prompt token prefilled in it, ms. */
  readonly prefillMsPerToken: number;
  /** Seeded multiplicative jitter on each step: duration × (1 ± stepJitter). 0 = none. */
  readonly stepJitter: number;
  /** Multiplies every modelled duration; 0 = zero-latency mode (capacity benchmarks). */
  readonly timeScale: number;
  /** Mean natural output length (tokens before EOS) when neither max_tokens nor ignore_eos decides it. */
  readonly outputLenMean: number;
  readonly mode: OutputMode;
  readonly faults: FaultOptions;
  /** Write the fake-NVML state file here (GPU emulation); undefined = off. */
  readonly gpuStatePath: string | undefined;
  /** Add a trailing `: vigil-sim {record}` SSE comment before `data: [DONE]` (ignored by SSE clients). */
  readonly groundTruthComment: boolean;
  /** Finished request records kept for GET /sim/requests/<id> (oldest dropped first). */
  readonly recordLimit: number;
  /** What GET /version answers. */
  readonly vllmVersion: string;
}

const NO_FAULT: FaultRule = { rate: 0, every: 0 };

/** Defaults: tens of ms TTFT for short prompts at low load, 6-20 ms decode steps, an H100-80GB-sized KV cache. */
export const DEFAULT_SIMULATOR_OPTIONS: SimulatorOptions = {
  host: "127.0.0.1",
  port: 8000,
  model: "meta-llama/Llama-3.1-8B-Instruct",
  seed: 0,
  maxNumSeqs: 256,
  maxNumBatchedTokens: 8192,
  numGpuBlocks: 28268,
  blockSize: 16,
  maxModelLen: 131072,
  enablePrefixCaching: true,
  stepBaseMs: 6,
  decodeMsPerSeq: 0.06,
  prefillMsPerToken: 0.06,
  stepJitter: 0,
  timeScale: 1,
  outputLenMean: 200,
  mode: "random",
  faults: {
    http429: NO_FAULT,
    http500: NO_FAULT,
    http503: NO_FAULT,
    stall: NO_FAULT,
    stallMs: 2000,
    disconnect: NO_FAULT,
    malformedChunk: NO_FAULT,
    afterTokens: 2,
    metricsDelayMs: 0,
    metricsFailure: NO_FAULT,
    startupDelayMs: 0,
  },
  gpuStatePath: undefined,
  groundTruthComment: true,
  recordLimit: 10_000,
  vllmVersion: "0.30.0",
};

/** Input a caller may give: any field, faults field by field. */
export type SimulatorOptionsInput = Partial<Omit<SimulatorOptions, "faults">> & { readonly faults?: Partial<FaultOptions> };

/** Thrown when options are out of range; lists every problem at once. */
export class SimulatorOptionsError extends Error {
  override readonly name = "SimulatorOptionsError";
  constructor(readonly problems: readonly string[]) {
    super(`Invalid simulator options: ${problems.join("; ")}`);
  }
}

/** Merges input over the defaults and validates the result (all problems reported together). */
export function resolveSimulatorOptions(input: SimulatorOptionsInput = {}): SimulatorOptions {
  const options: SimulatorOptions = {
    ...DEFAULT_SIMULATOR_OPTIONS,
    ...Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)),
    faults: { ...DEFAULT_SIMULATOR_OPTIONS.faults, ...Object.fromEntries(Object.entries(input.faults ?? {}).filter(([, value]) => value !== undefined)) },
  } as SimulatorOptions;
  const problems: string[] = [];
  const integer = (name: string, value: number, min: number) => {
    if (!Number.isInteger(value) || value < min) problems.push(`'${name}' must be an integer >= ${min}: current value is ${value}`);
  };
  const nonNegative = (name: string, value: number) => {
    if (!Number.isFinite(value) || value < 0) problems.push(`'${name}' must be a number >= 0: current value is ${value}`);
  };
  integer("port", options.port, 0);
  if (options.port > 65535) problems.push(`'port' must be at most 65535: current value is ${options.port}`);
  if (options.model === "") problems.push("'model' must not be empty");
  integer("seed", options.seed, 0);
  integer("maxNumSeqs", options.maxNumSeqs, 1);
  integer("maxNumBatchedTokens", options.maxNumBatchedTokens, 1);
  integer("numGpuBlocks", options.numGpuBlocks, 1);
  integer("blockSize", options.blockSize, 1);
  integer("maxModelLen", options.maxModelLen, 2);
  integer("recordLimit", options.recordLimit, 0);
  integer("outputLenMean", options.outputLenMean, 1);
  for (const name of ["stepBaseMs", "decodeMsPerSeq", "prefillMsPerToken", "timeScale"] as const) nonNegative(name, options[name]);
  if (!(options.stepJitter >= 0 && options.stepJitter < 1)) problems.push(`'stepJitter' must be in [0, 1): current value is ${options.stepJitter}`);
  if (options.mode !== "random" && options.mode !== "echo") problems.push(`'mode' must be "random" or "echo": current value is ${String(options.mode)}`);
  const faults = options.faults;
  for (const name of ["http429", "http500", "http503", "stall", "disconnect", "malformedChunk", "metricsFailure"] as const) {
    const rule = faults[name];
    if (!(rule.rate >= 0 && rule.rate <= 1)) problems.push(`'faults.${name}.rate' must be in [0, 1]: current value is ${rule.rate}`);
    integer(`faults.${name}.every`, rule.every, 0);
  }
  for (const name of ["stallMs", "metricsDelayMs", "startupDelayMs"] as const) nonNegative(`faults.${name}`, faults[name]);
  integer("faults.afterTokens", faults.afterTokens, 0);
  if (problems.length > 0) throw new SimulatorOptionsError(problems);
  return options;
}
