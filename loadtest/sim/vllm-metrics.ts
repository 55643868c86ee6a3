/**
 * The state behind the simulator's /metrics: vLLM V1's counters and histograms (same
 * buckets as vllm/v1/metrics/buckets.py) and prometheus-fastapi-instrumentator's http_*
 * series, updated from what the simulator actually served. Rendered by
 * renderVllmMetrics(). `_created` times are Unix seconds.
 */
import { buckets125, Histogram } from "./histogram.ts";

export const TTFT_BUCKETS_SECONDS = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0];
export const ITL_BUCKETS_SECONDS = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0];
export const REQUEST_LATENCY_BUCKETS_SECONDS = [0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0];
export const ITERATION_TOKENS_BUCKETS = [1, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384];
export const PARAMS_N_BUCKETS = [1, 2, 5, 10, 20];
export const HTTP_HIGHR_BUCKETS_SECONDS = [0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 7.5, 10, 30, 60];
export const HTTP_BUCKETS_SECONDS = [0.1, 0.5, 1];

/** vLLM's FINISH_REASON_STRINGS, in order: every child exists from the start. */
export const FINISHED_REASONS = ["stop", "length", "abort", "error", "repetition"] as const;
export type FinishedReason = (typeof FINISHED_REASONS)[number];

export const PROMPT_SOURCES = ["local_compute", "local_cache_hit", "external_kv_transfer"] as const;

/** One labelled child of an http_* family, with its creation time. */
export interface HttpChild<T> {
  readonly labels: Readonly<Record<string, string>>;
  readonly createdUnixSeconds: number;
  readonly value: T;
}

/** A summary as the instrumentator keeps it (count and sum only, no quantiles). */
export interface SummaryValue {
  count: number;
  sum: number;
}

/** What one finished sequence contributes to the request-level histograms. */
export interface FinishedSequenceStats {
  readonly reason: FinishedReason;
  readonly promptTokens: number;
  readonly cachedTokens: number;
  readonly generationTokens: number;
  readonly maxTokensParam: number;
  readonly e2eSeconds: number;
  readonly queueSeconds: number;
  readonly prefillSeconds: number;
  readonly decodeSeconds: number;
  readonly inferenceSeconds: number;
}

export class VllmMetrics {
  readonly createdUnixSeconds: number;
  estimatedFlops = 0;
  estimatedReadBytes = 0;
  estimatedWriteBytes = 0;
  prefixCacheQueries = 0;
  prefixCacheHits = 0;
  preemptions = 0;
  promptTokens = 0;
  readonly promptTokensBySource: Record<(typeof PROMPT_SOURCES)[number], number> = { local_compute: 0, local_cache_hit: 0, external_kv_transfer: 0 };
  promptTokensCached = 0;
  generationTokens = 0;
  readonly requestSuccess: Record<FinishedReason, number> = { stop: 0, length: 0, abort: 0, error: 0, repetition: 0 };
  readonly requestPromptTokens: Histogram;
  readonly requestGenerationTokens: Histogram;
  readonly iterationTokens = new Histogram(ITERATION_TOKENS_BUCKETS);
  readonly requestMaxNumGenerationTokens: Histogram;
  readonly requestParamsN = new Histogram(PARAMS_N_BUCKETS);
  readonly requestParamsMaxTokens: Histogram;
  readonly timeToFirstToken = new Histogram(TTFT_BUCKETS_SECONDS);
  readonly interTokenLatency = new Histogram(ITL_BUCKETS_SECONDS);
  readonly requestTimePerOutputToken = new Histogram(ITL_BUCKETS_SECONDS);
  readonly e2eRequestLatency = new Histogram(REQUEST_LATENCY_BUCKETS_SECONDS);
  readonly requestQueueTime = new Histogram(REQUEST_LATENCY_BUCKETS_SECONDS);
  readonly requestInferenceTime = new Histogram(REQUEST_LATENCY_BUCKETS_SECONDS);
  readonly requestPrefillTime = new Histogram(REQUEST_LATENCY_BUCKETS_SECONDS);
  readonly requestDecodeTime = new Histogram(REQUEST_LATENCY_BUCKETS_SECONDS);
  readonly requestPrefillKvComputedTokens: Histogram;

  readonly httpRequests = new Map<string, HttpChild<{ count: number }>>();
  readonly httpRequestSize = new Map<string, HttpChild<SummaryValue>>();
  readonly httpResponseSize = new Map<string, HttpChild<SummaryValue>>();
  readonly httpDurationHighr = new Histogram(HTTP_HIGHR_BUCKETS_SECONDS);
  readonly httpDuration = new Map<string, HttpChild<Histogram>>();

  constructor(maxModelLen: number, createdUnixSeconds: number) {
    this.createdUnixSeconds = createdUnixSeconds;
    const tokenBuckets = buckets125(maxModelLen);
    this.requestPromptTokens = new Histogram(tokenBuckets);
    this.requestGenerationTokens = new Histogram(tokenBuckets);
    this.requestMaxNumGenerationTokens = new Histogram(tokenBuckets);
    this.requestParamsMaxTokens = new Histogram(tokenBuckets);
    this.requestPrefillKvComputedTokens = new Histogram(tokenBuckets);
  }

  /** A sequence's first token: TTFT, and its prompt tokens counted (vLLM counts them when prefill completes). */
  observeFirstToken(ttftSeconds: number, promptTokens: number, cachedTokens: number): void {
    this.timeToFirstToken.observe(ttftSeconds);
    this.promptTokens += promptTokens;
    this.promptTokensBySource.local_cache_hit += cachedTokens;
    this.promptTokensBySource.local_compute += promptTokens - cachedTokens;
    this.promptTokensCached += cachedTokens;
    this.generationTokens++;
  }

  /** A later token: one inter-token gap. */
  observeNextToken(gapSeconds: number): void {
    this.interTokenLatency.observe(gapSeconds);
    this.generationTokens++;
  }

  observeFinished(stats: FinishedSequenceStats): void {
    this.requestSuccess[stats.reason]++;
    this.e2eRequestLatency.observe(stats.e2eSeconds);
    this.requestQueueTime.observe(stats.queueSeconds);
    this.requestPrefillTime.observe(stats.prefillSeconds);
    this.requestDecodeTime.observe(stats.decodeSeconds);
    this.requestInferenceTime.observe(stats.inferenceSeconds);
    this.requestPromptTokens.observe(stats.promptTokens);
    this.requestGenerationTokens.observe(stats.generationTokens);
    this.requestPrefillKvComputedTokens.observe(stats.promptTokens - stats.cachedTokens);
    // PR #24015: decode time over the gaps, 0 with at most one token.
    this.requestTimePerOutputToken.observe(stats.generationTokens > 1 ? stats.decodeSeconds / (stats.generationTokens - 1) : 0);
    this.requestParamsMaxTokens.observe(stats.maxTokensParam);
  }

  /** A request whose every choice finished: its n and its longest choice. */
  observeParentFinished(n: number, maxGenerationTokens: number): void {
    this.requestParamsN.observe(n);
    this.requestMaxNumGenerationTokens.observe(maxGenerationTokens);
  }

  /** One HTTP request as prometheus-fastapi-instrumentator records it. */
  observeHttp(request: { handler: string; method: string; status: number; requestBytes: number; responseBytes: number; durationSeconds: number; nowUnixSeconds: number }): void {
    const statusGroup = `${Math.floor(request.status / 100)}xx`;
    const child = <T>(map: Map<string, HttpChild<T>>, labels: Record<string, string>, make: () => T): T => {
      const key = JSON.stringify(labels);
      let entry = map.get(key);
      if (entry === undefined) map.set(key, (entry = { labels, createdUnixSeconds: request.nowUnixSeconds, value: make() }));
      return entry.value;
    };
    child(this.httpRequests, { handler: request.handler, method: request.method, status: statusGroup }, () => ({ count: 0 })).count++;
    const requestSize = child(this.httpRequestSize, { handler: request.handler }, () => ({ count: 0, sum: 0 }));
    requestSize.count++;
    requestSize.sum += request.requestBytes;
    const responseSize = child(this.httpResponseSize, { handler: request.handler }, () => ({ count: 0, sum: 0 }));
    responseSize.count++;
    responseSize.sum += request.responseBytes;
    this.httpDurationHighr.observe(request.durationSeconds);
    child(this.httpDuration, { handler: request.handler, method: request.method }, () => new Histogram(HTTP_BUCKETS_SECONDS)).observe(request.durationSeconds);
  }
}
