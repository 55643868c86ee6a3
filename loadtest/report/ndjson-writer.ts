/**
 * Streams one JSON line per finished request to `requests.ndjson` (the `--ndjson` flag): raw
 * timestamps in ms since the run start, for users who want every data point.
 */
import type { RequestRecord } from "../runner/request-record.ts";

/** The shape of one NDJSON line. */
export interface RequestLine {
  readonly index: number;
  readonly requestId: string;
  readonly phase: number;
  readonly warmup: boolean;
  readonly plannedOffsetMs: number | null;
  readonly slotOffsetMs: number | null;
  readonly sentOffsetMs: number;
  readonly headersOffsetMs: number | null;
  readonly firstChoiceOffsetMs: number | null;
  readonly firstContentOffsetMs: number | null;
  readonly endOffsetMs: number | null;
  /** Receive time of each content chunk. */
  readonly chunkOffsetsMs: readonly number[];
  readonly status: number | null;
  readonly inputTokensSent: number;
  readonly maxTokens: number;
  readonly usagePromptTokens: number | null;
  readonly usageCompletionTokens: number | null;
  readonly error: { readonly type: string; readonly message: string } | null;
}

/** One record as a line (times relative to `originMs`, rounded to µs). */
export function requestLine(record: RequestRecord, originMs: number): RequestLine {
  const rel = (t: number | null) => (t === null ? null : Math.round((t - originMs) * 1000) / 1000);
  const chunks: number[] = new Array(record.contentChunks);
  for (let i = 0; i < record.contentChunks; i++) chunks[i] = rel(record.chunkTimesMs[i] as number) as number;
  return {
    index: record.index,
    requestId: record.requestId,
    phase: record.phase,
    warmup: record.warmup,
    plannedOffsetMs: rel(record.plannedMs),
    slotOffsetMs: rel(record.slotMs),
    sentOffsetMs: rel(record.sentMs) as number,
    headersOffsetMs: rel(record.headersMs),
    firstChoiceOffsetMs: rel(record.firstChoiceMs),
    firstContentOffsetMs: rel(record.firstContentMs),
    endOffsetMs: rel(record.endMs),
    chunkOffsetsMs: chunks,
    status: record.status,
    inputTokensSent: record.inputTokensSent,
    maxTokens: record.maxTokens,
    usagePromptTokens: record.usagePromptTokens,
    usageCompletionTokens: record.usageCompletionTokens,
    error: record.failure === null ? null : { type: record.failure.type, message: record.failure.message },
  };
}

/** Opens `path` and returns a line writer plus close(). */
export function openNdjsonWriter(path: string, originMs: () => number): { write(record: RequestRecord): void; close(): Promise<void> } {
  const sink = Bun.file(path).writer();
  return {
    write: (record) => {
      sink.write(`${JSON.stringify(requestLine(record, originMs()))}\n`);
    },
    close: async () => {
      await sink.end();
    },
  };
}
