/**
 * The window join: every instance's samples, shifted onto the harness clock by the clock offset, become
 * one value per series per report window. Gauges are averaged over the samples inside the window
 * (max/min/OR for the series that say so), falling back to the nearest sample within `toleranceMs` of
 * the window's middle; counters and vLLM histograms use the interpolated increase over the window, so
 * the per-window TTFT and queue-time quantiles come from bucket deltas, as PromQL's
 * `histogram_quantile(rate(...))` computes them. No data gives null, never 0.
 */
import { bucketQuantile } from "../../agent/export/bucket-quantile.ts";
import { TELEMETRY_SERIES, TELEMETRY_SERIES_NAMES, type TelemetrySeriesName, type TelemetryWindow } from "../report/telemetry-types.ts";
import { type CombineRule, combineValues } from "./combine-values.ts";
import { cumulativeSeries, type CumulativeSeries, increaseOver } from "./cumulative-series.ts";
import { sameBounds } from "./sum-histograms.ts";
import { COUNTERS, type CounterName, GAUGE_SERIES, type GaugeSeries, HISTOGRAMS, type HistogramName, type TelemetryStream } from "./telemetry-sample.ts";

/** A report window as the join needs it. */
export interface JoinWindow {
  readonly index: number;
  /** Window start on the harness's wall clock. */
  readonly startEpochMs: number;
}

export interface JoinOptions {
  readonly windows: readonly JoinWindow[];
  readonly windowMs: number;
  /** Source clock minus harness clock (harness time = source time - offsetMs). */
  readonly offsetMs: number;
  /** How far from a window's middle the nearest sample may be when none falls inside (default: windowMs). */
  readonly toleranceMs?: number;
}

/** One instance's contribution to one window before instances are combined. */
interface InstanceWindow {
  readonly gauges: Partial<Record<GaugeSeries, number>>;
  readonly counters: Partial<Record<CounterName, number>>;
  readonly histograms: Partial<Record<HistogramName, { readonly bounds: readonly number[]; readonly deltas: number[] }>>;
}

/** Joins `streams` to `options.windows`; the result has every series key in every window. */
export function joinWindows(streams: readonly TelemetryStream[], options: JoinOptions): TelemetryWindow[] {
  const perInstance = streams.map((stream) => joinInstance(stream, options));
  return options.windows.map((window, w) => {
    const parts = perInstance.map((instance) => instance[w]!);
    const values: Partial<Record<TelemetrySeriesName, number | null>> = {};
    for (const name of TELEMETRY_SERIES_NAMES) values[name] = null;
    for (const name of GAUGE_SERIES) {
      const present = parts.map((p) => p.gauges[name]).filter((v): v is number => v !== undefined);
      values[name] = combineValues(present, TELEMETRY_SERIES[name].combine as CombineRule) ?? null;
    }
    const seconds = options.windowMs / 1000;
    const preemptions = parts.map((p) => p.counters.preemptionsTotal).filter((v): v is number => v !== undefined);
    if (preemptions.length > 0) values.preemptionsPerS = preemptions.reduce((a, b) => a + b, 0) / seconds;
    const cpu = parts.flatMap((p) => {
      const busy = p.counters.cpuBusySecondsTotal;
      const total = p.counters.cpuSecondsTotal;
      return busy !== undefined && total !== undefined && total > 0 ? [busy / total] : [];
    });
    values.hostCpuUtilizationRatio = combineValues(cpu, "mean") ?? null;
    const quantile = (name: HistogramName, q: number): number | null => {
      const merged = mergeDeltas(parts.map((p) => p.histograms[name]).filter((h) => h !== undefined));
      if (!merged) return null;
      const total = merged.deltas[merged.deltas.length - 1] as number;
      if (!(total > 0)) return null;
      const value = bucketQuantile(q, [...merged.bounds, Number.POSITIVE_INFINITY], merged.deltas);
      return Number.isFinite(value) ? value * 1000 : null;
    };
    values.vllmTtftP50Ms = quantile("ttftSeconds", 0.5);
    values.vllmTtftP95Ms = quantile("ttftSeconds", 0.95);
    values.vllmQueueTimeP95Ms = quantile("queueTimeSeconds", 0.95);
    values.vllmItlP95Ms = quantile("itlSeconds", 0.95);
    return { index: window.index, ...values };
  });
}

function joinInstance(stream: TelemetryStream, options: JoinOptions): InstanceWindow[] {
  const samples = stream.samples.map((s) => ({ ...s, timeMs: s.timeMs - options.offsetMs }));
  const tolerance = options.toleranceMs ?? options.windowMs;
  const counters = new Map<CounterName, CumulativeSeries>();
  for (const name of COUNTERS) {
    const points = samples.flatMap((s) => (s.counters[name] === undefined ? [] : [{ timeMs: s.timeMs, values: [s.counters[name]!] }]));
    if (points.length > 0) counters.set(name, cumulativeSeries(points));
  }
  const histograms = new Map<HistogramName, { bounds: readonly number[]; series: CumulativeSeries }[]>();
  for (const name of HISTOGRAMS) {
    // One series per bucket layout: a layout change (vLLM upgrade) starts a new one.
    const layouts: { bounds: readonly number[]; points: { timeMs: number; values: readonly number[] }[] }[] = [];
    for (const s of samples) {
      const h = s.histograms[name];
      if (!h) continue;
      let layout = layouts[layouts.length - 1];
      if (!layout || !sameBounds(layout.bounds, h.upperBounds)) {
        layout = { bounds: h.upperBounds, points: [] };
        layouts.push(layout);
      }
      layout.points.push({ timeMs: s.timeMs, values: h.cumulativeCounts });
    }
    if (layouts.length > 0) histograms.set(name, layouts.map((l) => ({ bounds: l.bounds, series: cumulativeSeries(l.points) })));
  }
  let cursor = 0;
  return options.windows.map((window) => {
    const start = window.startEpochMs;
    const end = start + options.windowMs;
    while (cursor < samples.length && samples[cursor]!.timeMs < start) cursor++;
    const inside: typeof samples = [];
    for (let i = cursor; i < samples.length && samples[i]!.timeMs < end; i++) inside.push(samples[i]!);
    const chosen = inside.length > 0 ? inside : nearest(samples, start + options.windowMs / 2, tolerance);
    const gauges: Partial<Record<GaugeSeries, number>> = {};
    for (const name of GAUGE_SERIES) {
      const values = chosen.map((s) => s.gauges[name]).filter((v): v is number => v !== undefined);
      const rule = TELEMETRY_SERIES[name].combine as CombineRule;
      // Over time inside one window a "sum" gauge (waiting requests) is a time average, not a sum.
      const value = combineValues(values, rule === "sum" ? "mean" : rule);
      if (value !== undefined) gauges[name] = value;
    }
    const windowCounters: Partial<Record<CounterName, number>> = {};
    for (const [name, series] of counters) {
      const increase = increaseOver(series, start, end);
      if (increase) windowCounters[name] = increase[0] as number;
    }
    const windowHistograms: InstanceWindow["histograms"] = {};
    for (const [name, layouts] of histograms) {
      for (const layout of layouts) {
        const deltas = increaseOver(layout.series, start, end);
        if (deltas) windowHistograms[name] = { bounds: layout.bounds, deltas };
      }
    }
    return { gauges, counters: windowCounters, histograms: windowHistograms };
  });
}

function nearest<T extends { readonly timeMs: number }>(samples: readonly T[], timeMs: number, toleranceMs: number): T[] {
  let best: T | undefined;
  for (const s of samples) {
    if (Math.abs(s.timeMs - timeMs) <= toleranceMs && (!best || Math.abs(s.timeMs - timeMs) < Math.abs(best.timeMs - timeMs))) best = s;
  }
  return best ? [best] : [];
}

function mergeDeltas(parts: readonly { readonly bounds: readonly number[]; readonly deltas: number[] }[]): { bounds: readonly number[]; deltas: number[] } | null {
  const [first, ...rest] = parts;
  if (!first) return null;
  const deltas = [...first.deltas];
  for (const part of rest) {
    if (!sameBounds(part.bounds, first.bounds)) continue;
    for (let i = 0; i < deltas.length; i++) deltas[i] = (deltas[i] as number) + (part.deltas[i] ?? 0);
  }
  return { bounds: first.bounds, deltas };
}
