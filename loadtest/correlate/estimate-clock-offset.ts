/**
 * Clock offset between the harness and a source, from probe requests: each probe records the harness
 * clock just before sending (`sentAtMs`) and just after the response (`receivedAtMs`), and the source's
 * clock as it answered. Whatever the network delays, the source read its clock between the two, so the
 * true offset lies in [server - received, server - sent] (NTP's bound without assuming symmetric paths).
 * The intersection of every probe's interval is the estimate; its half-width is the uncertainty.
 * An HTTP `Date` header truncates to whole seconds, so its interval is one second wider.
 */
import type { ClockOffsetEstimate } from "../report/telemetry-types.ts";

/** One probe's times, all ms since the epoch. */
export interface ClockProbe {
  /** Harness clock just before the request was sent. */
  readonly sentAtMs: number;
  /** Harness clock just after the response headers arrived. */
  readonly receivedAtMs: number;
  /** The source's `serverTimeMs` (ms resolution), or null. */
  readonly serverTimeMs: number | null;
  /** The source's HTTP `Date` header parsed (whole seconds), or null. */
  readonly dateHeaderMs: number | null;
}

/** Clock readings are integers of ms: each end may be off by < 1 ms. */
const RESOLUTION_MS = 1;

/**
 * Estimates the offset (source clock minus harness clock). Uses `serverTimeMs` when every probe has it,
 * else the `Date` header; null when no probe has either.
 */
export function estimateClockOffset(probes: readonly ClockProbe[]): ClockOffsetEstimate | null {
  const precise = probes.filter((p) => p.serverTimeMs !== null);
  const method = precise.length > 0 ? "serverTimeMs" : "date-header";
  const usable = precise.length > 0 ? precise : probes.filter((p) => p.dateHeaderMs !== null);
  if (usable.length === 0) return null;
  const intervals = usable.map((p) => {
    const server = method === "serverTimeMs" ? (p.serverTimeMs as number) : (p.dateHeaderMs as number);
    // A Date header says the true time is in [date, date + 1 s).
    const serverSpan = method === "serverTimeMs" ? RESOLUTION_MS : 1000;
    return { lo: server - p.receivedAtMs - RESOLUTION_MS, hi: server + serverSpan - p.sentAtMs + RESOLUTION_MS, roundTripMs: p.receivedAtMs - p.sentAtMs };
  });
  const minRoundTripMs = Math.min(...intervals.map((i) => i.roundTripMs));
  let lo = Math.max(...intervals.map((i) => i.lo));
  let hi = Math.min(...intervals.map((i) => i.hi));
  if (lo > hi) {
    // The intervals do not overlap: a clock stepped or drifted during probing. Trust the fastest probe alone.
    const best = intervals.reduce((a, b) => (b.roundTripMs < a.roundTripMs ? b : a));
    lo = best.lo;
    hi = best.hi;
  }
  return { offsetMs: (lo + hi) / 2, uncertaintyMs: (hi - lo) / 2, method, probes: usable.length, minRoundTripMs };
}
