/**
 * `--runner autocannon`: non-streamed completions through autocannon's API. Every response becomes a
 * RequestRecord (sent = end - autocannon's responseTime), so stats and buildReport() are the native
 * runner's. Rate-limited runs pass `ignoreCoordinatedOmission: true` (autocannon's correction back-fills
 * 1 ms steps, see loadtest-anchors §6) and we do our own schedule accounting: request i in send order
 * was planned at start + i / rate.
 */
import { createRequire } from "node:module";
import { UsageError } from "../../../agent/errors.ts";
import type { Finding, RunnerInfo } from "../../report/report-types.ts";
import { type ScenarioRunResult, resultFromRecords } from "../../run-scenario.ts";
import { createRequestRecord, type RequestRecord } from "../../runner/request-record.ts";
import type { NormalizedScenario } from "../../scenario/normalized-scenario.ts";
import { NON_STREAMED_NOT_AVAILABLE } from "../not-available.ts";
import type { PreparedRequest, RequestSource } from "../../workload/request-source.ts";

/** The part of autocannon's options we use (it ships no types). */
interface AutocannonOptions {
  readonly url: string;
  readonly connections: number;
  readonly pipelining: number;
  readonly duration?: number;
  readonly amount?: number;
  readonly overallRate?: number;
  readonly ignoreCoordinatedOmission?: boolean;
  readonly timeout: number;
  readonly requests: ReadonlyArray<Record<string, unknown>>;
}

/** The part of autocannon's result we read (keys read defensively: the histogram key set varies). */
interface AutocannonResult {
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly totalRequests?: number;
  readonly totalCompletedRequests?: number;
  readonly latency: Readonly<Record<string, number>>;
  readonly requests: Readonly<Record<string, number>>;
  readonly throughput: Readonly<Record<string, number>>;
}

interface AutocannonInstance extends PromiseLike<AutocannonResult> {
  on(event: "response", listener: (client: unknown, statusCode: number, resBytes: number, responseTimeMs: number) => void): void;
  on(event: "reqError", listener: (error: Error) => void): void;
  stop(): void;
}

const require = createRequire(import.meta.url);

/** Options of an autocannon run. */
export interface AutocannonRunOptions {
  readonly source: RequestSource;
  readonly headers: Readonly<Record<string, string>>;
  readonly requestIdPrefix: string;
  /** Monotonic clock (ms) and wall clock, passed in. */
  readonly now: () => number;
  readonly wallNow: () => number;
  /** Aborting it stops autocannon (Ctrl-C): the report covers what was measured, marked interrupted. */
  readonly signal?: AbortSignal;
}

/** What an autocannon run returns: the run result for buildReport() and the runner's own figures. */
export interface AutocannonRun {
  readonly result: ScenarioRunResult;
  readonly info: RunnerInfo;
  /** What the reader should know about this runner's run (requests cut at the end). */
  readonly findings: readonly Finding[];
}

/** What autocannon is asked to do. */
export interface AutocannonLoad {
  readonly connections: number;
  readonly durationS?: number;
  readonly amount?: number;
  readonly ratePerS: number | null;
  /** What the mapping could not keep (a Poisson arrival process), for the report's findings. */
  readonly notes: readonly string[];
}

/** autocannon's load for a scenario, or a UsageError naming what it cannot do. */
export function autocannonLoad(scenario: NormalizedScenario): AutocannonLoad {
  if (scenario.workload.stream) throw new UsageError("--runner autocannon: workload.stream is true, and autocannon cannot time SSE chunks (no TTFT/ITL); use the native runner (drop --runner), or pass --no-stream to measure non-streamed requests");
  const load = scenario.load;
  const bound = (durationMs: number | null, requests: number | null) => (requests !== null ? { amount: requests } : { durationS: (durationMs as number) / 1000 });
  switch (load.executor) {
    case "constant-vus":
      return { connections: load.vus, ratePerS: null, notes: [], ...bound(load.durationMs, load.requests) };
    case "constant-arrival-rate":
      const notes = load.arrival === "uniform" ? [] : [`arrival "${load.arrival}" became autocannon's per-second token bucket (not ${load.arrival} gaps)`];
      return { connections: load.maxInFlight ?? Math.max(8, Math.ceil(load.ratePerS)), ratePerS: load.ratePerS, notes, ...bound(load.durationMs, load.requests) };
    default:
      throw new UsageError(`--runner autocannon: executor "${load.executor}" has no autocannon equivalent (constant-vus and constant-arrival-rate do); use the native runner`);
  }
}

/** A request autocannon built (setupRequest) and may have sent, until its response is seen. */
interface Pending {
  readonly prepared: PreparedRequest;
  readonly requestId: string;
  readonly index: number;
  readonly builtMs: number;
}

/**
 * Runs the scenario through autocannon and turns each response into a RequestRecord. A warm-up is a
 * first autocannon run of `warmup` seconds whose records are marked warm-up (counted, not measured).
 * Requests that got no response become failed records (connection error, timeout), or, when autocannon
 * cut them at the end of its duration, `info.own.cutAtEnd` (see runInstance).
 */
export async function runAutocannon(scenario: NormalizedScenario, options: AutocannonRunOptions): Promise<AutocannonRun> {
  const load = autocannonLoad(scenario);
  const version = (require("autocannon/package.json") as { version: string }).version;
  const originMs = options.now();
  const startedAtEpochMs = options.wallNow();
  const counter = { index: 0 };
  const records: RequestRecord[] = [];
  if (scenario.warmupMs > 0) {
    const warmup = await runInstance(scenario, { ...load, amount: undefined, durationS: scenario.warmupMs / 1000 }, options, counter, true);
    records.push(...warmup.records);
  }
  const measureStartMs = options.now();
  const measured = options.signal?.aborted ? null : await runInstance(scenario, load, options, counter, false);
  records.push(...(measured?.records ?? []));
  const endedMs = options.now();
  // Our schedule accounting: autocannon's token bucket spreads `rate` sends over each second; we plan
  // them evenly from the first measured send, so schedule lag shows how far sends slipped behind that.
  records.sort((a, b) => a.sentMs - b.sentMs);
  const measuredRecords = records.filter((record) => !record.warmup);
  const firstSentMs = measuredRecords[0]?.sentMs ?? measureStartMs;
  let openPlan = null;
  if (load.ratePerS !== null) {
    const gapMs = 1000 / load.ratePerS;
    measuredRecords.forEach((record, i) => (record.plannedMs = Math.min(record.sentMs, firstSentMs + i * gapMs)));
    const planned = Math.max(load.amount ?? Math.round((load.durationS ?? 0) * load.ratePerS), measuredRecords.length);
    openPlan = { count: planned, startMs: firstSentMs, endMs: firstSentMs + planned * gapMs };
  }
  const result = measured?.result;
  const cut = measured?.cut ?? 0;
  const own: Record<string, number | string | null> = {
    // The aggregated result keeps the totals inside its histograms: requests.sent, requests.total.
    requests: result?.totalRequests ?? result?.requests.sent ?? null,
    completed: result?.totalCompletedRequests ?? result?.requests.total ?? null,
    errors: result?.errors ?? null,
    timeouts: result?.timeouts ?? null,
    non2xx: result?.non2xx ?? null,
    latencyP50Ms: result?.latency.p50 ?? null,
    latencyP99Ms: result?.latency.p99 ?? null,
    latencyMaxMs: result?.latency.max ?? null,
    requestsPerSAverage: result?.requests.average ?? null,
    throughputBytesPerSAverage: result?.throughput.average ?? null,
    connections: load.connections,
    overallRate: load.ratePerS,
    cutAtEnd: cut,
  };
  const interrupted = options.signal?.aborted ?? false;
  // Window 0 starts with the warm-up; the measured phase where the measured autocannon run began.
  const runResult = resultFromRecords(scenario, { records, originMs, startedAtEpochMs, endedAtEpochMs: options.wallNow(), durationMs: endedMs - originMs, notSent: 0, openPlan, interrupted, measureStartMs: scenario.warmupMs > 0 ? measureStartMs : originMs });
  const findings: Finding[] = load.notes.map((note) => ({ severity: "info", code: "runner-approximation", message: `--runner autocannon: ${note}.` }));
  if (cut > 0) findings.push({ severity: "info", code: "runner-cut-at-end", message: `${cut} request${cut === 1 ? " was" : "s were"} in flight when autocannon stopped at the end of its duration (it closes its connections; it has no graceful stop): not measured and not errors. The server saw ${cut} more than 'started'.` });
  return { result: runResult, info: { version, notAvailable: NON_STREAMED_NOT_AVAILABLE, own }, findings };
}

/** One autocannon run: its records (measured or warm-up) and autocannon's own result. */
async function runInstance(scenario: NormalizedScenario, load: AutocannonLoad, options: AutocannonRunOptions, counter: { index: number }, warmup: boolean): Promise<{ readonly records: RequestRecord[]; readonly result: AutocannonResult; readonly cut: number }> {
  const autocannon = require("autocannon") as (opts: AutocannonOptions) => AutocannonInstance;
  const records: RequestRecord[] = [];
  // autocannon resets `context` before building each request, and calls onResponse (recordBody) with the
  // context of the request just answered, synchronously before its "response" event: hand it over.
  let answered: { readonly pending: Pending; readonly body: string } | null = null;
  const pending = new Map<string, Pending>();
  const reqErrors: Array<{ readonly atMs: number; readonly message: string }> = [];
  const build = (): Pending => {
    const entry: Pending = { prepared: options.source.next(), requestId: `${options.requestIdPrefix}-${counter.index}`, index: counter.index, builtMs: options.now() };
    counter.index++;
    pending.set(entry.requestId, entry);
    return entry;
  };
  const first = build();
  let firstUsed = false;
  const instance = autocannon({
    url: scenario.target.url,
    connections: load.connections,
    // One request per connection at a time: HTTP pipelining would break the request/response pairing above.
    pipelining: 1,
    ...(load.amount !== undefined ? { amount: load.amount } : { duration: load.durationS }),
    ...(load.ratePerS !== null ? { overallRate: load.ratePerS, ignoreCoordinatedOmission: true } : {}),
    timeout: Math.ceil(scenario.timeouts.requestMs / 1000),
    requests: [
      {
        method: "POST",
        path: first.prepared.path,
        headers: { ...options.headers },
        setupRequest: (request: Record<string, unknown>, context: { current?: Pending }) => {
          const entry = firstUsed ? build() : first;
          firstUsed = true;
          context.current = entry;
          return { ...request, body: entry.prepared.body, headers: { ...(request.headers as Record<string, string>), "x-request-id": entry.requestId } };
        },
        onResponse: (_status: number, body: string, context: { current?: Pending }) => {
          if (context.current) answered = { pending: context.current, body };
        },
      },
    ],
  });
  const onStop = () => instance.stop();
  options.signal?.addEventListener("abort", onStop, { once: true });
  instance.on("response", (_client, statusCode, _bytes, responseTimeMs) => {
    const endMs = options.now();
    const handed = answered;
    answered = null;
    if (handed) pending.delete(handed.pending.requestId);
    const record = recordOf(handed?.pending ?? null, endMs - responseTimeMs, warmup);
    record.endMs = endMs;
    record.headersMs = endMs;
    record.status = statusCode;
    if (statusCode < 200 || statusCode > 299) {
      record.failure = { type: "http_status", message: `HTTP ${statusCode}: ${errorMessage(handed?.body ?? "")}`, status: statusCode };
    } else {
      const usage = usageOf(handed?.body ?? "");
      record.usagePromptTokens = usage.promptTokens;
      record.usageCompletionTokens = usage.completionTokens;
      if (usage.completionTokens === null) record.failure = { type: "protocol", message: "response has no usage and no choices", status: statusCode };
    }
    records.push(record);
  });
  instance.on("reqError", (error) => reqErrors.push({ atMs: options.now(), message: error.message }));
  const result = await instance;
  options.signal?.removeEventListener("abort", onStop);
  const endedMs = options.now();
  // Requests without a response: each autocannon error goes to the oldest one built before it; the rest
  // were in flight when autocannon stopped (it closes its connections at the end of the duration).
  const unanswered = [...pending.values()].sort((a, b) => a.builtMs - b.builtMs);
  for (const error of reqErrors) {
    const at = unanswered.findIndex((entry) => entry.builtMs <= error.atMs);
    if (at === -1) continue;
    const [entry] = unanswered.splice(at, 1) as [Pending];
    const record = recordOf(entry, entry.builtMs, warmup);
    record.endMs = error.atMs;
    record.failure = /timed? ?out/i.test(error.message) ? { type: "aborted", message: `autocannon: ${error.message}`, status: null } : { type: "connect", message: `autocannon: ${error.message}`, status: null };
    records.push(record);
  }
  // The rest were in flight when autocannon stopped: it closes its connections at the end of the duration
  // (it has no graceful stop), answered or not. That is the runner's doing, not the server's: they are
  // not errors and have no latency. Warm-up ones stay warm-up records (counted apart); measured ones are
  // counted in RunnerInfo.own.cutAtEnd and a finding, so started + cutAtEnd = what the server accepted.
  let cut = 0;
  for (const entry of unanswered) {
    if (!warmup) {
      cut++;
      continue;
    }
    const record = recordOf(entry, entry.builtMs, warmup);
    record.endMs = endedMs;
    record.failure = { type: "aborted", message: "in flight when the warm-up's autocannon run stopped", status: null };
    records.push(record);
  }
  return { records, result, cut };
}

function recordOf(entry: Pending | null, sentMs: number, warmup: boolean): RequestRecord {
  return createRequestRecord({ index: entry?.index ?? -1, phase: 0, warmup, plannedMs: null, slotMs: null, sentMs, inputTokensSent: entry?.prepared.inputTokens ?? 0, maxTokens: entry?.prepared.maxTokens ?? 0, requestId: entry?.requestId ?? "" });
}

function usageOf(body: string): { readonly promptTokens: number | null; readonly completionTokens: number | null } {
  try {
    const parsed = JSON.parse(body) as { usage?: { prompt_tokens?: number; completion_tokens?: number } };
    return { promptTokens: parsed.usage?.prompt_tokens ?? null, completionTokens: parsed.usage?.completion_tokens ?? null };
  } catch {
    return { promptTokens: null, completionTokens: null };
  }
}

function errorMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: string }; message?: string };
    return (parsed.error?.message ?? parsed.message ?? body).slice(0, 200);
  } catch {
    return body.slice(0, 200);
  }
}
