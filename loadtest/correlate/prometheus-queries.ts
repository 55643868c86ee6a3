/**
 * The PromQL `collectTelemetry` runs against a Prometheus that scrapes Vigil agents: the same series
 * the agent's timeline carries, by their /metrics names. Raw series are fetched (only CPU time is
 * pre-summed, since a big host has hundreds of per-CPU series) and combined per `instance` here, with
 * the same rules as the timeline path, so both paths give the same numbers.
 */
import type { CounterName, GaugeSeries, HistogramName } from "./telemetry-sample.ts";
import { TelemetryOptionError } from "./telemetry-errors.ts";

/** One query and where its values go. */
export type PrometheusQuery =
  | { readonly kind: "gauge"; readonly series: GaugeSeries; readonly promql: string; readonly scale: number }
  | { readonly kind: "counter"; readonly counter: CounterName; readonly promql: string }
  | { readonly kind: "histogram"; readonly histogram: HistogramName; readonly promql: string };

/**
 * Validates a label selector (`{job="vigil",instance=~"gpu-.*"}`, or empty) and returns its inside
 * (`job="vigil",instance=~"gpu-.*"`). Throws TelemetryOptionError naming the value.
 */
export function selectorMatchers(selector: string): string {
  const trimmed = selector.trim();
  if (trimmed === "") return "";
  const match = /^\{(.*)\}$/s.exec(trimmed);
  if (!match) throw new TelemetryOptionError(`Cannot use the Prometheus selector ${JSON.stringify(selector)}: write it as {label="value",...}`);
  return (match[1] as string).trim().replace(/,$/, "");
}

/** Every query, with `matchers` (from selectorMatchers) added to each series selector. */
export function prometheusQueries(matchers: string): PrometheusQuery[] {
  const sel = (name: string, extra = ""): string => {
    const all = [matchers, extra].filter((m) => m !== "").join(",");
    return `${name}{${all}}`;
  };
  const gauge = (series: GaugeSeries, name: string, extra = "", scale = 1): PrometheusQuery => ({ kind: "gauge", series, promql: sel(name, extra), scale });
  return [
    gauge("gpuUtilizationRatio", "vigil_gpu_utilization_ratio"),
    gauge("gpuMemoryUsedBytes", "vigil_gpu_memory_used_bytes"),
    gauge("gpuPowerWatts", "vigil_gpu_power_watts"),
    gauge("gpuPowerLimitWatts", "vigil_gpu_power_limit_watts"),
    gauge("gpuTemperatureCelsius", "vigil_gpu_temperature_celsius"),
    gauge("gpuClockSmMhz", "vigil_gpu_clock_hertz", 'clock="sm"', 1e-6),
    gauge("gpuClockEventReasons", "vigil_gpu_clock_event_reasons"),
    gauge("kvCacheUsageRatio", "vllm:kv_cache_usage_perc"),
    gauge("requestsRunning", "vllm:num_requests_running"),
    gauge("requestsWaiting", "vllm:num_requests_waiting"),
    gauge("hostLoad1", "node_load1"),
    { kind: "counter", counter: "preemptionsTotal", promql: sel("vllm:num_preemptions_total") },
    { kind: "counter", counter: "cpuSecondsTotal", promql: `sum by (instance) (${sel("node_cpu_seconds_total")})` },
    { kind: "counter", counter: "cpuBusySecondsTotal", promql: `sum by (instance) (${sel("node_cpu_seconds_total", 'mode!~"idle|iowait"')})` },
    { kind: "histogram", histogram: "ttftSeconds", promql: `sum by (instance, le) (${sel("vllm:time_to_first_token_seconds_bucket")})` },
    { kind: "histogram", histogram: "queueTimeSeconds", promql: `sum by (instance, le) (${sel("vllm:request_queue_time_seconds_bucket")})` },
    { kind: "histogram", histogram: "itlSeconds", promql: `sum by (instance, le) (${sel("vllm:inter_token_latency_seconds_bucket")})` },
  ];
}
