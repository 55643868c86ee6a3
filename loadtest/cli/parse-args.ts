/**
 * The loadtest command line: `bun run loadtest <scenario.ts> [flags]`. Pure: argv in, a request out,
 * or a UsageError (exit 2) with one line naming the flag and the bad value.
 */
import { UsageError } from "../../agent/errors.ts";
import { parseDurationMs } from "../../agent/config/duration.ts";
import { HTTP_CLIENT_CHOICES, type HttpClientChoice } from "../runner/create-transport.ts";

/** Overrides of common scenario fields (applied before validation). */
export interface ScenarioOverrides {
  readonly target?: string;
  readonly model?: string;
  readonly rate?: number;
  readonly vus?: number;
  /** Duration as written (validated as a duration here). */
  readonly duration?: string;
  readonly agent?: string;
  readonly seed?: number;
  /** `--no-stream`: false (non-streamed requests, e.g. for autocannon). */
  readonly stream?: boolean;
}

/** A parsed command line. */
export type LoadtestCommand =
  | { readonly kind: "help" }
  | { readonly kind: "version" }
  | {
      readonly kind: "run";
      readonly scenarioPath: string;
      readonly overrides: ScenarioOverrides;
      /** Root folder for report folders (default `reports`). */
      readonly outRoot: string;
      /** Print the summary JSON to stdout. */
      readonly json: boolean;
      /** Also write requests.ndjson (one line per request). */
      readonly ndjson: boolean;
      /** Force the live line off even on a TTY. */
      readonly quiet: boolean;
      /** Run the scenario this many times and store the runs in one report (merged histograms + runs[]). */
      readonly repeat: number;
      /** Also write the report as the scenario's baseline, reports/baseline/<name>.json (`bun run baseline`). */
      readonly baseline: boolean;
      /** Prometheus base URL to read fleet telemetry from (issue 6), or null. */
      readonly prometheus?: string | null;
      /** Label selector for --prometheus, e.g. `{job="vigil"}`. */
      readonly prometheusSelector?: string;
      /** Who generates the load: Vigil's own (`native`), k6 (script + `k6 run`), or autocannon (non-streamed). */
      readonly runner: RunnerName;
      /** Build the report from this k6 `--out json` file (NDJSON, gzip or not) instead of running load. */
      /** k6 results files to ingest (`--ingest-k6`, repeatable: one per k6-operator runner); empty when running. */
      readonly ingestK6: readonly string[];
      /** How the native runner sends: our HTTP/1.1 client for http targets (default), or Bun's fetch. */
      readonly httpClient: HttpClientChoice;
    };

/** The load generators a scenario can run on. */
export const RUNNER_NAMES = ["native", "k6", "autocannon"] as const;
/** One of RUNNER_NAMES. */
export type RunnerName = (typeof RUNNER_NAMES)[number];

/** Flags: name, whether it takes a value, and its help line. */
export const LOADTEST_FLAGS: ReadonlyArray<{ readonly flag: string; readonly value: string | null; readonly help: string }> = [
  { flag: "target", value: "URL", help: "target base URL (overrides target.url)" },
  { flag: "model", value: "NAME", help: "model name (overrides target.model)" },
  { flag: "rate", value: "R", help: "open loop at R req/s: constant-arrival-rate, keeping the scenario's duration and arrival" },
  { flag: "vus", value: "N", help: "closed loop with N in flight: constant-vus, keeping the scenario's duration" },
  { flag: "duration", value: "D", help: "measured duration, e.g. 30s, 2m (sweep: per level)" },
  { flag: "agent", value: "URL", help: "Vigil agent to correlate with (overrides agent)" },
  { flag: "seed", value: "N", help: "seed for arrivals, lengths and prompts (overrides seed)" },
  { flag: "no-stream", value: null, help: "non-streamed requests (workload.stream: false): no TTFT/ITL; what --runner autocannon needs" },
  { flag: "prometheus", value: "URL", help: "read fleet telemetry from this Prometheus (query_range) instead of one agent" },
  { flag: "prometheus-selector", value: "SEL", help: "label selector for --prometheus, e.g. '{job=\"vigil\"}' (default: all series)" },
  { flag: "runner", value: "NAME", help: "native (default), k6 (writes a k6 script, runs k6 when on PATH) or autocannon (non-streamed)" },
  { flag: "http-client", value: "NAME", help: "native runner's client: native (our HTTP/1.1 client for http:// targets, reads stamped by the kernel on Linux; default), bun-sockets (the same client over Bun's sockets, stamped in their callback) or fetch (Bun's fetch; https:// targets always use it)" },
  { flag: "ingest-k6", value: "FILE", help: "build the report from k6 --out json files (NDJSON, .gz ok) of this scenario's k6 script; repeat it for one file per k6 instance" },
  { flag: "out", value: "DIR", help: "root folder of report folders (default reports)" },
  { flag: "json", value: null, help: "print the summary as JSON on stdout (the table goes to stderr)" },
  { flag: "ndjson", value: null, help: "also write requests.ndjson: every request's timestamps (raw data)" },
  { flag: "quiet", value: null, help: "no live progress line" },
  { flag: "repeat", value: "N", help: "run N times, one report with merged histograms and per-run summaries (compare's noise)" },
  { flag: "baseline", value: null, help: "also write reports/baseline/<scenario>.json (what `bun run baseline` does)" },
  { flag: "help", value: null, help: "show this help" },
  { flag: "version", value: null, help: "print the version" },
];

/**
 * Parses argv (after the script name).
 * @throws UsageError for unknown flags, missing values, bad numbers or durations.
 */
export function parseArgs(argv: readonly string[]): LoadtestCommand {
  const values = new Map<string, string>();
  const ingestFiles: string[] = [];
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const spec = LOADTEST_FLAGS.find((f) => f.flag === name);
    if (!spec) throw new UsageError(`unknown flag --${name} (see --help)`);
    if (values.has(name) && name !== "ingest-k6") throw new UsageError(`flag --${name} given twice`);
    if (spec.value === null) {
      if (eq !== -1) throw new UsageError(`flag --${name} takes no value, got '${arg.slice(eq + 1)}'`);
      values.set(name, "true");
    } else {
      let value = eq !== -1 ? arg.slice(eq + 1) : argv[i + 1];
      if (eq === -1) {
        if (value === undefined || value.startsWith("--")) throw new UsageError(`flag --${name} needs a value (${spec.value})`);
        i++;
      }
      value = value as string;
      values.set(name, value);
      if (name === "ingest-k6") ingestFiles.push(value);
    }
  }
  if (values.has("help")) return { kind: "help" };
  if (values.has("version")) return { kind: "version" };
  if (positional.length === 0) throw new UsageError("missing the scenario file: bun run loadtest <scenario.ts> (see --help)");
  if (positional.length > 1) throw new UsageError(`one scenario file at a time, got ${positional.length}: ${positional.join(" ")}`);
  if (values.has("rate") && values.has("vus")) throw new UsageError("--rate (open loop) and --vus (closed loop) exclude each other");
  const number = (flag: string, rule: { integer?: boolean; positive?: boolean }): number | undefined => {
    const text = values.get(flag);
    if (text === undefined) return undefined;
    const value = Number(text);
    if (text.trim() === "" || !Number.isFinite(value) || (rule.integer && !Number.isInteger(value)) || (rule.positive ? value <= 0 : value < 0)) {
      throw new UsageError(`--${flag} must be ${rule.integer ? "an integer" : "a number"} ${rule.positive ? "> 0" : ">= 0"}, got '${text}'`);
    }
    return value;
  };
  const duration = values.get("duration");
  if (duration !== undefined && !((parseDurationMs(duration) ?? 0) > 0)) throw new UsageError(`--duration must be a duration > 0 such as 30s, 1m30s, 500ms, got '${duration}'`);
  const prometheus = values.get("prometheus");
  const selector = values.get("prometheus-selector");
  if (prometheus !== undefined && !/^https?:\/\/[^\s]+$/.test(prometheus)) throw new UsageError(`--prometheus must be an http(s) URL such as http://127.0.0.1:9090, got '${prometheus}'`);
  if (selector !== undefined && prometheus === undefined) throw new UsageError("--prometheus-selector needs --prometheus URL");
  if (selector !== undefined && !/^\s*(\{[\s\S]*\})?\s*$/.test(selector)) throw new UsageError(`--prometheus-selector must be a label selector such as {job="vigil"}, got '${selector}'`);
  const runnerText = values.get("runner") ?? (values.has("ingest-k6") ? "k6" : "native");
  const runner = RUNNER_NAMES.find((name) => name === runnerText);
  if (runner === undefined) throw new UsageError(`--runner must be one of ${RUNNER_NAMES.join(", ")}, got '${runnerText}'`);
  const ingestK6 = ingestFiles;
  if (ingestK6.length > 0 && runner !== "k6") throw new UsageError(`--ingest-k6 reads a k6 result: it goes with --runner k6 (or no --runner), not '${runner}'`);
  const repeat = number("repeat", { integer: true, positive: true }) ?? 1;
  if (repeat > 1 && runner === "k6") throw new UsageError("--repeat works with the native and autocannon runners; with k6, run the script N times and ingest each file");
  const httpClientText = values.get("http-client") ?? "native";
  const httpClient = HTTP_CLIENT_CHOICES.find((name) => name === httpClientText);
  if (httpClient === undefined) throw new UsageError(`--http-client must be one of ${HTTP_CLIENT_CHOICES.join(", ")}, got '${httpClientText}'`);
  if (values.has("http-client") && runner !== "native") throw new UsageError(`--http-client picks the native runner's client; it does not apply to --runner ${runner}`);
  const overrides: ScenarioOverrides = {
    target: values.get("target"),
    model: values.get("model"),
    rate: number("rate", { positive: true }),
    vus: number("vus", { integer: true, positive: true }),
    duration,
    agent: values.get("agent"),
    seed: number("seed", { integer: true }),
    ...(values.has("no-stream") ? { stream: false } : {}),
  };
  return {
    kind: "run",
    scenarioPath: positional[0] as string,
    overrides,
    outRoot: values.get("out") ?? "reports",
    json: values.has("json"),
    ndjson: values.has("ndjson"),
    quiet: values.has("quiet"),
    repeat,
    baseline: values.has("baseline"),
    runner,
    ingestK6,
    httpClient,
    ...(prometheus !== undefined ? { prometheus, prometheusSelector: selector ?? "" } : {}),
  };
}
