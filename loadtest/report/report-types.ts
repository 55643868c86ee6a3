/**
 * The report model, schema `vigil.report/v1`: everything one `bun run loadtest` measured, as plain
 * JSON. Every view (terminal table, HTML, Markdown, JUnit) and `compare` is a pure function of it.
 *
 * Conventions used by every field below:
 * - Units are in the names: `...Ms` milliseconds, `...PerS` per second, `...Bytes` bytes, counts bare.
 * - Times named `...OffsetMs` are monotonic milliseconds since the run started (`run.startedAtEpochMs`);
 *   wall time = `run.startedAtEpochMs + offsetMs`. Fields named `...EpochMs` are wall clock (ms since 1970).
 * - Latency metrics are recorded in HDR histograms in **microseconds** (sub-ms resolution) and reported
 *   in **milliseconds**; count metrics (tokens per request) are recorded and reported as counts.
 * - Warm-up requests are counted in `counts.warmup` but excluded from every distribution and rate.
 * - A field that does not apply is `null` (never omitted), so readers can tell "not measured" from 0.
 *
 * Additive changes (new optional fields) keep `vigil.report/v1`; a change that alters the meaning or
 * type of an existing field needs `vigil.report/v2`.
 */
import type { TelemetryReport } from "./telemetry-types.ts";

/** The schema tag every report carries in `schema`. */
export const REPORT_SCHEMA = "vigil.report/v1" as const;

/** The latency and size distributions the harness measures (keys of `summary`, `histograms`, windows). */
export const METRIC_NAMES = [
  "ttftMs",
  "ttftVllmMs",
  "itlMs",
  "tpotMs",
  "e2eMs",
  "ttftFromPlannedMs",
  "e2eFromPlannedMs",
  "queueMs",
  "scheduleLagMs",
  "inputTokens",
  "outputTokens",
] as const;

/** One of {@link METRIC_NAMES}. */
export type MetricName = (typeof METRIC_NAMES)[number];

/**
 * What each metric means, printed into every report (`definitions`) so a reader years later knows
 * exactly what was measured. All "sent" times are the instant just before `fetch()` was called.
 */
export const METRIC_DEFINITIONS: Readonly<Record<MetricName, string>> = {
  ttftMs: "Time to first token: first chunk carrying non-empty content (delta.content or text) minus actual send.",
  ttftVllmMs:
    "TTFT as `vllm bench serve` reports it: first chunk with a non-empty `choices` array (includes the chat role chunk with empty content) minus actual send.",
  itlMs: "Inter-token latency: every gap between consecutive content chunks, pooled over all requests (a distribution of gaps, not of requests).",
  tpotMs: "Time per output token, per request: (last content chunk - first content chunk) / (output tokens - 1); only requests with > 1 output token.",
  e2eMs: "End to end: last byte of the response (stream end) minus actual send.",
  ttftFromPlannedMs: "TTFT measured from the planned send time (open loop only): includes schedule lag and queueing, so it shows coordinated omission.",
  e2eFromPlannedMs: "E2E measured from the planned send time (open loop only).",
  queueMs: "Time an open-loop request waited for a free slot under `maxInFlight` (planned send to slot acquired).",
  scheduleLagMs: "Schedule lag: actual send minus planned send (open loop only), queueing included; > 0 means the generator or the ceiling delayed it.",
  inputTokens: "Prompt tokens per request: `usage.prompt_tokens` when the server sends usage, else the harness's own count of the prompt it built.",
  outputTokens: "Output tokens per request: `usage.completion_tokens` when the server sends usage, else the number of content chunks.",
};

/** Typed request failures (`errors.byType`); a failure is a recorded request, never a crash. */
export const ERROR_TYPES = [
  "connect",
  "http_status",
  "ttft_timeout",
  "stall",
  "protocol",
  "disconnected",
  "aborted",
] as const;

/**
 * One of {@link ERROR_TYPES}:
 * - `connect`: the TCP/HTTP connection could not be made or failed before response headers.
 * - `http_status`: a non-2xx status (the body's error message is kept in examples).
 * - `ttft_timeout`: no first content token within `timeouts.ttftMs`.
 * - `stall`: no chunk for `timeouts.stallMs` after the stream started.
 * - `protocol`: a malformed SSE frame or chunk JSON, or a stream with no valid chunk.
 * - `disconnected`: the body ended or broke before `[DONE]` (mid-stream disconnect).
 * - `aborted`: cut off by the harness (Ctrl-C grace period or the end-of-run grace period expired).
 */
export type ErrorType = (typeof ERROR_TYPES)[number];

/** The whole report, written as `reports/<scenario>-<time>/report.json`. */
export interface Report {
  /** Always {@link REPORT_SCHEMA}. */
  readonly schema: typeof REPORT_SCHEMA;
  /** When, where and how the run happened. */
  readonly run: RunMetadata;
  /** The scenario as run: the normalized scenario after defaults and CLI overrides (secrets removed). */
  readonly scenario: ScenarioAsRun;
  /** Text definition of every metric, keyed like `summary`. */
  readonly definitions: Readonly<Record<MetricName, string>>;
  /** Request and token counts over the whole measurement (all runs, warm-up counted separately). */
  readonly counts: RunCounts;
  /** Throughput over the measured window (warm-up excluded). */
  readonly throughput: Throughput;
  /** Summary per metric over the whole measurement; `null` where nothing was recorded. */
  readonly summary: Readonly<Record<MetricName, MetricSummary | null>>;
  /** Encoded HDR histogram per metric over the whole measurement; `null` where nothing was recorded. */
  readonly histograms: Readonly<Record<MetricName, EncodedHistogram | null>>;
  /** Per-window series (default 1 s windows), in time order, covering the whole run including warm-up. */
  readonly windows: WindowSeries;
  /** Failures by type, with a few examples each. */
  readonly errors: ErrorSummary;
  /** Whether the load generator kept its schedule (open loop) and how far it fell behind. */
  readonly schedule: ScheduleReport;
  /** Goodput: requests that met every SLO in `scenario.slo`. */
  readonly goodput: GoodputReport;
  /** Each threshold expression with its measured value and verdict (empty when none were given). */
  readonly thresholds: readonly ThresholdResult[];
  /** Sweep levels and the knee; `null` unless the executor was `sweep`. */
  readonly sweep: SweepReport | null;
  /**
   * One entry per repetition of the run (a later `--repeat N` stores several; today always one),
   * so `compare` can estimate run-to-run noise. Top-level fields are the merge of all runs.
   */
  readonly runs: readonly RunSummary[];
  /** Agent/Prometheus timeline joined per window (issue 6); `null` when no agent was given or reachable. */
  readonly telemetry: TelemetryReport | null;
  /** Things a reader should know about the run (generator fell behind, pseudo-streaming, ...). */
  readonly findings: readonly Finding[];
}

/** Run metadata with the environment fingerprint. */
export interface RunMetadata {
  /** Unique id: `<scenario name>-<UTC time compact>`, also the report folder name. */
  readonly id: string;
  /** Wall-clock start (ms since 1970): the origin of every `...OffsetMs`. */
  readonly startedAtEpochMs: number;
  /** ISO 8601 of `startedAtEpochMs`. */
  readonly startedAt: string;
  /** Wall-clock end (ms since 1970). */
  readonly endedAtEpochMs: number;
  /** Monotonic duration of the whole run, warm-up and grace included. */
  readonly durationMs: number;
  /** `completed` normally; `interrupted` after Ctrl-C (what was measured is still reported). */
  readonly status: "completed" | "interrupted";
  /** The exit code the CLI returned: 0 ok, 1 failure, 99 thresholds failed, 130 interrupted. */
  readonly exitCode: number;
  /** The runner that produced the records: `native` (Vigil's own), `k6` or `autocannon`. */
  readonly runner: "native" | "k6" | "autocannon";
  /** The native runner's HTTP client and where its read times come from; absent for external runners and older reports. */
  readonly client?: ClientInfo;
  /** External runners (issue 9): what the runner could not measure and its own figures; absent for native. */
  readonly runnerInfo?: RunnerInfo;
  /** Window width for `windows` (default 1000). */
  readonly windowMs: number;
  /** The command line as typed (argv after `bun loadtest/main.ts`), for reproduction. */
  readonly argv: readonly string[];
  /** Where it ran and against what. */
  readonly environment: EnvironmentFingerprint;
}

/** How the native runner's requests travelled, and what each chunk's time is. */
export interface ClientInfo {
  /** `http1` = Vigil's HTTP/1.1 client (plain http://); `fetch` = Bun's fetch (https://, `--http-client fetch`). */
  readonly client: "http1" | "fetch";
  /**
   * `kernel`: the kernel's receive time of the read (SO_TIMESTAMPNS), not moved by a busy event loop;
   * `socket-callback`: taken in Bun's socket data callback; `body-reader`: when fetch's body reader returned it.
   */
  readonly receiveStamps: "kernel" | "socket-callback" | "body-reader";
  /** Why the stamps are not the kernel's where the kernel's were asked for (`--http-client native`), else null. */
  readonly fallbackReason: string | null;
}

/** What an external runner (k6, autocannon) reported about itself. */
export interface RunnerInfo {
  /** Runner version when known (`k6 version`, autocannon's package.json), else null. */
  readonly version: string | null;
  /** Report metrics this runner cannot measure (e.g. `ttftMs`, `itlMs` for non-streamed requests): null in `summary`, not zero. */
  readonly notAvailable: readonly MetricName[];
  /** The runner's own figures, as it reported them (k6: exit code, dropped_iterations; autocannon: its result counts and latency percentiles). */
  readonly own: Readonly<Record<string, number | string | null>>;
}

/** What ran where: enough to tell whether two reports are comparable. */
export interface EnvironmentFingerprint {
  /** Vigil's version (package.json + build). */
  readonly harnessVersion: string;
  /** `git rev-parse HEAD` of the harness checkout, or null outside git. */
  readonly gitCommit: string | null;
  /** True when the checkout had uncommitted changes; null when unknown. */
  readonly gitDirty: boolean | null;
  /** `Bun.version`. */
  readonly bunVersion: string;
  /** `process.platform`/`process.arch`, e.g. `linux`/`x64`. */
  readonly platform: string;
  readonly arch: string;
  /** `os.hostname()`. */
  readonly host: string;
  /** Logical CPUs of the load generator host. */
  readonly cpuCount: number;
  /** First CPU's model string. */
  readonly cpuModel: string;
  /** Total memory of the generator host. */
  readonly memoryTotalBytes: number;
  /** What the target said about itself before the run. */
  readonly target: TargetFingerprint;
}

/** The target's own description, fetched once before the run (failures recorded, never fatal). */
export interface TargetFingerprint {
  /** Base URL of the target. */
  readonly url: string;
  /** Body of `GET /v1/models` (JSON), or null when it failed. */
  readonly models: unknown;
  /** Body of `GET /version` (JSON), or null when it failed (not every server has it). */
  readonly version: unknown;
  /** One line per fingerprint request that failed. */
  readonly errors: readonly string[];
}

/** The normalized scenario, JSON-safe; the API key itself is never written, only its variable's name. */
export type ScenarioAsRun = Readonly<Record<string, unknown>> & {
  readonly name: string;
  readonly seed: number;
};

/** Request and token counts. `started = completed + failed + (in flight when aborted are in failed as `aborted`)`. */
export interface RunCounts {
  /** Requests the plan asked for (open loop: planned arrivals; closed loop: null). */
  readonly planned: number | null;
  /** Requests sent (fetch called), measured ones only. */
  readonly started: number;
  /** Requests that finished successfully (2xx, a complete stream). */
  readonly completed: number;
  /** Requests that failed, any type (also in `errors`). */
  readonly failed: number;
  /** Open-loop arrivals that were never sent because the run was stopped (Ctrl-C / end of grace). */
  readonly notSent: number;
  /** Warm-up requests sent (excluded from every other field). */
  readonly warmup: number;
  /** Sum of input tokens of completed requests (usage when sent, else the harness's count). */
  readonly inputTokens: number;
  /** Sum of output tokens of completed requests (usage when sent, else counted chunks). */
  readonly outputTokens: number;
  /** Where output token counts came from: all from usage, all counted, or a mix. */
  readonly tokenSource: "usage" | "counted" | "mixed" | "none";
  /** Completed requests where the usage count differed from the number of content chunks. */
  readonly chunkTokenMismatches: number;
}

/** Rates over the measured window (`durationMs`, warm-up excluded). */
export interface Throughput {
  /** First measured send to the end of the last measured request. */
  readonly durationMs: number;
  /** Completed requests per second. */
  readonly requestsPerS: number;
  /** Output tokens of completed requests per second. */
  readonly outputTokensPerS: number;
  /** Input + output tokens of completed requests per second. */
  readonly totalTokensPerS: number;
  /** Requests sent per second (compare with the target rate). */
  readonly sentPerS: number;
  /** Completed requests that met every SLO, per second (= requestsPerS when no SLO is set); also in `goodput`. */
  readonly goodputPerS: number;
}

/** A distribution summary in the metric's unit (ms for `...Ms`, counts otherwise). */
export interface MetricSummary {
  readonly count: number;
  readonly mean: number;
  readonly stddev: number;
  readonly min: number;
  readonly max: number;
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  /** The 99.9th percentile. */
  readonly p999: number;
}

/**
 * An HDR histogram as `hdr-histogram-js` `encodeIntoCompressedBase64` writes it (HdrHistogram V2
 * compressed encoding, the format of every HdrHistogram port), so any percentile can be recomputed and
 * histograms from several runs or windows merged with `add()`.
 * Decode: `decodeFromCompressedBase64(data)`; divide values by `unitsPerReportedUnit` for the report unit.
 */
export interface EncodedHistogram {
  /** The encoded histogram. */
  readonly data: string;
  /** Unit of the recorded values: `us` (microseconds) for latency metrics, `count` for token counts. */
  readonly recordedUnit: "us" | "count";
  /** Recorded units per reported unit: 1000 for latencies (µs -> ms), 1 for counts. */
  readonly unitsPerReportedUnit: number;
  /** Significant decimal digits the histogram keeps. */
  readonly significantDigits: number;
}

/** The per-window series: one entry per window from the run start, none skipped (empty windows are zeros). */
export interface WindowSeries {
  /** Window width. */
  readonly windowMs: number;
  readonly windows: readonly ReportWindow[];
}

/** One time window. Requests are attributed by event time: started at send, completed/errors at end. */
export interface ReportWindow {
  /** 0-based window number. */
  readonly index: number;
  /** Window start since the run start (`index * windowMs`). */
  readonly startOffsetMs: number;
  /** Window start as wall clock, for joining with the agent timeline. */
  readonly startEpochMs: number;
  /** Which phase the window belongs to: warm-up, measurement, or a sweep level (its index in `sweep.levels`). */
  readonly phase: "warmup" | "measure" | { readonly sweepLevel: number };
  /** Requests sent in this window. */
  readonly started: number;
  /** Requests completed successfully in this window. */
  readonly completed: number;
  /** Failures ending in this window, by type (only types with a count > 0). */
  readonly errors: Readonly<Partial<Record<ErrorType, number>>>;
  /** Most requests in flight at once during the window. */
  readonly inFlightMax: number;
  /** Time-weighted mean of requests in flight over the window. */
  readonly inFlightMean: number;
  /** Output tokens received in the window (each request's tokens spread over its content chunks' times). */
  readonly outputTokens: number;
  /** `outputTokens` per second of window. */
  readonly outputTokensPerS: number;
  /** Percentiles per latency metric in the window; a metric with no value in the window is absent. */
  readonly latency: Readonly<Partial<Record<MetricName, WindowPercentiles>>>;
  /** Encoded histograms per metric for this window (absent when empty). */
  readonly histograms: Readonly<Partial<Record<MetricName, EncodedHistogram>>>;
}

/** The few numbers per window and metric a chart needs; the full distribution is in `histograms`. */
export interface WindowPercentiles {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

/** Failures by type. */
export interface ErrorSummary {
  /** All failed requests (measured ones). */
  readonly total: number;
  /** Failures over started requests, 0..1. */
  readonly rate: number;
  /** Each type that occurred. */
  readonly byType: Readonly<Partial<Record<ErrorType, ErrorTypeSummary>>>;
}

/** One error type's count and the first few examples. */
export interface ErrorTypeSummary {
  readonly count: number;
  /** Count by HTTP status (`"503": 4`); filled for `http_status`, and for other types that had a status. */
  readonly byStatus: Readonly<Record<string, number>>;
  /** Up to 5 examples, first seen first. */
  readonly examples: readonly ErrorExample[];
}

/** One failed request, as an example. */
export interface ErrorExample {
  /** Request index in send order. */
  readonly requestIndex: number;
  /** When it failed, since the run start. */
  readonly atOffsetMs: number;
  /** One-line message (`HTTP 503: server overloaded`, `no chunk for 2000 ms`, ...). */
  readonly message: string;
  /** HTTP status for `http_status`, else null. */
  readonly status: number | null;
}

/** How well the generator kept its plan. */
export interface ScheduleReport {
  /** `open` (arrival-rate executors), `closed` (VU executors), or `mixed` (a sweep can mix). */
  readonly model: "open" | "closed" | "mixed";
  /** Mean planned send rate over the measured plan, or null for closed loop. */
  readonly targetRatePerS: number | null;
  /** Achieved send rate over the same span, or null for closed loop. */
  readonly achievedRatePerS: number | null;
  /** Achieved over target, 0..1+ (null for closed loop). */
  readonly achievedRatio: number | null;
  /** Distribution of actual minus planned send (open loop), null for closed loop. */
  readonly lagMs: MetricSummary | null;
  /** Requests that waited for `maxInFlight` (open loop with a ceiling). */
  readonly queuedRequests: number;
  /** True when the generator fell behind (lag p99 or achieved rate outside the limits below). */
  readonly fellBehind: boolean;
  /** Why `fellBehind` is true, one line each (empty when false). */
  readonly reasons: readonly string[];
  /** The limits used: lag p99 above this is "behind". */
  readonly lagP99LimitMs: number | null;
  /** Achieved/target below this is "behind". */
  readonly minAchievedRatio: number | null;
}

/** Goodput against the scenario's per-request SLOs (DistServe definition: a request is good if it meets every SLO). */
export interface GoodputReport {
  /** The SLOs used (ms), or null when the scenario gave none (then goodput = completed). */
  readonly slo: { readonly ttftMs: number | null; readonly tpotMs: number | null; readonly e2eMs: number | null } | null;
  /** Completed requests that met every SLO. */
  readonly goodRequests: number;
  /** Good requests per second over the measured window. */
  readonly goodputPerS: number;
  /** Good over completed, 0..1 (null when none completed). */
  readonly goodRatio: number | null;
}

/** One threshold expression, evaluated at the end of the run (k6's grammar). */
export interface ThresholdResult {
  /** Metric name as written (`ttft_ms`, `error_rate`, `output_tokens_per_s`, ...). */
  readonly metric: string;
  /** The expression as written, e.g. `p(95)<500`. */
  readonly expression: string;
  /** `avg`, `min`, `max`, `med`, `count`, `rate`, `value` or `p(N)`. */
  readonly aggregation: string;
  readonly operator: "<" | "<=" | ">" | ">=" | "==" | "!=";
  /** The number on the right. */
  readonly limit: number;
  /** The measured value, or null when the metric had no data (a threshold with no data fails). */
  readonly actual: number | null;
  readonly passed: boolean;
}

/** Sweep levels and the knee. */
export interface SweepReport {
  /** What a level sets: an arrival rate (req/s) or a concurrency (VUs). */
  readonly mode: "rate" | "concurrency";
  /** Levels in the order run (initial levels then refinement levels). */
  readonly levels: readonly SweepLevel[];
  /** The capacity knee: the highest level that met every threshold, or null when none did. */
  readonly knee: number | null;
  /** Index in `levels` of the knee, or null. */
  readonly kneeLevelIndex: number | null;
  /** Why the sweep stopped: all levels ran (`levels-done`), throughput stopped growing (`saturated`), a level failed and refinement finished (`threshold-failed`), or Ctrl-C (`interrupted`). */
  readonly stopReason: "levels-done" | "saturated" | "threshold-failed" | "interrupted";
}

/** One sweep level's result. */
export interface SweepLevel {
  /** Requests per second (rate mode) or VUs (concurrency mode). */
  readonly level: number;
  /** True for a level added by refinement between the last passing and first failing level. */
  readonly refinement: boolean;
  /** Start and measured duration of the level (its own warm-up excluded). */
  readonly startOffsetMs: number;
  readonly durationMs: number;
  readonly counts: RunCounts;
  readonly throughput: Throughput;
  readonly errorRate: number;
  /** Summaries of the main latency metrics at this level. */
  readonly summary: Readonly<Partial<Record<MetricName, MetricSummary | null>>>;
  /** Achieved send rate / target (rate mode), else null. */
  readonly achievedRatio: number | null;
  /** The thresholds evaluated on this level alone. */
  readonly thresholds: readonly ThresholdResult[];
  /** Met every threshold. */
  readonly passed: boolean;
  /** The server looked saturated here (throughput stopped growing or the generator could not keep the rate). */
  readonly saturated: boolean;
}

/** One repetition of the run: its own totals and whole-run histograms (windows are in the top level). */
export interface RunSummary {
  /** 0-based repetition. */
  readonly index: number;
  readonly startOffsetMs: number;
  readonly durationMs: number;
  readonly counts: RunCounts;
  readonly throughput: Throughput;
  readonly summary: Readonly<Record<MetricName, MetricSummary | null>>;
  readonly histograms: Readonly<Record<MetricName, EncodedHistogram | null>>;
  readonly errorRate: number;
}

/** A note about the run that a reader should see. */
export interface Finding {
  readonly severity: "info" | "warning" | "error";
  /** Stable code, e.g. `generator-behind`, `chunks-not-tokens`, `pseudo-streaming`, `interrupted`. */
  readonly code: string;
  readonly message: string;
}
