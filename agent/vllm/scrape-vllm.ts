/**
 * One scrape of one vLLM server's /metrics: bounded in time, body size and series,
 * parsed with our own parser, and reduced to the `vllm:` families we re-expose.
 */
import { VllmScrapeError } from "../errors.ts";
import type { MetricFamily } from "../exposition/family.ts";
import { ExpositionParseError, SeriesLimitError, parseExposition } from "../exposition/parse-exposition.ts";
import type { SeriesCache } from "../exposition/series-cache.ts";
import { readBodyCapped } from "./read-body-capped.ts";

export interface ScrapeVllmOptions {
  readonly fetch: typeof fetch;
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
  readonly maxSeries: number;
  readonly signal?: AbortSignal;
  /** This target's parsed series from earlier scrapes (parseExposition's `seriesCache`). */
  readonly seriesCache?: SeriesCache;
}

/**
 * vLLM's own families keep the `vllm:` prefix. Its python_*, process_* and http_*
 * families are left out: process_* names belong to the exporter serving them, and
 * the agent reports the vLLM process itself as vigil_vllm_process_*.
 */
export function isVllmFamily(name: string): boolean {
  return name.startsWith("vllm:");
}

/**
 * Fetches and parses `${baseUrl}/metrics`.
 * @throws VllmScrapeError with code timeout, connect, http_status, body_too_large, parse or series_limit.
 */
export async function scrapeVllm(baseUrl: string, options: ScrapeVllmOptions): Promise<MetricFamily[]> {
  const url = `${baseUrl}/metrics`;
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let text: string;
  try {
    // Ask for the classic text format: it is what vLLM's prometheus_client writes by default.
    const response = await options.fetch(url, { signal, headers: { accept: "text/plain;version=0.0.4;q=1,*/*;q=0.1" } });
    if (!response.ok) {
      await response.body?.cancel();
      throw new VllmScrapeError("http_status", `Cannot scrape vLLM metrics from ${url}: status ${response.status}`);
    }
    text = await readBodyCapped(response, { maxBytes: options.maxBodyBytes, url });
  } catch (error) {
    if (error instanceof VllmScrapeError) throw error;
    if (timeout.aborted) {
      throw new VllmScrapeError("timeout", `Cannot scrape vLLM metrics from ${url}: no complete answer within ${options.timeoutMs} ms (--vllm-timeout)`, { cause: error });
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new VllmScrapeError("connect", `Cannot scrape vLLM metrics from ${url}: ${reason}`, { cause: error });
  }
  try {
    return parseExposition(text, { maxSeries: options.maxSeries, seriesCache: options.seriesCache }).filter((family) => isVllmFamily(family.name));
  } catch (error) {
    if (error instanceof SeriesLimitError) {
      throw new VllmScrapeError("series_limit", `Cannot scrape vLLM metrics from ${url}: more than ${options.maxSeries} samples (--vllm-max-series)`, { cause: error });
    }
    if (error instanceof ExpositionParseError) {
      throw new VllmScrapeError("parse", `Cannot scrape vLLM metrics from ${url}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}
