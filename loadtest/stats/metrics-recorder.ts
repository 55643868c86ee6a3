/**
 * Accumulates requests into HDR histograms (whole run and per window) and per-window counters.
 * Called once per request when it ends (`ingest`) and when it is sent (`noteSent`), never per chunk:
 * chunk times were already stored by the runner. Pure bookkeeping, no I/O, so it is unit-testable.
 */
import type { Histogram } from "hdr-histogram-js";
import { ERROR_TYPES, type ErrorExample, type ErrorType, METRIC_NAMES, type MetricName } from "../report/report-types.ts";
import type { RequestRecord } from "../runner/request-record.ts";
import { deriveMetrics } from "./derive-metrics.ts";
import { createHistogram, createMoments, type ExactMoments } from "./histograms.ts";

/** What a window label says: warm-up, measurement, or a sweep level. */
export type PhaseLabel = "warmup" | "measure" | { readonly sweepLevel: number };

/** Counters and histograms of one window. */
export interface WindowAccumulator {
  started: number;
  completed: number;
  readonly errors: Partial<Record<ErrorType, number>>;
  inFlightMax: number;
  /** Σ request-ms in flight within the window (divide by windowMs for the mean). */
  inFlightMs: number;
  outputTokens: number;
  readonly histograms: Partial<Record<MetricName, Histogram>>;
}

/** SLOs for goodput (ms), null = not set. */
export interface GoodputSlo {
  readonly ttftMs: number | null;
  readonly tpotMs: number | null;
  readonly e2eMs: number | null;
}

/** Options of a recorder. */
export interface RecorderOptions {
  /** `performance.now()` of the run start: window 0 starts here. */
  readonly originMs: number;
  readonly windowMs: number;
  readonly slo: GoodputSlo | null;
  /** Keep per-window histograms and counters (off for per-level sweep recorders). */
  readonly windows: boolean;
  /** Examples kept per error type. */
  readonly examplesPerType?: number;
}

const LATENCY_BY_WINDOW: ReadonlySet<MetricName> = new Set(["ttftMs", "ttftVllmMs", "itlMs", "tpotMs", "e2eMs", "ttftFromPlannedMs", "e2eFromPlannedMs", "queueMs", "scheduleLagMs"]);

/**
 * The newest windows keep dense histograms (recording into hdr-histogram-js's packed layout costs
 * several times more per value); a window this many behind the newest is packed to stay small.
 * A late value for a packed window still lands in it.
 */
const DENSE_WINDOWS = 4;

/** The recorder; read its fields after the run to build the report. */
export class MetricsRecorder {
  readonly options: RecorderOptions;
  readonly histograms: Record<MetricName, Histogram>;
  readonly moments: Record<MetricName, ExactMoments>;
  readonly windows: WindowAccumulator[] = [];
  readonly errorCounts: Partial<Record<ErrorType, number>> = {};
  readonly errorExamples: Partial<Record<ErrorType, ErrorExample[]>> = {};
  readonly errorStatuses: Partial<Record<ErrorType, Record<string, number>>> = {};
  readonly phases: Array<{ readonly atMs: number; readonly label: PhaseLabel }> = [];
  started = 0;
  completed = 0;
  failed = 0;
  warmup = 0;
  inputTokens = 0;
  outputTokens = 0;
  usageCounted = 0;
  chunkCounted = 0;
  chunkTokenMismatches = 0;
  goodRequests = 0;
  /** Open-loop bookkeeping: measured planned arrivals and the span they cover. */
  plannedCount = 0;
  plannedSpanMs = 0;
  queuedRequests = 0;
  closedLoopPhases = 0;
  openLoopPhases = 0;
  /** Extremes of measured activity (performance.now ms). */
  firstSentMs = Number.POSITIVE_INFINITY;
  lastSentMs = Number.NEGATIVE_INFINITY;
  lastEndMs = Number.NEGATIVE_INFINITY;
  /** Open-loop: first planned measured send and the latest planned end. */
  firstPlannedMs = Number.POSITIVE_INFINITY;
  lastPlannedEndMs = Number.NEGATIVE_INFINITY;
  inFlight = 0;

  constructor(options: RecorderOptions) {
    this.options = options;
    this.histograms = Object.fromEntries(METRIC_NAMES.map((m) => [m, createHistogram("dense")])) as Record<MetricName, Histogram>;
    this.moments = Object.fromEntries(METRIC_NAMES.map((m) => [m, createMoments()])) as Record<MetricName, ExactMoments>;
  }

  /** Marks the start of a phase (windows take the label of the phase active at their start). */
  beginPhase(atMs: number, label: PhaseLabel): void {
    this.phases.push({ atMs: atMs - this.options.originMs, label });
  }

  /** An open-loop plan's measured part: `count` arrivals planned over [startMs, endMs] (performance.now ms). */
  notePlan(plan: { readonly kind: "open" | "closed"; readonly count: number; readonly startMs: number; readonly endMs: number }): void {
    if (plan.kind === "closed") {
      this.closedLoopPhases++;
      return;
    }
    this.openLoopPhases++;
    this.plannedCount += plan.count;
    this.plannedSpanMs += Math.max(0, plan.endMs - plan.startMs);
    this.firstPlannedMs = Math.min(this.firstPlannedMs, plan.startMs);
    this.lastPlannedEndMs = Math.max(this.lastPlannedEndMs, plan.endMs);
  }

  /** A request was sent (fetch called). */
  noteSent(record: RequestRecord): void {
    this.inFlight++;
    if (this.options.windows) {
      const window = this.#window(record.sentMs);
      window.started++;
      if (this.inFlight > window.inFlightMax) window.inFlightMax = this.inFlight;
    }
    if (record.warmup) return;
    this.started++;
    if (record.sentMs < this.firstSentMs) this.firstSentMs = record.sentMs;
    if (record.sentMs > this.lastSentMs) this.lastSentMs = record.sentMs;
  }

  /** A request ended (success or failure): derive its metrics and record them. */
  ingest(record: RequestRecord): void {
    this.inFlight--;
    const endMs = record.endMs ?? record.sentMs;
    if (this.options.windows) {
      this.#addInFlight(record.sentMs, endMs);
      const window = this.#window(endMs);
      if (record.failure === null) {
        if (!record.warmup) window.completed++;
      } else if (!record.warmup) window.errors[record.failure.type] = (window.errors[record.failure.type] ?? 0) + 1;
    }
    if (record.warmup) {
      this.warmup++;
      return;
    }
    if (endMs > this.lastEndMs) this.lastEndMs = endMs;
    const metrics = deriveMetrics(record);
    if (metrics.scheduleLagMs !== null) this.#record("scheduleLagMs", metrics.scheduleLagMs, record.sentMs);
    if (metrics.queueMs !== null) {
      this.#record("queueMs", metrics.queueMs, record.slotMs ?? record.sentMs);
      if (metrics.queueMs > 0) this.queuedRequests++;
    }
    if (record.failure !== null) {
      this.failed++;
      const type = record.failure.type;
      this.errorCounts[type] = (this.errorCounts[type] ?? 0) + 1;
      if (record.failure.status !== null) {
        const statuses = (this.errorStatuses[type] ??= {});
        statuses[String(record.failure.status)] = (statuses[String(record.failure.status)] ?? 0) + 1;
      }
      const examples = (this.errorExamples[type] ??= []);
      if (examples.length < (this.options.examplesPerType ?? 5)) {
        examples.push({ requestIndex: record.index, atOffsetMs: endMs - this.options.originMs, message: record.failure.message, status: record.failure.status });
      }
      return;
    }
    this.completed++;
    this.inputTokens += metrics.inputTokens;
    this.outputTokens += metrics.outputTokens;
    if (metrics.outputTokensFromUsage) {
      this.usageCounted++;
      if (record.contentChunks > 0 && record.contentChunks !== metrics.outputTokens) this.chunkTokenMismatches++;
    } else this.chunkCounted++;
    if (metrics.ttftMs !== null) this.#record("ttftMs", metrics.ttftMs, record.firstContentMs as number);
    if (metrics.ttftVllmMs !== null) this.#record("ttftVllmMs", metrics.ttftVllmMs, record.firstChoiceMs as number);
    if (metrics.tpotMs !== null) this.#record("tpotMs", metrics.tpotMs, endMs);
    if (metrics.e2eMs !== null) this.#record("e2eMs", metrics.e2eMs, endMs);
    if (metrics.ttftFromPlannedMs !== null) this.#record("ttftFromPlannedMs", metrics.ttftFromPlannedMs, record.firstContentMs as number);
    if (metrics.e2eFromPlannedMs !== null) this.#record("e2eFromPlannedMs", metrics.e2eFromPlannedMs, endMs);
    this.#record("inputTokens", metrics.inputTokens, endMs);
    this.#record("outputTokens", metrics.outputTokens, endMs);
    const chunks = record.chunkTimesMs;
    for (let i = 1; i < record.contentChunks; i++) this.#record("itlMs", (chunks[i] as number) - (chunks[i - 1] as number), chunks[i] as number);
    if (this.options.windows) this.#spreadTokens(record, metrics.outputTokens, endMs);
    if (this.#meetsSlo(metrics)) this.goodRequests++;
  }

  /** Index of the window holding a performance.now() time. */
  #windowIndex(atMs: number): number {
    return Math.max(0, Math.floor((atMs - this.options.originMs) / this.options.windowMs));
  }

  /** Window of a performance.now() time (created on demand, with every window before it). */
  #window(atMs: number): WindowAccumulator {
    const index = this.#windowIndex(atMs);
    while (this.windows.length <= index) {
      this.windows.push({ started: 0, completed: 0, errors: {}, inFlightMax: 0, inFlightMs: 0, outputTokens: 0, histograms: {} });
      const old = this.windows[this.windows.length - 1 - DENSE_WINDOWS];
      if (old !== undefined) packHistograms(old);
    }
    return this.windows[index] as WindowAccumulator;
  }

  #record(metric: MetricName, value: number, atMs: number): void {
    const clamped = value < 0 ? 0 : value;
    const moments = this.moments[metric];
    moments.count++;
    moments.sum += clamped;
    if (clamped < moments.min) moments.min = clamped;
    if (clamped > moments.max) moments.max = clamped;
    const recorded = metric.endsWith("Ms") ? Math.round(clamped * 1000) : Math.round(clamped);
    this.histograms[metric].recordValue(recorded);
    if (this.options.windows && LATENCY_BY_WINDOW.has(metric)) {
      const index = this.#windowIndex(atMs);
      const window = this.#window(atMs);
      (window.histograms[metric] ??= createHistogram(this.windows.length - 1 - index >= DENSE_WINDOWS ? "packed" : "dense")).recordValue(recorded);
    }
  }

  #addInFlight(startMs: number, endMs: number): void {
    const origin = this.options.originMs;
    const width = this.options.windowMs;
    // Walk by integer window index: stepping by float boundaries can stall on rounding.
    const first = Math.max(0, Math.floor((startMs - origin) / width));
    const last = Math.max(first, Math.floor((endMs - origin) / width));
    for (let index = first; index <= last; index++) {
      const window = this.#window(origin + index * width + width / 2);
      const from = Math.max(startMs, origin + index * width);
      const until = Math.min(endMs, origin + (index + 1) * width);
      if (until > from) window.inFlightMs += until - from;
      // The request was in flight in every window it spans, so each saw at least one.
      if (window.inFlightMax === 0) window.inFlightMax = 1;
    }
  }

  /** Output tokens per window: the request's tokens spread evenly over its content chunks' receive times. */
  #spreadTokens(record: RequestRecord, tokens: number, endMs: number): void {
    if (record.contentChunks === 0) {
      this.#window(endMs).outputTokens += tokens;
      return;
    }
    const perChunk = tokens / record.contentChunks;
    for (let i = 0; i < record.contentChunks; i++) this.#window(record.chunkTimesMs[i] as number).outputTokens += perChunk;
  }

  #meetsSlo(metrics: ReturnType<typeof deriveMetrics>): boolean {
    const slo = this.options.slo;
    if (slo === null) return true;
    if (slo.ttftMs !== null && !(metrics.ttftMs !== null && metrics.ttftMs <= slo.ttftMs)) return false;
    if (slo.tpotMs !== null && metrics.tpotMs !== null && metrics.tpotMs > slo.tpotMs) return false;
    if (slo.e2eMs !== null && !(metrics.e2eMs !== null && metrics.e2eMs <= slo.e2eMs)) return false;
    return true;
  }
}

/** Replaces a window's dense histograms by packed copies (same counts). */
function packHistograms(window: WindowAccumulator): void {
  const histograms = window.histograms as Partial<Record<MetricName, Histogram>>;
  for (const metric of Object.keys(histograms) as MetricName[]) {
    const dense = histograms[metric] as Histogram;
    const packed = createHistogram("packed");
    packed.add(dense);
    histograms[metric] = packed;
  }
}

/** Every error type, for iteration in a stable order. */
export const ALL_ERROR_TYPES: readonly ErrorType[] = ERROR_TYPES;
