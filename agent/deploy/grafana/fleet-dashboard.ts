/**
 * "Vigil / Fleet": every GPU host on one screen, one table row per host (GPUs, GPU
 * utilisation and power, vLLM request rate, tokens/s, TTFT p95, errors), then the same
 * figures over time. Reads the recording rules of vigil-recording.rules.yml.
 */
import { dashboard, datasourceVariable, labelVariable, Layout, stat, table, timeseries, type Dashboard } from "./grafana-model.ts";

const HOSTS = 'job=~"$job",instance=~"$instance"';

/** Builds the fleet overview dashboard. */
export function fleetDashboard(): Dashboard {
  const layout = new Layout();
  const panels = [
    stat(layout, { title: "Agents up", unit: "short", query: { expr: `sum(up{${HOSTS}})` }, w: 4 }),
    stat(layout, { title: "GPUs", unit: "short", query: { expr: `sum(instance:vigil_gpu:count{${HOSTS}})` }, w: 4 }),
    stat(layout, { title: "Requests/s", unit: "reqps", query: { expr: `sum(instance_model:vllm_requests:rate5m{${HOSTS}})` }, w: 4 }),
    stat(layout, { title: "Generated tokens/s", unit: "short", query: { expr: `sum(instance_model:vllm_generation_tokens:rate5m{${HOSTS}})` }, w: 4 }),
    stat(layout, { title: "GPU power", unit: "watt", query: { expr: `sum(instance:vigil_gpu_power_watts:sum{${HOSTS}})` }, w: 4 }),
    stat(layout, {
      title: "Firing Vigil alerts",
      unit: "short",
      query: { expr: `count(ALERTS{alertname=~"Vigil.*",alertstate="firing"}) or vector(0)` },
      w: 4,
      thresholds: [
        { value: null, color: "green" },
        { value: 1, color: "red" },
      ],
    }),
    table(layout, {
      title: "Hosts",
      description: "One row per agent. Rates and percentiles are over 5 minutes (recording rules).",
      by: ["job", "instance"],
      h: 10,
      columns: [
        { header: "Agent up", expr: `up{${HOSTS}}`, unit: "short" },
        { header: "GPUs", expr: `instance:vigil_gpu:count{${HOSTS}}`, unit: "short" },
        { header: "GPU util", expr: `instance:vigil_gpu_utilization_ratio:avg{${HOSTS}}`, unit: "percentunit" },
        { header: "GPU power", expr: `instance:vigil_gpu_power_watts:sum{${HOSTS}}`, unit: "watt" },
        { header: "GPU memory used", expr: `instance:vigil_gpu_memory_used_bytes:sum{${HOSTS}}`, unit: "bytes" },
        { header: "vLLM up", expr: `min by (job, instance) (vigil_vllm_up{${HOSTS}})`, unit: "short" },
        { header: "Requests/s", expr: `sum by (job, instance) (instance_model:vllm_requests:rate5m{${HOSTS}})`, unit: "reqps" },
        { header: "Tokens/s", expr: `sum by (job, instance) (instance_model:vllm_generation_tokens:rate5m{${HOSTS}})`, unit: "short" },
        { header: "TTFT p95", expr: `max by (job, instance) (instance_model:vllm_time_to_first_token_seconds:p95_5m{${HOSTS}})`, unit: "s" },
        { header: "Errors/s", expr: `sum by (job, instance) (instance_model:vllm_request_errors:rate5m{${HOSTS}})`, unit: "reqps" },
        { header: "Waiting", expr: `sum by (job, instance) (instance_model:vllm_num_requests_waiting:sum{${HOSTS}})`, unit: "short" },
      ],
    }),
    timeseries(layout, { title: "GPU utilisation by host", unit: "percentunit", max: 1, queries: [{ expr: `instance:vigil_gpu_utilization_ratio:avg{${HOSTS}}`, legend: "{{instance}}" }] }),
    timeseries(layout, { title: "GPU power by host", unit: "watt", queries: [{ expr: `instance:vigil_gpu_power_watts:sum{${HOSTS}}`, legend: "{{instance}}" }] }),
    timeseries(layout, { title: "vLLM requests/s by host and model", unit: "reqps", queries: [{ expr: `instance_model:vllm_requests:rate5m{${HOSTS}}`, legend: "{{instance}} {{model_name}}" }] }),
    timeseries(layout, { title: "Generated tokens/s by host and model", unit: "short", queries: [{ expr: `instance_model:vllm_generation_tokens:rate5m{${HOSTS}}`, legend: "{{instance}} {{model_name}}" }] }),
    timeseries(layout, { title: "TTFT p95 by host and model", unit: "s", queries: [{ expr: `instance_model:vllm_time_to_first_token_seconds:p95_5m{${HOSTS}}`, legend: "{{instance}} {{model_name}}" }] }),
    timeseries(layout, { title: "Error ratio by host and model", unit: "percentunit", queries: [{ expr: `instance_model:vllm_request_errors:ratio_rate5m{${HOSTS}}`, legend: "{{instance}} {{model_name}}" }] }),
    timeseries(layout, { title: "KV-cache usage by host and model", unit: "percentunit", max: 1, queries: [{ expr: `instance_model:vllm_kv_cache_usage_perc:max{${HOSTS}}`, legend: "{{instance}} {{model_name}}" }] }),
    timeseries(layout, {
      title: "Tokens/s per watt by host and model",
      description: "Generated tokens per second divided by the mean GPU power of the host: the GPU efficiency ratio.",
      unit: "short",
      queries: [{ expr: `instance_model:vigil_generation_tokens_per_second_per_watt:ratio_rate5m{${HOSTS}}`, legend: "{{instance}} {{model_name}}" }],
    }),
  ];
  return dashboard({
    uid: "vigil-fleet",
    title: "Vigil / Fleet",
    description: "Every GPU inference host watched by a Vigil agent: GPUs, vLLM rates, latency and errors per host.",
    tags: ["vigil", "gpu", "vllm"],
    variables: [
      datasourceVariable(),
      labelVariable({ name: "job", label: "Job", selector: "vigil_agent_info", labelName: "job", multi: true, includeAll: true }),
      labelVariable({ name: "instance", label: "Host", selector: 'vigil_agent_info{job=~"$job"}', labelName: "instance", multi: true, includeAll: true }),
    ],
    panels,
  });
}
