/**
 * Reads the fleet's telemetry from Prometheus' HTTP API (`/api/v1/query_range`) instead of one agent:
 * every instance matching the selector becomes its own stream. The clock offset comes from probing
 * `time()`, which Prometheus evaluates at its own "now" with ms resolution; the sample timestamps are
 * Prometheus' evaluation steps on that same clock.
 */
import type { HistogramReading } from "../../agent/sample.ts";
import { TELEMETRY_SERIES, type TelemetryGpu } from "../report/telemetry-types.ts";
import { type CombineRule, combineValues } from "./combine-values.ts";
import { type ClockProbe, estimateClockOffset } from "./estimate-clock-offset.ts";
import { fetchJson, type TelemetryIo } from "./fetch-json.ts";
import { prometheusQueries, selectorMatchers } from "./prometheus-queries.ts";
import type { SourceData } from "./source-data.ts";
import { TelemetryFetchError } from "./telemetry-errors.ts";
import type { CounterName, GaugeSeries, HistogramName, TelemetrySample, TelemetryStream } from "./telemetry-sample.ts";

export interface PrometheusTelemetryOptions {
  /** Prometheus base URL, e.g. `http://127.0.0.1:9090`. */
  readonly prometheusUrl: string;
  /** Label selector for the agents, e.g. `{job="vigil"}` (empty: every series). */
  readonly selector: string;
  /** Run window on the harness clock. */
  readonly sinceMs: number;
  readonly untilMs: number;
  /** Step of the range queries (default 1000 ms, one report window). */
  readonly stepMs?: number;
  readonly probes?: number;
  readonly timeoutMs?: number;
}

interface PromResponse {
  readonly status: string;
  readonly error?: string;
  readonly data?: { readonly resultType: string; readonly result: readonly { readonly metric: Record<string, string>; readonly values?: readonly [number, string][]; readonly value?: [number, string] }[] };
}

/** Fetches every query; a query that fails is an error line, a Prometheus that cannot be reached throws. */
export async function fetchPrometheusTelemetry(options: PrometheusTelemetryOptions, io: TelemetryIo): Promise<SourceData> {
  const base = options.prometheusUrl.replace(/\/+$/, "");
  const matchers = selectorMatchers(options.selector);
  const request = { timeoutMs: options.timeoutMs };
  const probes: ClockProbe[] = [];
  for (let i = 0; i < (options.probes ?? 5); i++) {
    const probe = await fetchJson(`${base}/api/v1/query?query=time()`, io, request);
    const body = probe.body as PromResponse;
    const scalar = body.data?.result as unknown as [number, string] | undefined;
    const serverTimeMs = body.status === "success" && Array.isArray(scalar) && typeof scalar[0] === "number" ? Math.round(scalar[0] * 1000) : null;
    probes.push({ sentAtMs: probe.sentAtMs, receivedAtMs: probe.receivedAtMs, serverTimeMs, dateHeaderMs: probe.dateHeaderMs });
  }
  const clockOffset = estimateClockOffset(probes);
  const errors: string[] = [];
  if (!clockOffset) errors.push(`Cannot estimate the clock offset of ${base}; assuming 0`);
  const offsetMs = clockOffset?.offsetMs ?? 0;
  const stepMs = options.stepMs ?? 1000;
  // One step of margin each side so the first and last windows have a point before and after them.
  const startS = (options.sinceMs + offsetMs - 2 * stepMs) / 1000;
  const endS = (options.untilMs + offsetMs + 2 * stepMs) / 1000;
  const byInstance = new Map<string, Map<number, MutableSample>>();
  const sampleAt = (instance: string, timeMs: number): MutableSample => {
    let samples = byInstance.get(instance);
    if (!samples) byInstance.set(instance, (samples = new Map()));
    let sample = samples.get(timeMs);
    if (!sample) samples.set(timeMs, (sample = { timeMs, gaugeValues: {}, counters: {}, buckets: {} }));
    return sample;
  };
  let points = 0;
  for (const query of prometheusQueries(matchers)) {
    const url = `${base}/api/v1/query_range?query=${encodeURIComponent(query.promql)}&start=${startS.toFixed(3)}&end=${endS.toFixed(3)}&step=${stepMs / 1000}`;
    let body: PromResponse;
    try {
      body = (await fetchJson(url, io, request)).body as PromResponse;
    } catch (error) {
      errors.push((error as Error).message);
      continue;
    }
    if (body.status !== "success" || !body.data) {
      errors.push(`Prometheus query ${query.promql} failed: ${body.error ?? body.status}`);
      continue;
    }
    for (const series of body.data.result) {
      const instance = series.metric.instance ?? "";
      for (const [timeS, text] of series.values ?? []) {
        const value = Number(text);
        if (!Number.isFinite(value)) continue;
        const sample = sampleAt(instance, Math.round(timeS * 1000));
        if (query.kind === "gauge") (sample.gaugeValues[query.series] ??= []).push(value * query.scale);
        else if (query.kind === "counter") sample.counters[query.counter] = (sample.counters[query.counter] ?? 0) + value;
        else {
          const le = series.metric.le === "+Inf" ? Number.POSITIVE_INFINITY : Number(series.metric.le);
          if (!Number.isNaN(le)) (sample.buckets[query.histogram] ??= new Map()).set(le, value);
        }
      }
    }
  }
  const streams: TelemetryStream[] = [...byInstance.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([instance, samples]) => {
      const ordered = [...samples.values()].sort((a, b) => a.timeMs - b.timeMs);
      points = Math.max(points, ordered.length);
      return { instance, samples: ordered.map(toSample) };
    });
  const gpus = await fetchGpuInfo(base, matchers, endS, io, request).catch((error: unknown) => {
    errors.push(`GPU names unknown: ${(error as Error).message}`);
    return [];
  });
  if (streams.length === 0) errors.push(`Prometheus ${base} has no series matching ${options.selector || "{}"} in the run window`);
  return { source: "prometheus", url: base, selector: options.selector, streams, clockOffset, intervalMs: stepMs, points, gpus, errors };
}

interface MutableSample {
  readonly timeMs: number;
  readonly gaugeValues: Partial<Record<GaugeSeries, number[]>>;
  readonly counters: Partial<Record<CounterName, number>>;
  readonly buckets: Partial<Record<HistogramName, Map<number, number>>>;
}

function toSample(sample: MutableSample): TelemetrySample {
  const gauges: Partial<Record<GaugeSeries, number>> = {};
  for (const [name, values] of Object.entries(sample.gaugeValues) as [GaugeSeries, number[]][]) {
    const value = combineValues(values, TELEMETRY_SERIES[name].combine as CombineRule);
    if (value !== undefined) gauges[name] = value;
  }
  const histograms: Partial<Record<HistogramName, HistogramReading>> = {};
  for (const [name, buckets] of Object.entries(sample.buckets) as [HistogramName, Map<number, number>][]) {
    const les = [...buckets.keys()].sort((a, b) => a - b);
    // Without the +Inf bucket the total count is unknown: not a usable histogram.
    if (les[les.length - 1] !== Number.POSITIVE_INFINITY) continue;
    const cumulativeCounts = les.map((le) => buckets.get(le) as number);
    const count = cumulativeCounts[cumulativeCounts.length - 1] as number;
    histograms[name] = { upperBounds: les.slice(0, -1), cumulativeCounts, sum: 0, count };
  }
  return { timeMs: sample.timeMs, gauges, counters: sample.counters, histograms };
}

async function fetchGpuInfo(base: string, matchers: string, atS: number, io: TelemetryIo, request: { timeoutMs?: number }): Promise<TelemetryGpu[]> {
  const promql = `vigil_gpu_info{${matchers}}`;
  const body = (await fetchJson(`${base}/api/v1/query?query=${encodeURIComponent(promql)}&time=${atS.toFixed(3)}`, io, request)).body as PromResponse;
  if (body.status !== "success" || !body.data) throw new TelemetryFetchError(`Prometheus query ${promql} failed: ${body.error ?? body.status}`, base);
  return body.data.result.map((r) => ({
    instance: r.metric.instance ?? "",
    index: Number(r.metric.gpu ?? 0),
    name: r.metric.name ?? "",
    uuid: r.metric.uuid ?? "",
    // /metrics does not say whether NVML was the fake one.
    simulated: null,
  }));
}
