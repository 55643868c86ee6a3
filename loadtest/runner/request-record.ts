/**
 * What the runner records about one request: monotonic timestamps (`performance.now()` ms) and
 * counts, nothing derived. Metrics (TTFT, ITL, ...) are computed from it by the stats layer, so the
 * definitions live in one place. Chunk times go into a preallocated Float64Array.
 */
import type { ErrorType } from "../report/report-types.ts";

/** One request's failure. */
export interface RequestFailure {
  readonly type: ErrorType;
  /** One line: `HTTP 503: server overloaded`, `no chunk for 2000 ms`. */
  readonly message: string;
  /** HTTP status when there was a response, else null. */
  readonly status: number | null;
}

/** One request, filled in by the runner as it progresses. All `...Ms` are `performance.now()` values. */
export interface RequestRecord {
  /** Send order, 0-based over the whole run. */
  readonly index: number;
  /** Phase (sweep level) it belongs to, 0 for ordinary runs. */
  readonly phase: number;
  /** Sent during a warm-up (excluded from stats). */
  readonly warmup: boolean;
  /** Planned send (open loop), else null. */
  plannedMs: number | null;
  /** When a maxInFlight slot was free (open loop with a ceiling), else null. */
  slotMs: number | null;
  /** Just before fetch() was called. */
  sentMs: number;
  /** Response headers arrived. */
  headersMs: number | null;
  /** First chunk with a non-empty `choices` array (vLLM benchmark's TTFT point). */
  firstChoiceMs: number | null;
  /** First chunk with non-empty content (our TTFT point). */
  firstContentMs: number | null;
  /** Last chunk with non-empty content. */
  lastContentMs: number | null;
  /** Last chunk of any kind (for stall detection). */
  lastChunkMs: number | null;
  /** Body fully read, or the failure was seen. */
  endMs: number | null;
  /** Number of content chunks; their times are `chunkTimesMs[0..contentChunks)`. */
  contentChunks: number;
  /** Receive time of every content chunk (grown by doubling when full). */
  chunkTimesMs: Float64Array;
  /** Prompt tokens the harness counted when building the body. */
  readonly inputTokensSent: number;
  readonly maxTokens: number;
  /** From the server's usage chunk (or non-streamed usage), else null. */
  usagePromptTokens: number | null;
  usageCompletionTokens: number | null;
  /** HTTP status, null before headers. */
  status: number | null;
  /** null while running or on success. */
  failure: RequestFailure | null;
  /** `x-request-id` sent with the request (`<run id>-<index>`), to join with server logs. */
  readonly requestId: string;
}

/** Chunk times of a request that expects none (not streamed): shared, replaced by the first pushChunkTime. */
const NO_CHUNKS = new Float64Array(0);

/** A new record for a request about to be sent; `expectedChunks` (default max_tokens + 2) sizes the chunk-time array. */
export function createRequestRecord(init: {
  readonly index: number;
  readonly phase: number;
  readonly warmup: boolean;
  readonly plannedMs: number | null;
  readonly slotMs: number | null;
  readonly sentMs: number;
  readonly inputTokensSent: number;
  readonly maxTokens: number;
  readonly requestId: string;
  readonly expectedChunks?: number;
}): RequestRecord {
  const expectedChunks = Math.min(65_536, init.expectedChunks ?? init.maxTokens + 2);
  // Spelled out rather than `...init`: one object of a fixed shape, built once per request.
  return {
    index: init.index,
    phase: init.phase,
    warmup: init.warmup,
    plannedMs: init.plannedMs,
    slotMs: init.slotMs,
    sentMs: init.sentMs,
    headersMs: null,
    firstChoiceMs: null,
    firstContentMs: null,
    lastContentMs: null,
    lastChunkMs: null,
    endMs: null,
    contentChunks: 0,
    chunkTimesMs: expectedChunks === 0 ? NO_CHUNKS : new Float64Array(expectedChunks),
    inputTokensSent: init.inputTokensSent,
    maxTokens: init.maxTokens,
    usagePromptTokens: null,
    usageCompletionTokens: null,
    status: null,
    failure: null,
    requestId: init.requestId,
  };
}

/** Appends a content chunk time, growing the array when needed (rare: more chunks than max_tokens). */
export function pushChunkTime(record: RequestRecord, atMs: number): void {
  if (record.contentChunks === record.chunkTimesMs.length) {
    const grown = new Float64Array(Math.max(16, record.chunkTimesMs.length * 2));
    grown.set(record.chunkTimesMs);
    record.chunkTimesMs = grown;
  }
  record.chunkTimesMs[record.contentChunks++] = atMs;
}
