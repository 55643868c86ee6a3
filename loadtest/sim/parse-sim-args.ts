/**
 * The simulator's command line: one flag per SimulatorOptions field (vLLM's own flag
 * names where vLLM has one), parsed table-driven; every problem is reported at once.
 */
import { parseDurationMs } from "../../agent/config/duration.ts";
import type { FaultOptions, FaultRule, SimulatorOptionsInput } from "./simulator-options.ts";
import { DEFAULT_SIMULATOR_OPTIONS } from "./simulator-options.ts";

/** A bad command line; main.ts prints it and exits 2. */
export class SimUsageError extends Error {
  override readonly name = "SimUsageError";
}

type Kind = "int" | "number" | "string" | "duration" | "rate" | "flag";

interface FlagSpec {
  readonly flag: string;
  readonly kind: Kind;
  readonly help: string;
  readonly apply: (into: MutableInput, value: number | string | boolean) => void;
  readonly current: string;
}

type MutableInput = { -readonly [K in keyof SimulatorOptionsInput]: SimulatorOptionsInput[K] } & { faults: { -readonly [K in keyof FaultOptions]?: FaultOptions[K] } };

const D = DEFAULT_SIMULATOR_OPTIONS;
const F = D.faults;

function set<K extends keyof SimulatorOptionsInput>(key: K) {
  return (into: MutableInput, value: number | string | boolean) => {
    (into as Record<string, unknown>)[key] = value;
  };
}

function fault<K extends keyof FaultOptions>(key: K) {
  return (into: MutableInput, value: number | string | boolean) => {
    (into.faults as Record<string, unknown>)[key] = value;
  };
}

function ruleField(key: "http429" | "http500" | "http503" | "stall" | "disconnect" | "malformedChunk" | "metricsFailure", field: keyof FaultRule) {
  return (into: MutableInput, value: number | string | boolean) => {
    const rule = (into.faults[key] ?? F[key]) as FaultRule;
    into.faults[key] = { ...rule, [field]: value as number };
  };
}

const FLAGS: readonly FlagSpec[] = [
  { flag: "--host", kind: "string", help: "Interface to listen on", apply: set("host"), current: D.host },
  { flag: "--port", kind: "int", help: "Port (0 = any free port)", apply: set("port"), current: String(D.port) },
  { flag: "--model", kind: "string", help: "Served model name (vLLM's --served-model-name)", apply: set("model"), current: D.model },
  { flag: "--served-model-name", kind: "string", help: "Same as --model", apply: set("model"), current: D.model },
  { flag: "--seed", kind: "int", help: "Seed for text, lengths, jitter and fault draws", apply: set("seed"), current: String(D.seed) },
  { flag: "--max-num-seqs", kind: "int", help: "Sequences in the running batch", apply: set("maxNumSeqs"), current: String(D.maxNumSeqs) },
  { flag: "--max-num-batched-tokens", kind: "int", help: "Token budget per engine step (chunked prefill)", apply: set("maxNumBatchedTokens"), current: String(D.maxNumBatchedTokens) },
  { flag: "--num-gpu-blocks", kind: "int", help: "KV cache blocks", apply: set("numGpuBlocks"), current: String(D.numGpuBlocks) },
  { flag: "--block-size", kind: "int", help: "Tokens per KV block", apply: set("blockSize"), current: String(D.blockSize) },
  { flag: "--max-model-len", kind: "int", help: "Context length (capped by the KV cache)", apply: set("maxModelLen"), current: String(D.maxModelLen) },
  { flag: "--enable-prefix-caching", kind: "flag", help: "Reuse cached prompt-prefix blocks", apply: (into) => set("enablePrefixCaching")(into, true), current: String(D.enablePrefixCaching) },
  { flag: "--no-enable-prefix-caching", kind: "flag", help: "Turn prefix caching off", apply: (into) => set("enablePrefixCaching")(into, false), current: "" },
  { flag: "--step-base-ms", kind: "number", help: "Fixed cost of an engine step, ms", apply: set("stepBaseMs"), current: String(D.stepBaseMs) },
  { flag: "--decode-ms-per-seq", kind: "number", help: "Step cost per decoding sequence, ms", apply: set("decodeMsPerSeq"), current: String(D.decodeMsPerSeq) },
  { flag: "--prefill-ms-per-token", kind: "number", help: "Step cost per prefilled token, ms", apply: set("prefillMsPerToken"), current: String(D.prefillMsPerToken) },
  { flag: "--step-jitter", kind: "number", help: "Seeded step-time jitter, fraction in [0, 1)", apply: set("stepJitter"), current: String(D.stepJitter) },
  { flag: "--time-scale", kind: "number", help: "Multiplies modelled durations (0 = zero latency)", apply: set("timeScale"), current: String(D.timeScale) },
  { flag: "--zero-latency", kind: "flag", help: "Same as --time-scale 0 (capacity benchmarks)", apply: (into) => set("timeScale")(into, 0), current: "" },
  { flag: "--output-len-mean", kind: "int", help: "Mean natural output length before EOS, tokens", apply: set("outputLenMean"), current: String(D.outputLenMean) },
  { flag: "--mode", kind: "string", help: "Output text: random | echo", apply: set("mode"), current: D.mode },
  { flag: "--gpu-state", kind: "string", help: "Write the fake-NVML state file here (GPU emulation)", apply: set("gpuStatePath"), current: "off" },
  { flag: "--no-ground-truth-comment", kind: "flag", help: "Leave out the `: vigil-sim {record}` SSE comment", apply: (into) => set("groundTruthComment")(into, false), current: "" },
  { flag: "--record-limit", kind: "int", help: "Ground-truth records kept for /sim/requests", apply: set("recordLimit"), current: String(D.recordLimit) },
  { flag: "--vllm-version", kind: "string", help: "What GET /version answers", apply: set("vllmVersion"), current: D.vllmVersion },
  ...(["429", "500", "503"] as const).flatMap((status) => [
    { flag: `--error-rate-${status}`, kind: "rate" as const, help: `Fraction of completion requests answered ${status}`, apply: ruleField(`http${status}`, "rate"), current: "0" },
    { flag: `--error-every-${status}`, kind: "int" as const, help: `Answer every Nth completion request ${status}`, apply: ruleField(`http${status}`, "every"), current: "0" },
  ]),
  { flag: "--stall-rate", kind: "rate", help: "Fraction of streams that stall", apply: ruleField("stall", "rate"), current: "0" },
  { flag: "--stall-every", kind: "int", help: "Stall every Nth stream", apply: ruleField("stall", "every"), current: "0" },
  { flag: "--stall-duration", kind: "duration", help: "How long a stall holds writes (bare number = seconds)", apply: fault("stallMs"), current: `${F.stallMs}ms` },
  { flag: "--disconnect-rate", kind: "rate", help: "Fraction of streams cut mid-stream", apply: ruleField("disconnect", "rate"), current: "0" },
  { flag: "--disconnect-every", kind: "int", help: "Cut every Nth stream", apply: ruleField("disconnect", "every"), current: "0" },
  { flag: "--malformed-rate", kind: "rate", help: "Fraction of streams with one malformed chunk", apply: ruleField("malformedChunk", "rate"), current: "0" },
  { flag: "--malformed-every", kind: "int", help: "Malformed chunk in every Nth stream", apply: ruleField("malformedChunk", "every"), current: "0" },
  { flag: "--fault-after-tokens", kind: "int", help: "Content chunks written before a stream fault strikes", apply: fault("afterTokens"), current: String(F.afterTokens) },
  { flag: "--metrics-delay", kind: "duration", help: "Delay every GET /metrics", apply: fault("metricsDelayMs"), current: "0s" },
  { flag: "--metrics-fail-rate", kind: "rate", help: "Fraction of /metrics scrapes answered 500", apply: ruleField("metricsFailure", "rate"), current: "0" },
  { flag: "--metrics-fail-every", kind: "int", help: "Answer every Nth /metrics scrape 500", apply: ruleField("metricsFailure", "every"), current: "0" },
  { flag: "--startup-delay", kind: "duration", help: "Not ready (/health 503) for this long after start", apply: fault("startupDelayMs"), current: "0s" },
];

const BY_FLAG = new Map(FLAGS.map((spec) => [spec.flag, spec]));

/** `--help` text. */
export function renderSimHelp(): string {
  const width = Math.max(...FLAGS.map((spec) => spec.flag.length)) + 10;
  const lines = FLAGS.map((spec) => {
    const left = spec.kind === "flag" ? spec.flag : `${spec.flag} ${spec.kind === "duration" ? "DURATION" : spec.kind === "string" ? "TEXT" : "N"}`;
    const current = spec.current === "" ? "" : ` (default ${spec.current})`;
    return `  ${left.padEnd(width)}${spec.help}${current}`;
  });
  return `Usage: bun run sim -- [flags]\n\nA vLLM OpenAI-compatible server simulator with a continuous-batching timing model.\n\n${lines.join("\n")}\n  --help${" ".repeat(width - 6)}Show this help\n`;
}

/** Parses argv (without the program); returns "help" for --help. Throws SimUsageError listing every problem. */
export function parseSimArgs(argv: readonly string[]): SimulatorOptionsInput | "help" {
  const into: MutableInput = { faults: {} };
  const problems: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--help" || arg === "-h") return "help";
    const eq = arg.indexOf("=");
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const spec = BY_FLAG.get(name);
    if (spec === undefined) {
      problems.push(`unknown flag ${JSON.stringify(arg)} (see --help)`);
      if (eq === -1 && argv[i + 1] !== undefined && !(argv[i + 1] as string).startsWith("--")) i++; // its value, most likely
      continue;
    }
    if (spec.kind === "flag") {
      spec.apply(into, true);
      continue;
    }
    const text = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (text === undefined) {
      problems.push(`${name} needs a value`);
      continue;
    }
    const value = parseValue(spec.kind, text);
    if (value === undefined) problems.push(`${name} must be ${describe(spec.kind)}: got ${JSON.stringify(text)}`);
    else spec.apply(into, value);
  }
  if (problems.length > 0) throw new SimUsageError(problems.join("; "));
  return into;
}

function parseValue(kind: Kind, text: string): number | string | undefined {
  switch (kind) {
    case "string":
      return text;
    case "duration":
      return parseDurationMs(text, { bareUnit: "s" });
    case "int":
      return /^\d+$/.test(text) ? Number(text) : undefined;
    case "rate": {
      const value = Number(text);
      return text.trim() !== "" && value >= 0 && value <= 1 ? value : undefined;
    }
    default: {
      const value = Number(text);
      return text.trim() !== "" && Number.isFinite(value) ? value : undefined;
    }
  }
}

function describe(kind: Kind): string {
  return kind === "int" ? "a non-negative integer" : kind === "rate" ? "a fraction in [0, 1]" : kind === "duration" ? "a duration like 500ms, 2s or 1m" : "a number";
}
