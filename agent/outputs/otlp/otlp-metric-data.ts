/**
 * Small builders for the OpenTelemetry SDK's MetricData shapes, so the mapping from
 * a Sample reads as a table of names, units and values rather than object literals.
 */
import { type Attributes, type HrTime, ValueType } from "@opentelemetry/api";
import { AggregationTemporality, DataPointType, type DataPoint, type GaugeMetricData, type HistogramMetricData, type MetricData, type SumMetricData } from "@opentelemetry/sdk-metrics";

/** Milliseconds since the epoch as OTel's [seconds, nanoseconds]. */
export function hrTime(timeMs: number): HrTime {
  const seconds = Math.floor(timeMs / 1000);
  return [seconds, Math.round((timeMs - seconds * 1000) * 1e6)];
}

/** One point: its attributes and value; times are filled in by the builders. */
export type Point<T = number> = readonly [attributes: Attributes, value: T];

/** The times every point of one batch shares: cumulative start and the sample time. */
export interface PointTimes {
  readonly startMs: number;
  readonly timeMs: number;
}

function points<T>(rows: readonly Point<T>[], times: PointTimes): DataPoint<T>[] {
  const startTime = hrTime(times.startMs);
  const endTime = hrTime(times.timeMs);
  return rows.map(([attributes, value]) => ({ startTime, endTime, attributes, value }));
}

/** A gauge (utilization, power, anything sampled). */
export function gauge(name: string, unit: string, description: string, rows: readonly Point[], times: PointTimes): GaugeMetricData {
  return { descriptor: { name, unit, description, valueType: ValueType.DOUBLE }, aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.GAUGE, dataPoints: points(rows, times) };
}

/** A cumulative sum: monotonic for counters, not for updowncounters (memory usage, filesystem usage). */
export function sum(name: string, unit: string, description: string, rows: readonly Point[], times: PointTimes & { readonly monotonic: boolean }): SumMetricData {
  return {
    descriptor: { name, unit, description, valueType: ValueType.DOUBLE },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.SUM,
    isMonotonic: times.monotonic,
    dataPoints: points(rows, times),
  };
}

/** Explicit-bucket histogram point: finite upper bounds and per-bucket (not cumulative) counts, +Inf last. */
export interface HistogramPointValue {
  readonly boundaries: readonly number[];
  readonly counts: readonly number[];
  readonly sum: number;
  readonly count: number;
}

/** A cumulative explicit-bucket histogram. */
export function histogram(name: string, unit: string, description: string, rows: readonly Point<HistogramPointValue>[], times: PointTimes): HistogramMetricData {
  return {
    descriptor: { name, unit, description, valueType: ValueType.DOUBLE },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.HISTOGRAM,
    dataPoints: points(
      rows.map(([attributes, v]) => [attributes, { buckets: { boundaries: [...v.boundaries], counts: [...v.counts] }, sum: v.sum, count: v.count }] as const),
      times,
    ),
  };
}

/** Drops metrics without points: OTLP receivers accept them, but they are noise. */
export function nonEmpty(metrics: readonly MetricData[]): MetricData[] {
  return metrics.filter((metric) => metric.dataPoints.length > 0);
}
