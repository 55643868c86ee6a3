/**
 * Builds `vigil.report/v1` reports from known samples, for compare's tests: histograms are real
 * HDR histograms encoded exactly as the harness encodes them (loadtest/stats/histograms.ts), spread
 * over per-window histograms in sample order, so every noise estimate has something real to read.
 */
import type { Histogram } from "hdr-histogram-js";
import { createRandom } from "../../loadtest/random/seeded-random.ts";
import {
  type EncodedHistogram,
  type EnvironmentFingerprint,
  METRIC_DEFINITIONS,
  METRIC_NAMES,
  type MetricName,
  type MetricSummary,
  REPORT_SCHEMA,
  type Report,
  type ReportWindow,
} from "../../loadtest/report/report-types.ts";
import { createHistogram, createMoments, encodeHistogram, type ExactMoments, summarize } from "../../loadtest/stats/histograms.ts";

/** What a built report holds. */
export interface BuildReportOptions {
  /** Values per metric in the report unit (ms or counts), in time order. */
  readonly samples: Partial<Record<MetricName, readonly number[]>>;
  /** Measured windows the samples are spread over (default 10, 1 s each). */
  readonly windows?: number;
  /** Failed requests (default 0); started = completed + failed; completed = number of e2e samples. */
  readonly failed?: number;
  /** Good requests for goodput (default: all completed). */
  readonly good?: number;
  /** Output tokens per completed request (default 32). */
  readonly outputTokensPerRequest?: number;
  /** Merged over the default scenario (top-level keys replaced). */
  readonly scenario?: Readonly<Record<string, unknown>>;
  /** Merged over the default environment. */
  readonly environment?: Partial<EnvironmentFingerprint>;
  readonly startedAtEpochMs?: number;
  readonly id?: string;
}

/** The scenario every built report runs unless overridden: a short open-loop smoke test. */
export const BUILT_SCENARIO = {
  name: "smoke",
  description: "",
  file: "",
  target: { url: "http://127.0.0.1:8000", model: "sim-model", api: "chat", headers: {}, apiKeyEnv: null },
  workload: { prompts: { kind: "synthetic", inputTokens: { kind: "fixed", value: 256 }, sharedPrefixTokens: 0 }, outputTokens: { kind: "fixed", value: 32 }, stream: true, includeUsage: true, ignoreEos: true, extraBody: {} },
  load: { executor: "constant-arrival-rate", rate: 10, timeUnitMs: 1000, durationMs: 10_000, requests: null, arrival: "uniform", burstiness: 1, maxInFlight: null },
  warmupMs: 0,
  gracefulStopMs: 5000,
  thresholds: {},
  slo: null,
  timeouts: { ttftMs: 60_000, stallMs: 30_000, requestMs: 600_000 },
  agent: null,
  seed: 1,
  windowMs: 1000,
} as const;

const ENVIRONMENT: EnvironmentFingerprint = {
  harnessVersion: "0.1.0",
  gitCommit: "0000000",
  gitDirty: false,
  bunVersion: "1.4.4",
  platform: "linux",
  arch: "x64",
  host: "ci",
  cpuCount: 2,
  cpuModel: "Test CPU",
  memoryTotalBytes: 8 * 2 ** 30,
  target: { url: "http://127.0.0.1:8000", models: null, version: { version: "0.30.0" }, errors: [] },
};

/** Builds a one-run report from samples. */
export function buildReport(options: BuildReportOptions): Report {
  const windowCount = options.windows ?? 10;
  const windowMs = 1000;
  const startedAtEpochMs = options.startedAtEpochMs ?? Date.UTC(2026, 0, 1);
  const whole = {} as Record<MetricName, { histogram: Histogram; moments: ExactMoments }>;
  const perWindow: Array<Partial<Record<MetricName, Histogram>>> = Array.from({ length: windowCount }, () => ({}));
  for (const metric of METRIC_NAMES) {
    const values = options.samples[metric] ?? [];
    const histogram = createHistogram("dense");
    const moments = createMoments();
    values.forEach((value, i) => {
      const recorded = metric.endsWith("Ms") ? Math.round(value * 1000) : Math.round(value);
      histogram.recordValue(recorded);
      moments.count++;
      moments.sum += value;
      moments.min = Math.min(moments.min, value);
      moments.max = Math.max(moments.max, value);
      const w = Math.min(windowCount - 1, Math.floor((i * windowCount) / values.length));
      ((perWindow[w] as Partial<Record<MetricName, Histogram>>)[metric] ??= createHistogram("packed")).recordValue(recorded);
    });
    whole[metric] = { histogram, moments };
  }
  const summary = Object.fromEntries(METRIC_NAMES.map((m) => [m, summarize(whole[m].histogram, whole[m].moments, m)])) as Record<MetricName, MetricSummary | null>;
  const histograms = Object.fromEntries(METRIC_NAMES.map((m) => [m, whole[m].moments.count > 0 ? encodeHistogram(whole[m].histogram, m) : null])) as Record<MetricName, EncodedHistogram | null>;
  const completed = (options.samples.e2eMs ?? options.samples.ttftMs ?? []).length;
  const failed = options.failed ?? 0;
  const started = completed + failed;
  const perRequest = options.outputTokensPerRequest ?? 32;
  const durationMs = windowCount * windowMs;
  const good = options.good ?? completed;
  const throughput = {
    durationMs,
    requestsPerS: (completed * 1000) / durationMs,
    outputTokensPerS: (completed * perRequest * 1000) / durationMs,
    totalTokensPerS: (completed * (perRequest + 256) * 1000) / durationMs,
    sentPerS: (started * 1000) / durationMs,
    goodputPerS: (good * 1000) / durationMs,
  };
  const counts = { planned: started, started, completed, failed, notSent: 0, warmup: 0, inputTokens: completed * 256, outputTokens: completed * perRequest, tokenSource: "usage" as const, chunkTokenMismatches: 0 };
  const errorRate = started > 0 ? failed / started : 0;
  const windows: ReportWindow[] = perWindow.map((histogramsOfWindow, index) => {
    const completedIn = Math.round(((index + 1) * completed) / windowCount) - Math.round((index * completed) / windowCount);
    const encoded = Object.fromEntries(Object.entries(histogramsOfWindow).map(([m, h]) => [m, encodeHistogram(h as Histogram, m as MetricName)]));
    return {
      index,
      startOffsetMs: index * windowMs,
      startEpochMs: startedAtEpochMs + index * windowMs,
      phase: "measure",
      started: completedIn,
      completed: completedIn,
      errors: {},
      inFlightMax: 1,
      inFlightMean: 1,
      outputTokens: completedIn * perRequest,
      outputTokensPerS: completedIn * perRequest,
      latency: {},
      histograms: encoded,
    };
  });
  return {
    schema: REPORT_SCHEMA,
    run: {
      id: options.id ?? `smoke-${startedAtEpochMs}`,
      startedAtEpochMs,
      startedAt: new Date(startedAtEpochMs).toISOString(),
      endedAtEpochMs: startedAtEpochMs + durationMs,
      durationMs,
      status: "completed",
      exitCode: 0,
      runner: "native",
      windowMs,
      argv: [],
      environment: { ...ENVIRONMENT, ...options.environment },
    },
    scenario: { ...BUILT_SCENARIO, ...options.scenario } as unknown as Report["scenario"],
    definitions: METRIC_DEFINITIONS,
    counts,
    throughput,
    summary,
    histograms,
    windows: { windowMs, windows },
    errors: { total: failed, rate: errorRate, byType: failed > 0 ? { http_status: { count: failed, byStatus: { "503": failed }, examples: [] } } : {} },
    schedule: { model: "open", targetRatePerS: 10, achievedRatePerS: 10, achievedRatio: 1, lagMs: null, queuedRequests: 0, fellBehind: false, reasons: [], lagP99LimitMs: 10, minAchievedRatio: 0.97 },
    goodput: { slo: null, goodRequests: good, goodputPerS: throughput.goodputPerS, goodRatio: completed > 0 ? good / completed : null },
    thresholds: [],
    sweep: null,
    runs: [{ index: 0, startOffsetMs: 0, durationMs, counts, throughput, summary, histograms, errorRate }],
    telemetry: null,
    findings: [],
  };
}

/**
 * Samples of a request population: lognormal around `medianMs` with log-sd `sigma`, seeded.
 * @example lognormalSamples({ seed: 1, count: 200, medianMs: 50, sigma: 0.1 })
 */
export function lognormalSamples(options: { readonly seed: number; readonly count: number; readonly medianMs: number; readonly sigma: number; readonly scale?: number }): number[] {
  const random = createRandom(options.seed);
  return Array.from({ length: options.count }, () => options.medianMs * (options.scale ?? 1) * Math.exp(options.sigma * random.normal()));
}

/** The four latency metrics of one simulated run: TTFT, ITL (many per request), TPOT and E2E, consistent with each other. */
export function latencySamples(options: { readonly seed: number; readonly requests: number; readonly ttftMs: number; readonly itlMs: number; readonly tokens?: number; readonly sigma?: number }): Partial<Record<MetricName, number[]>> {
  const tokens = options.tokens ?? 32;
  const sigma = options.sigma ?? 0.05;
  const random = createRandom(options.seed);
  const ttft: number[] = [];
  const itl: number[] = [];
  const tpot: number[] = [];
  const e2e: number[] = [];
  for (let r = 0; r < options.requests; r++) {
    const first = options.ttftMs * Math.exp(sigma * random.normal());
    let elapsed = first;
    const gaps: number[] = [];
    for (let t = 1; t < tokens; t++) {
      const gap = options.itlMs * Math.exp(sigma * random.normal());
      gaps.push(gap);
      elapsed += gap;
    }
    ttft.push(first);
    itl.push(...gaps);
    tpot.push((elapsed - first) / (tokens - 1));
    e2e.push(elapsed + 0.2);
  }
  return { ttftMs: ttft, itlMs: itl, tpotMs: tpot, e2eMs: e2e, outputTokens: Array.from({ length: options.requests }, () => tokens), inputTokens: Array.from({ length: options.requests }, () => 256) };
}
