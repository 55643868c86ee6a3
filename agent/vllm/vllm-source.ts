/**
 * The vLLM source: scrapes every configured target in parallel, each cut off by
 * its own timeout, and turns failures into error entries instead of failing the sample.
 */
import type { VllmTargetConfig } from "../config/agent-config.ts";
import { VllmScrapeError } from "../errors.ts";
import { withLabel } from "../exposition/add-label.ts";
import { SeriesCache } from "../exposition/series-cache.ts";
import type { MetricFamily } from "../exposition/family.ts";
import type { SourceError, VllmReading, VllmSummary } from "../sample.ts";
import { scrapeVllm } from "./scrape-vllm.ts";
import { summarizeVllm } from "./summarize-vllm.ts";

export interface VllmSourceOptions {
  readonly targets: readonly VllmTargetConfig[];
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
  readonly maxSeries: number;
  readonly fetch?: typeof fetch;
}

export interface VllmSourceResult {
  readonly value: VllmReading[];
  readonly errors: SourceError[];
}

/** The `target` label value: host:port plus any path, short enough for a dashboard legend. */
export function targetLabel(baseUrl: string): string {
  return baseUrl.replace(/^https?:\/\//, "");
}

/** Creates the source; `read()` never rejects. */
export function createVllmSource(options: VllmSourceOptions): { read(signal: AbortSignal): Promise<VllmSourceResult> } {
  const fetchImpl = options.fetch ?? fetch;
  // Several servers on one host (data parallel) expose identical series: the target label keeps them apart.
  const labelTargets = options.targets.length > 1;
  // One per target: each server writes its own label sets, the same every scrape.
  const seriesCaches = new Map(options.targets.map((target) => [target, new SeriesCache(options.maxSeries)]));
  // The last summary per target, kept while the parser gives the same family objects (nothing moved: an idle server).
  const summaries = new Map<VllmTargetConfig, { readonly families: readonly MetricFamily[]; readonly summary: VllmSummary }>();
  const summarize = (target: VllmTargetConfig, families: readonly MetricFamily[]): VllmSummary => {
    const last = summaries.get(target);
    if (last !== undefined && last.families.length === families.length && last.families.every((family, i) => family === families[i])) return last.summary;
    const summary = summarizeVllm(families);
    summaries.set(target, { families, summary });
    return summary;
  };

  async function readTarget(target: VllmTargetConfig, signal: AbortSignal): Promise<{ reading: VllmReading; error: SourceError | null }> {
    const started = performance.now();
    try {
      const parsed = await scrapeVllm(target.baseUrl, { fetch: fetchImpl, timeoutMs: options.timeoutMs, maxBodyBytes: options.maxBodyBytes, maxSeries: options.maxSeries, signal, seriesCache: seriesCaches.get(target) });
      const families = labelTargets ? withLabel(parsed, "target", targetLabel(target.baseUrl)) : parsed;
      const reading: VllmReading = { target: target.baseUrl, up: true, scrapeDurationMs: performance.now() - started, families, summary: summarize(target, parsed) };
      return { reading, error: null };
    } catch (error) {
      const scrapeError = error instanceof VllmScrapeError ? error : new VllmScrapeError("connect", `Cannot scrape vLLM metrics from ${target.baseUrl}/metrics: ${String(error)}`, { cause: error });
      const reading: VllmReading = { target: target.baseUrl, up: false, scrapeDurationMs: performance.now() - started, families: [], summary: null };
      // Nothing listening at the default probe address just means no vLLM on this host.
      const absentProbe = target.probed && scrapeError.code === "connect";
      return { reading, error: absentProbe ? null : { source: "vllm", target: target.baseUrl, code: scrapeError.code, message: scrapeError.message } };
    }
  }

  return {
    async read(signal) {
      const results = await Promise.all(options.targets.map((target) => readTarget(target, signal)));
      return {
        value: results.map((r) => r.reading),
        errors: results.flatMap((r) => (r.error ? [r.error] : [])),
      };
    },
  };
}
