/**
 * Turns a scenario file's default export (unknown at run time: a TS file can lie about its type)
 * into a NormalizedScenario, filling defaults and reporting every problem with its field path.
 * The one place where shortcuts (a bare number for a fixed length) are expanded.
 */
import { validateConstantArrivalRate } from "../executors/constant-arrival-rate.ts";
import { validateConstantVus } from "../executors/constant-vus.ts";
import { validateRampingArrivalRate } from "../executors/ramping-arrival-rate.ts";
import { validateRampingVus } from "../executors/ramping-vus.ts";
import { validateSweep } from "../executors/sweep.ts";
import type { LengthDistribution } from "../scenario.ts";
import { parseThreshold } from "../thresholds/parse-threshold.ts";
import { allowsAggregation, AGGREGATIONS_BY_KIND, THRESHOLD_METRICS } from "../thresholds/threshold-metrics.ts";
import type { NormalizedLoad, NormalizedPrompts, NormalizedScenario, ScenarioThreshold } from "./normalized-scenario.ts";
import { isRecord, Problems, readBoolean, readChoice, readDurationMs, readNumber, readString, rejectUnknownKeys, show } from "./problems.ts";
import { ScenarioError } from "./scenario-error.ts";

const TOP_LEVEL = ["name", "description", "target", "workload", "load", "warmup", "gracefulStop", "thresholds", "slo", "timeouts", "agent", "seed", "window"] as const;
const EXECUTORS = ["constant-vus", "ramping-vus", "constant-arrival-rate", "ramping-arrival-rate", "sweep"] as const;

/** Defaults, in one place so `--help` and the README can print them. */
export const SCENARIO_DEFAULTS = {
  api: "chat",
  stream: true,
  includeUsage: true,
  ignoreEos: true,
  gracefulStopMs: 30_000,
  ttftTimeoutMs: 60_000,
  stallTimeoutMs: 30_000,
  requestTimeoutMs: 600_000,
  seed: 1,
  windowMs: 1_000,
} as const;

/**
 * Validates and normalizes a scenario.
 * @throws ScenarioError listing every problem (`load.rate: must be > 0, got -3`).
 */
export function normalizeScenario(input: unknown, options: { readonly file: string; readonly defaultName: string }): NormalizedScenario {
  const problems = new Problems();
  if (!isRecord(input)) throw new ScenarioError(options.file, [`the default export must be a scenario object, got ${show(input)}`]);
  rejectUnknownKeys(input, "", problems, TOP_LEVEL);
  const name = readString(input.name, "name", problems, options.defaultName) ?? options.defaultName;
  if (!/^[\w.-]+$/.test(name)) problems.add("name", `must use only letters, digits, '.', '_' and '-' (it names the report folder), got ${show(name)}`);
  const description = input.description === undefined ? "" : (readString(input.description, "description", problems) ?? "");
  const target = readTarget(input.target, problems);
  const workload = readWorkload(input.workload, problems);
  const load = readLoad(input.load, problems);
  const warmupMs = readDurationMs(input.warmup, "warmup", problems, { fallback: 0 });
  const gracefulStopMs = readDurationMs(input.gracefulStop, "gracefulStop", problems, { fallback: SCENARIO_DEFAULTS.gracefulStopMs });
  const parsedThresholds = readThresholds(input.thresholds, problems);
  const slo = readSlo(input.slo, problems);
  const timeouts = readTimeouts(input.timeouts, problems);
  const agent = input.agent === undefined ? null : readUrl(input.agent, "agent", problems);
  const seed = readNumber(input.seed, "seed", problems, { integer: true, min: 0, max: 2 ** 32 - 1 }, SCENARIO_DEFAULTS.seed);
  const windowMs = readDurationMs(input.window, "window", problems, { fallback: SCENARIO_DEFAULTS.windowMs, positive: true });
  if (load?.executor === "sweep" && warmupMs !== undefined && warmupMs > 0) problems.add("warmup", "does not apply to sweep (use load.levelWarmup)");
  if (!problems.empty || !target || !workload || !load || warmupMs === undefined || gracefulStopMs === undefined) throw new ScenarioError(options.file, problems.lines);
  if (!parsedThresholds || slo === undefined || !timeouts || agent === undefined || seed === undefined || windowMs === undefined) throw new ScenarioError(options.file, problems.lines);
  return {
    name,
    description,
    file: options.file,
    target,
    workload,
    load,
    warmupMs,
    gracefulStopMs,
    thresholds: Object.fromEntries(groupBy(parsedThresholds)),
    parsedThresholds,
    slo,
    timeouts,
    agent,
    seed,
    windowMs,
  };
}

function readUrl(value: unknown, path: string, problems: Problems): string | undefined {
  const text = readString(value, path, problems);
  if (text === undefined) return undefined;
  try {
    const url = new URL(text);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("scheme");
    return text.replace(/\/+$/, "");
  } catch {
    // new URL() throws a TypeError with no useful detail; the problem line says what is expected.
    problems.add(path, `must be an http(s) URL such as "http://127.0.0.1:8000", got ${show(value)}`);
    return undefined;
  }
}

function readTarget(value: unknown, problems: Problems): NormalizedScenario["target"] | undefined {
  if (!isRecord(value)) {
    problems.add("target", `is required: { url, model, api? }, got ${show(value)}`);
    return undefined;
  }
  rejectUnknownKeys(value, "target", problems, ["url", "model", "api", "headers", "apiKeyEnv"]);
  const url = readUrl(value.url, "target.url", problems);
  const model = readString(value.model, "target.model", problems);
  const api = readChoice(value.api, "target.api", problems, ["chat", "completions"] as const, SCENARIO_DEFAULTS.api);
  const headers: Record<string, string> = {};
  if (value.headers !== undefined) {
    if (!isRecord(value.headers)) problems.add("target.headers", `must be an object of strings, got ${show(value.headers)}`);
    else {
      for (const [key, header] of Object.entries(value.headers)) {
        if (typeof header !== "string") problems.add(`target.headers.${key}`, `must be a string, got ${show(header)}`);
        else headers[key] = header;
      }
    }
  }
  const apiKeyEnv = value.apiKeyEnv === undefined ? null : readString(value.apiKeyEnv, "target.apiKeyEnv", problems);
  if (url === undefined || model === undefined || api === undefined || apiKeyEnv === undefined) return undefined;
  return { url, model, api, headers, apiKeyEnv };
}

function readLength(value: unknown, path: string, problems: Problems, minimum: number): LengthDistribution | undefined {
  if (typeof value === "number") {
    const fixed = readNumber(value, path, problems, { integer: true, min: minimum });
    return fixed === undefined ? undefined : { kind: "fixed", value: fixed };
  }
  if (!isRecord(value)) {
    problems.add(path, `must be a token count or { kind: "fixed" | "uniform" | "normal", ... }, got ${show(value)}`);
    return undefined;
  }
  const kind = readChoice(value.kind, `${path}.kind`, problems, ["fixed", "uniform", "normal"] as const);
  const integer = { integer: true, min: minimum };
  if (kind === "fixed") {
    rejectUnknownKeys(value, path, problems, ["kind", "value"]);
    const fixed = readNumber(value.value, `${path}.value`, problems, integer);
    return fixed === undefined ? undefined : { kind, value: fixed };
  }
  if (kind === "uniform") {
    rejectUnknownKeys(value, path, problems, ["kind", "min", "max"]);
    const min = readNumber(value.min, `${path}.min`, problems, integer);
    const max = readNumber(value.max, `${path}.max`, problems, integer);
    if (min === undefined || max === undefined) return undefined;
    if (max < min) problems.add(`${path}.max`, `must be >= min (${min}), got ${max}`);
    return { kind, min, max };
  }
  if (kind === "normal") {
    rejectUnknownKeys(value, path, problems, ["kind", "mean", "stddev", "min", "max"]);
    const mean = readNumber(value.mean, `${path}.mean`, problems, { gt: 0 });
    const stddev = readNumber(value.stddev, `${path}.stddev`, problems, { min: 0 });
    const min = readNumber(value.min, `${path}.min`, problems, integer, minimum);
    const max = value.max === undefined ? undefined : readNumber(value.max, `${path}.max`, problems, integer);
    if (mean === undefined || stddev === undefined || min === undefined) return undefined;
    if (max !== undefined && max < min) problems.add(`${path}.max`, `must be >= min (${min}), got ${max}`);
    return max === undefined ? { kind, mean, stddev, min } : { kind, mean, stddev, min, max };
  }
  return undefined;
}

function readWorkload(value: unknown, problems: Problems): NormalizedScenario["workload"] | undefined {
  if (!isRecord(value)) {
    problems.add("workload", `is required: { prompts, outputTokens }, got ${show(value)}`);
    return undefined;
  }
  rejectUnknownKeys(value, "workload", problems, ["prompts", "outputTokens", "stream", "includeUsage", "ignoreEos", "extraBody"]);
  const prompts = readPrompts(value.prompts, problems);
  const outputTokens = readLength(value.outputTokens, "workload.outputTokens", problems, 1);
  const stream = readBoolean(value.stream, "workload.stream", problems, SCENARIO_DEFAULTS.stream);
  const includeUsage = readBoolean(value.includeUsage, "workload.includeUsage", problems, SCENARIO_DEFAULTS.includeUsage);
  const ignoreEos = readBoolean(value.ignoreEos, "workload.ignoreEos", problems, SCENARIO_DEFAULTS.ignoreEos);
  let extraBody: Record<string, unknown> = {};
  if (value.extraBody !== undefined) {
    if (!isRecord(value.extraBody)) problems.add("workload.extraBody", `must be an object, got ${show(value.extraBody)}`);
    else extraBody = value.extraBody;
  }
  if (prompts === undefined || outputTokens === undefined) return undefined;
  return { prompts, outputTokens, stream, includeUsage, ignoreEos, extraBody };
}

function readPrompts(value: unknown, problems: Problems): NormalizedPrompts | undefined {
  if (!isRecord(value)) {
    problems.add("workload.prompts", `is required: { kind: "synthetic", inputTokens } or { kind: "dataset", path }, got ${show(value)}`);
    return undefined;
  }
  const kind = readChoice(value.kind, "workload.prompts.kind", problems, ["synthetic", "dataset"] as const);
  if (kind === "synthetic") {
    rejectUnknownKeys(value, "workload.prompts", problems, ["kind", "inputTokens", "sharedPrefixTokens"]);
    const inputTokens = readLength(value.inputTokens, "workload.prompts.inputTokens", problems, 1);
    const sharedPrefixTokens = readNumber(value.sharedPrefixTokens, "workload.prompts.sharedPrefixTokens", problems, { integer: true, min: 0 }, 0);
    if (inputTokens === undefined || sharedPrefixTokens === undefined) return undefined;
    return { kind, inputTokens, sharedPrefixTokens };
  }
  if (kind === "dataset") {
    rejectUnknownKeys(value, "workload.prompts", problems, ["kind", "path"]);
    const path = readString(value.path, "workload.prompts.path", problems);
    return path === undefined ? undefined : { kind, path };
  }
  return undefined;
}

function readLoad(value: unknown, problems: Problems): NormalizedLoad | undefined {
  if (!isRecord(value)) {
    problems.add("load", `is required: { executor: ${EXECUTORS.map((e) => JSON.stringify(e)).join(" | ")}, ... }, got ${show(value)}`);
    return undefined;
  }
  const executor = readChoice(value.executor, "load.executor", problems, EXECUTORS);
  switch (executor) {
    case "constant-vus":
      return validateConstantVus(value, "load", problems);
    case "ramping-vus":
      return validateRampingVus(value, "load", problems);
    case "constant-arrival-rate":
      return validateConstantArrivalRate(value, "load", problems);
    case "ramping-arrival-rate":
      return validateRampingArrivalRate(value, "load", problems);
    case "sweep":
      return validateSweep(value, "load", problems);
    case undefined:
      return undefined;
  }
}

function readThresholds(value: unknown, problems: Problems): ScenarioThreshold[] | undefined {
  if (value === undefined) return [];
  if (!isRecord(value)) {
    problems.add("thresholds", `must be { metric: ["p(95)<500", ...] }, got ${show(value)}`);
    return undefined;
  }
  const out: ScenarioThreshold[] = [];
  for (const [metric, expressions] of Object.entries(value)) {
    const path = `thresholds.${metric}`;
    const definition = THRESHOLD_METRICS[metric];
    if (!definition) {
      problems.add(path, `unknown metric (known: ${Object.keys(THRESHOLD_METRICS).join(", ")})`);
      continue;
    }
    if (!Array.isArray(expressions)) {
      problems.add(path, `must be an array of expressions like ["p(95)<500"], got ${show(expressions)}`);
      continue;
    }
    expressions.forEach((expression, index) => {
      if (typeof expression !== "string") {
        problems.add(`${path}[${index}]`, `must be a string like "p(95)<500", got ${show(expression)}`);
        return;
      }
      try {
        const parsed = parseThreshold(expression);
        if (!allowsAggregation(definition.kind, parsed.aggregation)) {
          problems.add(`${path}[${index}]`, `${parsed.aggregation} does not apply to ${metric} (a ${definition.kind}; use ${AGGREGATIONS_BY_KIND[definition.kind].join(", ")}), got ${show(expression)}`);
          return;
        }
        out.push({ ...parsed, metric, expression });
      } catch (error) {
        problems.add(`${path}[${index}]`, (error as Error).message);
      }
    });
  }
  return out;
}

function readSlo(value: unknown, problems: Problems): NormalizedScenario["slo"] | undefined {
  if (value === undefined) return null;
  if (!isRecord(value)) {
    problems.add("slo", `must be { ttftMs?, tpotMs?, e2eMs? }, got ${show(value)}`);
    return undefined;
  }
  rejectUnknownKeys(value, "slo", problems, ["ttftMs", "tpotMs", "e2eMs"]);
  const read = (key: "ttftMs" | "tpotMs" | "e2eMs") => (value[key] === undefined ? null : (readNumber(value[key], `slo.${key}`, problems, { gt: 0 }) ?? null));
  return { ttftMs: read("ttftMs"), tpotMs: read("tpotMs"), e2eMs: read("e2eMs") };
}

function readTimeouts(value: unknown, problems: Problems): NormalizedScenario["timeouts"] | undefined {
  const input = value === undefined ? {} : value;
  if (!isRecord(input)) {
    problems.add("timeouts", `must be { ttft?, stall?, request? }, got ${show(value)}`);
    return undefined;
  }
  rejectUnknownKeys(input, "timeouts", problems, ["ttft", "stall", "request"]);
  const ttftMs = readDurationMs(input.ttft, "timeouts.ttft", problems, { fallback: SCENARIO_DEFAULTS.ttftTimeoutMs, positive: true });
  const stallMs = readDurationMs(input.stall, "timeouts.stall", problems, { fallback: SCENARIO_DEFAULTS.stallTimeoutMs, positive: true });
  const requestMs = readDurationMs(input.request, "timeouts.request", problems, { fallback: SCENARIO_DEFAULTS.requestTimeoutMs, positive: true });
  if (ttftMs === undefined || stallMs === undefined || requestMs === undefined) return undefined;
  return { ttftMs, stallMs, requestMs };
}

function groupBy(thresholds: readonly ScenarioThreshold[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const threshold of thresholds) map.set(threshold.metric, [...(map.get(threshold.metric) ?? []), threshold.expression]);
  return map;
}
