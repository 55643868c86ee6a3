/**
 * The metric definitions (DESIGN §3), computed from one RequestRecord. The only place that turns
 * timestamps into TTFT, TPOT, E2E, ..., so the report's `definitions` text and the numbers agree.
 */
import type { RequestRecord } from "../runner/request-record.ts";

/** Per-request values in ms (null where the metric does not apply). */
export interface RequestMetrics {
  readonly ttftMs: number | null;
  readonly ttftVllmMs: number | null;
  readonly tpotMs: number | null;
  readonly e2eMs: number | null;
  readonly ttftFromPlannedMs: number | null;
  readonly e2eFromPlannedMs: number | null;
  readonly queueMs: number | null;
  readonly scheduleLagMs: number | null;
  readonly inputTokens: number;
  /** Usage when present, else the number of content chunks. */
  readonly outputTokens: number;
  readonly outputTokensFromUsage: boolean;
}

/**
 * Derives the per-request metrics. Latencies are only defined for successful requests (as vLLM's
 * benchmark does); schedule lag and queue time for every sent open-loop request.
 */
export function deriveMetrics(record: RequestRecord): RequestMetrics {
  const ok = record.failure === null && record.endMs !== null;
  const sent = record.sentMs;
  const planned = record.plannedMs;
  const outputTokensFromUsage = record.usageCompletionTokens !== null;
  const outputTokens = record.usageCompletionTokens ?? record.contentChunks;
  const first = record.firstContentMs;
  const last = record.lastContentMs;
  return {
    ttftMs: ok && first !== null ? first - sent : null,
    ttftVllmMs: ok && record.firstChoiceMs !== null ? record.firstChoiceMs - sent : null,
    tpotMs: ok && first !== null && last !== null && outputTokens > 1 ? (last - first) / (outputTokens - 1) : null,
    e2eMs: ok ? (record.endMs as number) - sent : null,
    ttftFromPlannedMs: ok && first !== null && planned !== null ? first - planned : null,
    e2eFromPlannedMs: ok && planned !== null ? (record.endMs as number) - planned : null,
    queueMs: record.slotMs !== null && planned !== null ? record.slotMs - planned : null,
    scheduleLagMs: planned !== null ? sent - planned : null,
    inputTokens: record.usagePromptTokens ?? record.inputTokensSent,
    outputTokens,
    outputTokensFromUsage,
  };
}
