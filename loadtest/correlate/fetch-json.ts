/**
 * GET a JSON document with a timeout, recording the harness clock around it (the clock-offset probe
 * needs both ends) and the source's `Date` header.
 */
import { TelemetryFetchError } from "./telemetry-errors.ts";

/** The I/O the correlation step needs, passed in so tests drive it without sockets. */
export interface TelemetryIo {
  readonly fetch: (url: string, init?: RequestInit) => Promise<Response>;
  /** Harness wall clock, ms since the epoch. */
  readonly now: () => number;
}

/** A JSON body with the times around the request. */
export interface TimedJson {
  readonly body: unknown;
  readonly sentAtMs: number;
  readonly receivedAtMs: number;
  /** `Date` header in ms, or null. */
  readonly dateHeaderMs: number | null;
}

/** Fetches `url` as JSON; throws TelemetryFetchError naming the URL on a network error, timeout, non-2xx or bad JSON. */
export async function fetchJson(url: string, io: TelemetryIo, options: { timeoutMs?: number; headers?: Record<string, string> } = {}): Promise<TimedJson> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const sentAtMs = io.now();
  let response: Response;
  try {
    response = await io.fetch(url, { headers: options.headers, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const reason = (error as Error).name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : (error as Error).message;
    throw new TelemetryFetchError(`Cannot read ${url}: ${reason}`, url, { cause: error });
  }
  const receivedAtMs = io.now();
  const text = await response.text().catch((error: unknown) => {
    throw new TelemetryFetchError(`Cannot read ${url}: the body broke off (${(error as Error).message})`, url, { cause: error });
  });
  if (!response.ok) throw new TelemetryFetchError(`Cannot read ${url}: status ${response.status} ${text.slice(0, 200).trim()}`, url);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new TelemetryFetchError(`Cannot read ${url}: the body is not JSON (${text.slice(0, 80).trim()})`, url, { cause: error });
  }
  const date = response.headers.get("date");
  const parsed = date === null ? Number.NaN : Date.parse(date);
  return { body, sentAtMs, receivedAtMs, dateHeaderMs: Number.isNaN(parsed) ? null : parsed };
}
