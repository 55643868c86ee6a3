/**
 * The in-memory model of a Prometheus exposition: what the parser produces and
 * what the writers render. One model for our own families and for vLLM's
 * re-exposed ones, so both go through the same, tested writer.
 */

/** Family types as the text format 0.0.4 and OpenMetrics 1.0 name them. */
export type MetricType = "counter" | "gauge" | "histogram" | "summary" | "untyped" | "info" | "stateset" | "gaugehistogram";

/** Label pairs in exposition order. Plain object: label names are unique within a sample. */
export type Labels = Readonly<Record<string, string>>;

/** One line of the exposition: `name{labels} value`. */
export interface MetricSample {
  /** Full sample name, e.g. `vllm:e2e_request_latency_seconds_bucket`. */
  readonly name: string;
  readonly labels: Labels;
  /** Parsed float: NaN, +Inf and -Inf included. */
  readonly value: number;
  /** Optional timestamp in milliseconds, as the text format carries it. Never set by our own families. */
  readonly timestampMs?: number;
}

/** A `# HELP` / `# TYPE` group of samples. */
export interface MetricFamily {
  /** Family name as written on the `# TYPE` line (text 0.0.4 keeps `_total` on counters). */
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  /** `# UNIT`, only from OpenMetrics input. */
  readonly unit?: string;
  readonly samples: readonly MetricSample[];
}
