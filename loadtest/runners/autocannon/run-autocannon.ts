/**
 * `--runner autocannon`: non-streamed completions through autocannon's API. Every response becomes a
 * RequestRecord (sent = end - autocannon's responseTime), so stats and buildReport() are the native
 * runner's. Rate-limited runs pass `ignoreCoordinatedOmission: true` (autocannon's correction back-fills
 * 1 ms steps, see loadtest-anchors §6) and we do our own schedule accounting: request i in send order
 * was planned at start + i / rate.
 */
import { createRequire } from "node:module";
import { UsageError } from "../../../agent/errors.ts";
import type { MetricName, RunnerInfo } from "../../report/report-types.ts";
import { type ScenarioRunResult, resultFromRecords } from "../../run-scenario.ts";
import { createRequestRecord, type RequestRecord } from "../../runner/request-record.ts";
import type { NormalizedScenario } from "../../scenario/normalized-scenario.ts";
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
  /** autocannon pipelining (1 = one request per connection at a time). */
  readonly pipelining?: number;
}

/** What an autocannon run returns: the run result for buildReport() and the runner's own figures. */
export interface AutocannonRun {
  readonly result: ScenarioRunResult;
  readonly info: RunnerInfo;
}

/** Metrics a non-streamed run cannot measure. */
export const NON_STREAMED_NOT_AVAILABLE: readonly MetricName[] = ["ttftMs", "ttftVllmMs", "itlMs", "tpotMs", "ttftFromPlannedMs"];

/** autocannon's load for a scenario, or a UsageError naming what it cannot do. */
export function autocannonLoad(scenario: NormalizedScenario): { readonly connections: number; readonly durationS?: number; readonly amount?: number; readonly ratePerS: number | null } {
  if (scenario.workload.stream) throw new UsageError("--runner autocannon: workload.stream is true, and autocannon cannot time SSE chunks (no TTFT/ITL); use the native runner (drop --runner) or set workload.stream: false");
  if (scenario.warmupMs > 0) throw new UsageError("--runner autocannon: warmup is not supported (autocannon has no unmeasured phase); set warmup: 0 or use the native runner");
  const load = scenario.load;
  const bound = (durationMs: number | null, requests: number | null) => (requests !== null ? { amount: requests } : { durationS: (durationMs as number) / 1000 });
  switch (load.executor) {
    case "constant-vus":
      return { connections: load.vus, ratePerS: null, ...bound(load.durationMs, load.requests) };
    case "constant-arrival-rate":
      if (load.arrival !== "uniform") process.stderr.write(`loadtest: --runner autocannon: arrival "${load.arrival}" becomes autocannon's per-second token bucket (not ${load.arrival} gaps)\n`);
      return { connections: load.maxInFlight ?? Math.max(8, Math.ceil(load.ratePerS)), ratePerS: load.ratePerS, ...bound(load.durationMs, load.requests) };
    default:
      throw new UsageError(`--runner autocannon: executor "${load.executor}" has no autocannon equivalent (constant-vus and constant-arrival-rate do); use the native runner`);
  }
}

/** Runs the scenario through autocannon and turns each response into a RequestRecord. */
export async function runAutocannon(scenario: NormalizedScenario, options: AutocannonRunOptions): Promise<AutocannonRun> {
  const load = autocannonLoad(scenario);
  const autocannon = require("autocannon") as (opts: AutocannonOptions) => AutocannonInstance;
  const version = (require("autocannon/package.json") as { version: string }).version;
  const records: RequestRecord[] = [];
  // recordBody (onResponse) runs synchronously just before the "response" event: hand the body over.
  let lastBody: { readonly prepared: PreparedRequest; readonly body: string } | null = null;
  let index = 0;
  const originMs = options.now();
  const startedAtEpochMs = options.wallNow();
  const prepared0 = options.source.next();
  const instance = autocannon({
    url: scenario.target.url,
    connections: load.connections,
    pipelining: options.pipelining ?? 1,
    ...(load.amount !== undefined ? { amount: load.amount } : { duration: load.durationS }),
    ...(load.ratePerS !== null ? { overallRate: load.ratePerS, ignoreCoordinatedOmission: true } : {}),
    timeout: Math.ceil(scenario.timeouts.requestMs / 1000),
    requests: [
      {
        method: "POST",
        path: prepared0.path,
        headers: { ...options.headers },
        setupRequest: (request: Record<string, unknown>, context: { queue?: PreparedRequest[] }) => {
          const prepared = index === 0 ? prepared0 : options.source.next();
          const requestId = `${options.requestIdPrefix}-${index++}`;
          (context.queue ??= []).push(prepared);
          return { ...request, body: prepared.body, headers: { ...(request.headers as Record<string, string>), "x-request-id": requestId } };
        },
        onResponse: (_status: number, body: string, context: { queue?: PreparedRequest[] }) => {
          const prepared = context.queue?.shift();
          if (prepared) lastBody = { prepared, body };
        },
      },
    ],
  });
  instance.on("response", (_client, statusCode, _bytes, responseTimeMs) => {
    const endMs = options.now();
    const handed = lastBody;
    lastBody = null;
    const record = createRequestRecord({ index: records.length, phase: 0, warmup: false, plannedMs: null, slotMs: null, sentMs: endMs - responseTimeMs, inputTokensSent: handed?.prepared.inputTokens ?? 0, maxTokens: 0, requestId: "" });
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
  instance.on("reqError", (error) => {
    const endMs = options.now();
    const record = createRequestRecord({ index: records.length, phase: 0, warmup: false, plannedMs: null, slotMs: null, sentMs: endMs, inputTokensSent: 0, maxTokens: 0, requestId: "" });
    record.endMs = endMs;
    record.failure = /timed out/i.test(error.message) ? { type: "aborted", message: `autocannon: ${error.message}`, status: null } : { type: "connect", message: `autocannon: ${error.message}`, status: null };
    records.push(record);
  });
  const result = await instance;
  const endedMs = options.now();
  // Our schedule accounting: autocannon's token bucket spreads `rate` sends over each second; we plan
  // them evenly from the first send, so schedule lag shows how far sends slipped behind that.
  records.sort((a, b) => a.sentMs - b.sentMs);
  const firstSentMs = records[0]?.sentMs ?? originMs;
  let openPlan = null;
  if (load.ratePerS !== null) {
    const gapMs = 1000 / load.ratePerS;
    records.forEach((record, i) => (record.plannedMs = Math.min(record.sentMs, firstSentMs + i * gapMs)));
    const planned = load.amount ?? Math.round(((load.durationS ?? 0) * load.ratePerS));
    openPlan = { count: Math.max(planned, records.length), startMs: firstSentMs, endMs: firstSentMs + Math.max(planned, records.length) * gapMs };
  }
  const own: Record<string, number | string | null> = {
    requests: result.totalRequests ?? null,
    completed: result.totalCompletedRequests ?? null,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    latencyP50Ms: result.latency.p50 ?? null,
    latencyP99Ms: result.latency.p99 ?? null,
    latencyMaxMs: result.latency.max ?? null,
    requestsPerSAverage: result.requests.average ?? null,
    throughputBytesPerSAverage: result.throughput.average ?? null,
    connections: load.connections,
    overallRate: load.ratePerS,
  };
  const runResult = resultFromRecords(scenario, { records, originMs, startedAtEpochMs, endedAtEpochMs: options.wallNow(), durationMs: endedMs - originMs, notSent: 0, openPlan });
  return { result: runResult, info: { version, notAvailable: NON_STREAMED_NOT_AVAILABLE, own } };
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
