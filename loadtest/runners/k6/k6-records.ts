/**
 * Puts k6's points back together as request records. Points of one request share the `vigil_request`
 * id that the generated script sets as metadata (read from tags too); every point is stamped when it was
 * emitted, and k6 and xk6-sse stamp `http_req_duration` at the end of the request, so a request was sent
 * at (end - duration). A file from a script Vigil did not write has no ids: each `http_req_duration`
 * point is then one request, with its status, and no token counts. Times come out in ms from the first
 * point of the file (fractional, nanosecond digits kept). Pure.
 */
import { ERROR_TYPES, type ErrorType } from "../../report/report-types.ts";
import { createRequestRecord, pushChunkTime, type RequestFailure, type RequestRecord } from "../../runner/request-record.ts";
import { ERROR_TYPE_TAG, K6_CUSTOM_METRICS, REQUEST_KEY, WARMUP_SCENARIO } from "./k6-metric-names.ts";
import type { K6Point, K6Results } from "./parse-k6-ndjson.ts";

/** The requests of a k6 results file. */
export interface K6Requests {
  /** In send order; times in ms from `originEpochMs`. */
  readonly records: readonly RequestRecord[];
  /** Epoch ms of the file's first point: time 0 of the records. */
  readonly originEpochMs: number;
  /** Last point of the file, in ms from the origin. */
  readonly lastMs: number;
  /** `dropped_iterations` of the measured run (k6 found no free VU: never sent). */
  readonly droppedIterations: number;
  readonly droppedWarmupIterations: number;
  /** Requests carried a Vigil request id (a generated script). */
  readonly grouped: boolean;
  /** TTFT points present (xk6-sse script). */
  readonly streamed: boolean;
  /** Token counts present (usage read by the script). */
  readonly tokens: boolean;
}

const HTTP_DURATION = "http_req_duration";
/** k6's error_code for a request timeout (k6 docs, "Error codes"). */
const K6_TIMEOUT_ERROR_CODE = "1050";

/** The points of one request, by what they measure. */
interface RequestPoints {
  http: K6Point | null;
  e2e: K6Point | null;
  ttft: K6Point | null;
  ttftVllm: K6Point | null;
  itl: K6Point[];
  inputTokens: K6Point | null;
  outputTokens: K6Point | null;
  error: K6Point | null;
  warmup: boolean;
}

function emptyPoints(): RequestPoints {
  return { http: null, e2e: null, ttft: null, ttftVllm: null, itl: [], inputTokens: null, outputTokens: null, error: null, warmup: false };
}

const m = K6_CUSTOM_METRICS;

/** The one-point-per-request metrics and where each goes (ITL has a point per gap). */
const FIELD_OF_METRIC: Readonly<Record<string, Exclude<keyof RequestPoints, "itl" | "warmup">>> = {
  [HTTP_DURATION]: "http",
  [m.e2eMs.name]: "e2e",
  [m.ttftMs.name]: "ttft",
  [m.ttftVllmMs.name]: "ttftVllm",
  [m.inputTokens.name]: "inputTokens",
  [m.outputTokens.name]: "outputTokens",
  [m.errorRate.name]: "error",
};

/** Turns the parsed file into request records. */
export function k6Requests(results: K6Results): K6Requests {
  let originEpochMs = Number.POSITIVE_INFINITY;
  for (const point of results.points) if (point.timeMs < originEpochMs) originEpochMs = point.timeMs;
  const byRequest = new Map<string, RequestPoints>();
  const loose: RequestPoints[] = [];
  let droppedIterations = 0;
  let droppedWarmupIterations = 0;
  let lastEpochMs = originEpochMs;
  for (const point of results.points) {
    if (point.timeMs > lastEpochMs) lastEpochMs = point.timeMs;
    const warmup = point.tags.scenario === WARMUP_SCENARIO;
    if (point.metric === "dropped_iterations") {
      if (warmup) droppedWarmupIterations += point.value;
      else droppedIterations += point.value;
      continue;
    }
    const id = point.metadata[REQUEST_KEY] ?? point.tags[REQUEST_KEY];
    let entry: RequestPoints | undefined;
    if (id !== undefined) {
      entry = byRequest.get(id);
      if (entry === undefined) byRequest.set(id, (entry = emptyPoints()));
    } else if (point.metric === HTTP_DURATION) loose.push((entry = emptyPoints()));
    if (entry === undefined) continue;
    entry.warmup ||= warmup;
    if (point.metric === m.itlMs.name) entry.itl.push(point);
    else {
      const field = FIELD_OF_METRIC[point.metric];
      if (field !== undefined) entry[field] = point;
    }
  }
  const built = [...[...byRequest.entries()].map(([id, points]) => ({ id, points })), ...loose.map((points) => ({ id: "", points }))]
    .map(({ id, points }) => toRecord(id, points, originEpochMs))
    .filter((record): record is RequestRecord => record !== null)
    .sort((a, b) => a.sentMs - b.sentMs);
  // Send order is the index (the script's iteration numbers restart per k6 scenario).
  const records = built.map((record, index) => ({ ...record, index }));
  const all = [...byRequest.values()];
  return {
    records,
    originEpochMs,
    lastMs: lastEpochMs - originEpochMs,
    droppedIterations,
    droppedWarmupIterations,
    grouped: byRequest.size > 0,
    streamed: all.some((points) => points.ttft !== null),
    tokens: all.some((points) => points.outputTokens !== null),
  };
}

/** One request's record, or null when none of its points says when it happened. */
function toRecord(id: string, points: RequestPoints, originEpochMs: number): RequestRecord | null {
  const at = (point: K6Point) => point.timeMs - originEpochMs;
  // Streamed requests are timed by the script (sent = e2e point - its value); buffered ones by k6's http_req_duration.
  const timing = points.ttft !== null && points.e2e !== null ? points.e2e : (points.http ?? points.e2e);
  const endMs = timing !== null ? at(timing) : points.error !== null ? at(points.error) : null;
  if (endMs === null) return null;
  const sentMs = timing !== null ? endMs - timing.value : endMs;
  const record = createRequestRecord({ index: 0, phase: 0, warmup: points.warmup, plannedMs: null, slotMs: null, sentMs, inputTokensSent: 0, maxTokens: 0, requestId: id });
  record.endMs = endMs;
  record.headersMs = endMs;
  const statusText = points.http?.tags.status;
  const status = statusText === undefined || statusText === "" ? null : Number(statusText);
  record.status = status;
  record.failure = failureOf(points, status);
  record.usagePromptTokens = points.inputTokens?.value ?? null;
  record.usageCompletionTokens = points.outputTokens?.value ?? null;
  if (points.ttft !== null) {
    const firstContentMs = sentMs + points.ttft.value;
    record.firstContentMs = firstContentMs;
    record.firstChoiceMs = sentMs + (points.ttftVllm?.value ?? points.ttft.value);
    let chunkMs = firstContentMs;
    pushChunkTime(record, chunkMs);
    for (const gap of points.itl) pushChunkTime(record, (chunkMs += gap.value));
    record.lastContentMs = chunkMs;
    record.lastChunkMs = chunkMs;
  }
  return record;
}

/** The request's failure: as the script classified it (vigil_error tag), else from k6's status and error_code. */
function failureOf(points: RequestPoints, status: number | null): RequestFailure | null {
  const errorCode = points.http?.tags.error_code;
  if (points.error !== null) {
    if (points.error.value === 0) return null;
    const tagged = points.error.tags[ERROR_TYPE_TAG] ?? "";
    const type: ErrorType = (ERROR_TYPES as readonly string[]).includes(tagged) ? (tagged as ErrorType) : "protocol";
    return { type, message: failureMessage(type, status, errorCode), status: status !== null && status > 0 ? status : null };
  }
  if (status === null || status === 0) {
    const type: ErrorType = errorCode === K6_TIMEOUT_ERROR_CODE ? "aborted" : "connect";
    return { type, message: failureMessage(type, status, errorCode), status: null };
  }
  if (status < 200 || status > 299) return { type: "http_status", message: failureMessage("http_status", status, errorCode), status };
  return null;
}

function failureMessage(type: ErrorType, status: number | null, errorCode: string | undefined): string {
  const code = errorCode === undefined ? "" : ` (k6 error_code ${errorCode})`;
  switch (type) {
    case "http_status":
      return `HTTP ${status ?? "?"}${code}`;
    case "aborted":
      return `k6: request timed out${code}`;
    case "connect":
      return `k6: no response${code}`;
    default:
      return `k6 script: ${type}${code}`;
  }
}
