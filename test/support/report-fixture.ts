/**
 * Constructed reports and agent timelines for the report and correlation tests (issue 6): a run
 * whose TTFT rises when the simulated server's queue and KV cache fill, and the agent timeline that
 * shows it, with a chosen agent clock offset. Deterministic: same options, same objects.
 */
import { build, encodeIntoCompressedBase64 } from "hdr-histogram-js";
import type { HistogramReading } from "../../agent/sample.ts";
import type { TimelinePoint } from "../../agent/timeline/timeline-point.ts";
import {
  type EncodedHistogram,
  METRIC_DEFINITIONS,
  METRIC_NAMES,
  type MetricName,
  type MetricSummary,
  REPORT_SCHEMA,
  type Report,
  type ReportWindow,
  type SweepReport,
} from "../../loadtest/report/report-types.ts";

export interface ReportFixtureOptions {
  readonly windowCount?: number;
  readonly windowMs?: number;
  readonly startEpochMs?: number;
  /** Measured window at which latency starts to rise (the "cause" begins here). */
  readonly riseAtWindow?: number;
  readonly warmupWindows?: number;
  /** Embed per-window encoded histograms (size benchmark). */
  readonly windowHistograms?: boolean;
  readonly sweep?: boolean;
}

/** Fixed start, 2026-12-01 14:00:00 UTC. */
export const FIXTURE_START_MS = Date.UTC(2026, 11, 1, 14, 0, 0);

/** TTFT p95 of window `i` in ms: 80 ms, then rising to about 1.9 s after `rise`. */
export function fixtureTtftP95Ms(i: number, rise: number, count: number): number {
  if (i < rise) return 80 + (i % 3);
  return Math.min(1900, 80 + ((i - rise + 1) * 1820) / Math.max(1, Math.min(15, count - rise)));
}

/** Builds the report. */
export function buildReportFixture(options: ReportFixtureOptions = {}): Report {
  const count = options.windowCount ?? 60;
  const windowMs = options.windowMs ?? 1000;
  const start = options.startEpochMs ?? FIXTURE_START_MS;
  const rise = options.riseAtWindow ?? Math.floor(count / 2);
  const warmup = options.warmupWindows ?? 2;
  const whole = Object.fromEntries(METRIC_NAMES.map((m) => [m, hist()])) as Record<MetricName, ReturnType<typeof hist>>;
  const windows: ReportWindow[] = [];
  for (let i = 0; i < count; i++) {
    const ttft = fixtureTtftP95Ms(i, rise, count);
    const itl = i < rise ? 10 : 10 + Math.min(15, i - rise);
    const completed = i < rise ? 4 + (i % 2) : 6;
    const per = Object.fromEntries(METRIC_NAMES.map((m) => [m, hist()])) as Record<MetricName, ReturnType<typeof hist>>;
    const values: Partial<Record<MetricName, number[]>> = {
      ttftMs: [ttft * 0.6, ttft * 0.8, ttft * 0.9, ttft],
      itlMs: [itl * 0.5, itl * 0.8, itl],
      tpotMs: [itl * 0.7, itl * 0.9],
      e2eMs: [ttft + 900, ttft + 1100 + i],
      scheduleLagMs: [0.2, 0.4 + (i % 5) * 0.1],
      inputTokens: [200, 256],
      outputTokens: [64, 128],
    };
    const latency: ReportWindow["latency"] = {};
    const histograms: Partial<Record<MetricName, EncodedHistogram>> = {};
    for (const [metric, vs] of Object.entries(values) as [MetricName, number[]][]) {
      const scale = metric.endsWith("Ms") ? 1000 : 1;
      for (const v of vs) {
        per[metric].recordValue(Math.round(v * scale));
        if (i >= warmup) whole[metric].recordValue(Math.round(v * scale));
      }
      const sorted = [...vs].sort((a, b) => a - b);
      (latency as Record<string, unknown>)[metric] = { count: vs.length, p50: sorted[Math.floor((sorted.length - 1) / 2)], p95: sorted[sorted.length - 1], max: sorted[sorted.length - 1] };
      if (options.windowHistograms) histograms[metric] = encode(per[metric], metric);
    }
    windows.push({
      index: i,
      startOffsetMs: i * windowMs,
      startEpochMs: start + i * windowMs,
      phase: i < warmup ? "warmup" : options.sweep ? { sweepLevel: Math.min(3, Math.floor((i / count) * 4)) } : "measure",
      started: completed + (i >= rise ? 2 : 0),
      completed,
      errors: i >= rise + 5 && i % 4 === 0 ? { http_status: 1 } : i === rise + 7 ? { stall: 1 } : {},
      inFlightMax: i < rise ? 5 : 5 + (i - rise),
      inFlightMean: i < rise ? 4.2 : 4 + (i - rise) * 0.8,
      outputTokens: completed * 100,
      outputTokensPerS: (completed * 100 * 1000) / windowMs,
      latency,
      histograms,
    });
  }
  const summary = Object.fromEntries(METRIC_NAMES.map((m) => [m, summarize(whole[m], m)])) as Record<MetricName, MetricSummary | null>;
  const encoded = Object.fromEntries(METRIC_NAMES.map((m) => [m, whole[m].totalCount > 0 ? encode(whole[m], m) : null])) as Record<MetricName, EncodedHistogram | null>;
  const measured = windows.filter((w) => w.phase !== "warmup");
  const completed = measured.reduce((a, w) => a + w.completed, 0);
  const failed = measured.reduce((a, w) => a + Object.values(w.errors).reduce((x: number, y) => x + (y ?? 0), 0), 0);
  const started = completed + failed;
  const durationMs = measured.length * windowMs;
  const throughput = { durationMs, requestsPerS: (completed * 1000) / durationMs, outputTokensPerS: (completed * 100 * 1000) / durationMs, totalTokensPerS: (completed * 330 * 1000) / durationMs, sentPerS: (started * 1000) / durationMs, goodputPerS: (completed * 0.6 * 1000) / durationMs };
  const counts = { planned: started, started, completed, failed, notSent: 0, warmup: warmup * 4, inputTokens: completed * 230, outputTokens: completed * 100, tokenSource: "usage" as const, chunkTokenMismatches: 0 };
  const sweep: SweepReport | null = options.sweep
    ? {
        mode: "rate",
        levels: [2, 4, 6, 8].map((level, k) => ({
          level,
          refinement: false,
          startOffsetMs: k * 15_000,
          durationMs: 15_000,
          counts,
          throughput: { ...throughput, requestsPerS: Math.min(level, 5.5) },
          errorRate: k === 3 ? 0.05 : 0,
          summary: { ttftMs: summary.ttftMs ? { ...summary.ttftMs, p95: 80 * (k + 1) ** 2 } : null },
          achievedRatio: 1,
          thresholds: [],
          passed: k < 2,
          saturated: k === 3,
        })),
        knee: 4,
        kneeLevelIndex: 1,
        stopReason: "threshold-failed",
      }
    : null;
  return {
    schema: REPORT_SCHEMA,
    run: {
      id: `fixture-${new Date(start).toISOString().replace(/[-:]/g, "").slice(0, 15)}`,
      startedAtEpochMs: start,
      startedAt: new Date(start).toISOString(),
      endedAtEpochMs: start + count * windowMs,
      durationMs: count * windowMs,
      status: "completed",
      exitCode: 99,
      runner: "native",
      client: { client: "http1", receiveStamps: "kernel", fallbackReason: null },
      windowMs,
      argv: ["scenarios/demo.ts"],
      environment: {
        harnessVersion: "0.1.0",
        gitCommit: "0123456789abcdef0123456789abcdef01234567",
        gitDirty: false,
        bunVersion: "1.4.4",
        platform: "linux",
        arch: "x64",
        host: "fixture-host",
        cpuCount: 2,
        cpuModel: "Fixture CPU <b>@</b> 2 GHz",
        memoryTotalBytes: 8 * 1024 ** 3,
        target: { url: "http://127.0.0.1:8000", models: { data: [{ id: "meta-llama/Llama-3.1-8B-Instruct" }] }, version: { version: "0.30.0" }, errors: [] },
      },
    },
    scenario: { name: "fixture", seed: 1, description: "Constructed report for tests <script>alert(1)</script>", load: { executor: "ramping-arrival-rate", stages: [{ durationMs: 60_000, target: 8 }] } },
    definitions: METRIC_DEFINITIONS,
    counts,
    throughput,
    summary,
    histograms: encoded,
    windows: { windowMs, windows },
    errors: {
      total: failed,
      rate: failed / Math.max(1, started),
      byType: {
        http_status: { count: failed - 1, byStatus: { "503": failed - 1 }, examples: [{ requestIndex: 12, atOffsetMs: (rise + 8) * windowMs, message: "HTTP 503: server overloaded", status: 503 }] },
        stall: { count: 1, byStatus: {}, examples: [{ requestIndex: 40, atOffsetMs: (rise + 7) * windowMs, message: "no chunk for 2000 ms", status: null }] },
      },
    },
    schedule: {
      model: "open",
      targetRatePerS: 5,
      achievedRatePerS: 4.9,
      achievedRatio: 0.98,
      lagMs: summary.scheduleLagMs,
      queuedRequests: 0,
      fellBehind: false,
      reasons: [],
      lagP99LimitMs: 50,
      minAchievedRatio: 0.95,
    },
    goodput: { slo: { ttftMs: 500, tpotMs: null, e2eMs: null }, goodRequests: Math.round(completed * 0.6), goodputPerS: (completed * 0.6 * 1000) / durationMs, goodRatio: 0.6 },
    thresholds: [
      { metric: "ttft_ms", expression: "p(95)<500", aggregation: "p(95)", operator: "<", limit: 500, actual: summary.ttftMs?.p95 ?? null, passed: false },
      { metric: "error_rate", expression: "rate<0.05", aggregation: "rate", operator: "<", limit: 0.05, actual: failed / Math.max(1, started), passed: true },
    ],
    sweep,
    runs: [],
    telemetry: null,
    findings: [{ severity: "info", code: "closed-loop", message: "A harness finding." }],
  };
}

function hist() {
  return build({ bitBucketSize: 32, autoResize: true, lowestDiscernibleValue: 1, highestTrackableValue: 2, numberOfSignificantValueDigits: 3, useWebAssembly: false });
}

function encode(h: ReturnType<typeof hist>, metric: MetricName): EncodedHistogram {
  const latency = metric.endsWith("Ms");
  return { data: encodeIntoCompressedBase64(h), recordedUnit: latency ? "us" : "count", unitsPerReportedUnit: latency ? 1000 : 1, significantDigits: 3 };
}

function summarize(h: ReturnType<typeof hist>, metric: MetricName): MetricSummary | null {
  if (h.totalCount === 0) return null;
  const s = metric.endsWith("Ms") ? 1000 : 1;
  return {
    count: h.totalCount,
    mean: h.mean / s,
    stddev: h.stdDeviation / s,
    min: h.minNonZeroValue / s,
    max: h.maxValue / s,
    p50: h.getValueAtPercentile(50) / s,
    p90: h.getValueAtPercentile(90) / s,
    p95: h.getValueAtPercentile(95) / s,
    p99: h.getValueAtPercentile(99) / s,
    p999: h.getValueAtPercentile(99.9) / s,
  };
}

export interface TimelineFixtureOptions {
  readonly startEpochMs?: number;
  readonly count?: number;
  readonly intervalMs?: number;
  /** Agent clock minus harness clock. */
  readonly offsetMs?: number;
  /** Harness-time index (seconds from start) at which the queue and KV cache fill. */
  readonly causeAtS?: number;
  /** Sampling jitter pattern in ms added to each point (deterministic). */
  readonly jitterMs?: number;
  /** Restart vLLM's counters at this point index (counter reset). */
  readonly resetAt?: number;
  /** Leave GPU data out (a host without GPUs: partial telemetry). */
  readonly noGpu?: boolean;
}

const TTFT_BOUNDS = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80, 160, 640, 2560];

/** Agent timeline points on the AGENT's clock (harness time + offsetMs), one per interval. */
export function buildTimelineFixture(options: TimelineFixtureOptions = {}): TimelinePoint[] {
  const start = options.startEpochMs ?? FIXTURE_START_MS;
  const count = options.count ?? 62;
  const interval = options.intervalMs ?? 1000;
  const offset = options.offsetMs ?? 0;
  const cause = options.causeAtS ?? 30;
  const jitter = options.jitterMs ?? 0;
  let ttftCounts = TTFT_BOUNDS.map(() => 0).concat([0]);
  let queueCounts = [...ttftCounts];
  let preemptions = 0;
  let cpuBusy = 1000;
  let cpuIdle = 5000;
  const points: TimelinePoint[] = [];
  for (let k = -1; k < count; k++) {
    const harnessMs = start + k * interval + 300 + ((k * 37) % 7) * (jitter / 7);
    const s = (harnessMs - start) / 1000;
    const loaded = s >= cause;
    if (options.resetAt === k) {
      ttftCounts = ttftCounts.map(() => 0);
      queueCounts = queueCounts.map(() => 0);
      preemptions = 0;
    }
    // Five requests' first tokens per second: fast before the cause, ~1-2 s after it.
    const ttftValue = loaded ? 1.5 : 0.07;
    const queueValue = loaded ? 1.2 : 0.002;
    const addTo = (counts: number[], value: number, n: number) => counts.map((c, i) => (i === TTFT_BOUNDS.length || value <= (TTFT_BOUNDS[i] as number) ? c + n : c));
    ttftCounts = addTo(ttftCounts, ttftValue, 5);
    queueCounts = addTo(queueCounts, queueValue, 5);
    if (loaded) preemptions += 1;
    cpuBusy += loaded ? 1.8 : 0.6;
    cpuIdle += loaded ? 0.2 : 1.4;
    const histogram = (counts: number[]): HistogramReading => ({ upperBounds: TTFT_BOUNDS, cumulativeCounts: [...counts], sum: 0, count: counts[counts.length - 1] as number });
    points.push({
      timeMs: Math.round(harnessMs + offset),
      durationMs: 3,
      gpus: options.noGpu
        ? []
        : [
            {
              index: 0,
              uuid: "GPU-fixture-0",
              up: true,
              utilizationGpuRatio: loaded ? 0.99 : 0.45,
              memoryUsedBytes: 70e9,
              memoryTotalBytes: 80e9,
              powerWatts: loaded ? 698 : 350,
              powerLimitWatts: 700,
              temperatureCelsius: loaded ? 78 : 60,
              clockSmMhz: loaded ? 1700 : 1980,
              clockMemoryMhz: 2619,
              clockGraphicsMhz: loaded ? 1700 : 1980,
              clocksEventReasons: loaded ? 0x4 : 0,
            },
          ],
      host: {
        cpuCount: 2,
        cpuSecondsByMode: { user: cpuBusy, nice: 0, system: 0, idle: cpuIdle, iowait: 0, irq: 0, softirq: 0, steal: 0 },
        memoryTotalBytes: 8e9,
        memoryAvailableBytes: 4e9,
        load1: loaded ? 1.9 : 0.6,
        networkReceiveBytesTotal: 0,
        networkTransmitBytesTotal: 0,
        pressure: null,
        processes: [],
      },
      vllm: [
        {
          target: "http://127.0.0.1:8000",
          up: true,
          scrapeDurationMs: 2,
          summary: {
            requestsRunning: loaded ? 64 : 5,
            requestsWaiting: loaded ? 12 : 0,
            kvCacheUsageRatio: loaded ? 0.97 : 0.3,
            preemptionsTotal: preemptions,
            promptTokensTotal: null,
            generationTokensTotal: null,
            requestSuccessTotal: null,
            timeToFirstTokenSeconds: histogram(ttftCounts),
            interTokenLatencySeconds: null,
            e2eRequestLatencySeconds: null,
            requestQueueTimeSeconds: histogram(queueCounts),
          },
        },
      ],
      sources: [],
      errors: [],
    });
  }
  return points;
}
