/**
 * "Vigil / Inference server": one host and its vLLM model in depth: latency
 * percentiles, queue, KV cache, tokens/s, preemptions, then its GPUs (utilisation,
 * memory, power, temperature, clocks, clock event reasons, XID errors, processes) and
 * the agent's own health.
 */
import { dashboard, datasourceVariable, labelVariable, Layout, stat, timeseries, type Dashboard } from "./grafana-model.ts";

const HOST = 'job=~"$job",instance=~"$instance"';
const MODEL = `${HOST},model_name=~"$model_name"`;
const GPU = `${HOST},gpu=~"$gpu"`;

function percentiles(metric: string): { expr: string; legend: string }[] {
  return ["p50", "p95", "p99"].map((p) => ({ expr: `instance_model:${metric}:${p}_5m{${MODEL}}`, legend: `${p} {{model_name}}` }));
}

/** Builds the single-server dashboard. */
export function inferenceServerDashboard(): Dashboard {
  const layout = new Layout();
  const panels = [
    stat(layout, { title: "vLLM up", unit: "short", query: { expr: `min(vigil_vllm_up{${HOST}})` }, thresholds: [{ value: null, color: "red" }, { value: 1, color: "green" }] }),
    stat(layout, { title: "TTFT p95", unit: "s", query: { expr: `max(instance_model:vllm_time_to_first_token_seconds:p95_5m{${MODEL}})` } }),
    stat(layout, { title: "Requests/s", unit: "reqps", query: { expr: `sum(instance_model:vllm_requests:rate5m{${MODEL}})` } }),
    stat(layout, { title: "Generated tokens/s", unit: "short", query: { expr: `sum(instance_model:vllm_generation_tokens:rate5m{${MODEL}})` } }),
    stat(layout, { title: "Tokens/s per watt", unit: "short", query: { expr: `sum(instance_model:vigil_generation_tokens_per_second_per_watt:ratio_rate5m{${MODEL}})` } }),
    stat(layout, { title: "KV cache", unit: "percentunit", query: { expr: `max(instance_model:vllm_kv_cache_usage_perc:max{${MODEL}})` } }),

    layout.row("Latency (vLLM histograms, 5m)"),
    timeseries(layout, { title: "Time to first token", unit: "s", w: 8, queries: percentiles("vllm_time_to_first_token_seconds") }),
    timeseries(layout, { title: "Inter-token latency", unit: "s", w: 8, queries: percentiles("vllm_inter_token_latency_seconds") }),
    timeseries(layout, { title: "End-to-end request latency", unit: "s", w: 8, queries: percentiles("vllm_e2e_request_latency_seconds") }),

    layout.row("Load"),
    timeseries(layout, {
      title: "Requests running and waiting",
      unit: "short",
      w: 8,
      queries: [
        { expr: `sum by (model_name) (vllm:num_requests_running{${MODEL}})`, legend: "running {{model_name}}" },
        { expr: `sum by (model_name) (vllm:num_requests_waiting{${MODEL}})`, legend: "waiting {{model_name}}" },
      ],
    }),
    timeseries(layout, { title: "Queue time p95", unit: "s", w: 8, queries: [{ expr: `instance_model:vllm_request_queue_time_seconds:p95_5m{${MODEL}}`, legend: "p95 {{model_name}}" }] }),
    timeseries(layout, { title: "KV-cache usage per engine", unit: "percentunit", max: 1, w: 8, queries: [{ expr: `vllm:kv_cache_usage_perc{${MODEL}}`, legend: "engine {{engine}}" }] }),
    timeseries(layout, {
      title: "Tokens/s",
      unit: "short",
      w: 8,
      queries: [
        { expr: `sum by (model_name) (rate(vllm:prompt_tokens_total{${MODEL}}[$__rate_interval]))`, legend: "prompt {{model_name}}" },
        { expr: `sum by (model_name) (rate(vllm:generation_tokens_total{${MODEL}}[$__rate_interval]))`, legend: "generation {{model_name}}" },
      ],
    }),
    timeseries(layout, {
      title: "Finished requests/s by reason",
      description: "finished_reason=error is what VigilVllmHighErrorRate counts; abort is a client that went away.",
      unit: "reqps",
      w: 8,
      stack: true,
      queries: [{ expr: `sum by (finished_reason) (rate(vllm:request_success_total{${MODEL}}[$__rate_interval]))`, legend: "{{finished_reason}}" }],
    }),
    timeseries(layout, { title: "Preemptions/s", unit: "ops", w: 8, queries: [{ expr: `sum by (model_name) (rate(vllm:num_preemptions_total{${MODEL}}[$__rate_interval]))`, legend: "{{model_name}}" }] }),

    layout.row("GPUs"),
    timeseries(layout, { title: "GPU utilisation", unit: "percentunit", max: 1, w: 8, queries: [{ expr: `vigil_gpu_utilization_ratio{${GPU}}`, legend: "GPU {{gpu}}" }] }),
    timeseries(layout, {
      title: "GPU memory used",
      unit: "bytes",
      w: 8,
      queries: [
        { expr: `vigil_gpu_memory_used_bytes{${GPU}}`, legend: "GPU {{gpu}} used" },
        { expr: `sum(vigil_gpu_memory_total_bytes{${GPU}})`, legend: "total" },
      ],
    }),
    timeseries(layout, {
      title: "GPU power",
      unit: "watt",
      w: 8,
      queries: [
        { expr: `vigil_gpu_power_watts{${GPU}}`, legend: "GPU {{gpu}}" },
        { expr: `vigil_gpu_power_limit_watts{${GPU}}`, legend: "GPU {{gpu}} limit" },
        { expr: `sum(rate(vigil_gpu_energy_joules_total{${GPU}}[$__rate_interval]))`, legend: "all GPUs, from energy counter" },
      ],
    }),
    timeseries(layout, { title: "GPU temperature", unit: "celsius", w: 8, queries: [{ expr: `vigil_gpu_temperature_celsius{${GPU}}`, legend: "GPU {{gpu}}" }] }),
    timeseries(layout, { title: "GPU clocks", unit: "hertz", w: 8, queries: [{ expr: `vigil_gpu_clock_hertz{${GPU}}`, legend: "GPU {{gpu}} {{clock}}" }] }),
    timeseries(layout, {
      title: "Clock event reasons (throttling)",
      description: "1 while NVML reports the reason active: power_cap, sw_thermal, hw_slowdown... gpu_idle is normal when idle.",
      unit: "short",
      w: 8,
      stack: true,
      queries: [{ expr: `vigil_gpu_clock_event_reason{${GPU}}`, legend: "GPU {{gpu}} {{reason}}" }],
    }),
    timeseries(layout, { title: "XID errors (last hour)", unit: "short", w: 8, queries: [{ expr: `increase(vigil_gpu_xid_errors_total{${GPU}}[1h])`, legend: "GPU {{gpu}} XID {{xid}}" }] }),
    timeseries(layout, { title: "GPU memory per process", unit: "bytes", w: 8, stack: true, queries: [{ expr: `vigil_gpu_process_memory_used_bytes{${GPU}}`, legend: "GPU {{gpu}} {{command}} ({{pid}})" }] }),
    timeseries(layout, { title: "GPU up", unit: "short", w: 8, queries: [{ expr: `vigil_gpu_up{${GPU}}`, legend: "GPU {{gpu}}" }] }),

    layout.row("Agent"),
    timeseries(layout, { title: "Source up", unit: "short", w: 8, queries: [{ expr: `vigil_source_up{${HOST}}`, legend: "{{source}}" }] }),
    timeseries(layout, { title: "Source duration", unit: "s", w: 8, queries: [{ expr: `vigil_source_duration_seconds{${HOST}}`, legend: "{{source}}" }] }),
    timeseries(layout, { title: "vLLM scrape duration", unit: "s", w: 8, queries: [{ expr: `vigil_vllm_scrape_duration_seconds{${HOST}}`, legend: "{{target}}" }] }),
  ];
  return dashboard({
    uid: "vigil-inference-server",
    title: "Vigil / Inference server",
    description: "One vLLM server and its GPUs in depth, from a Vigil agent.",
    tags: ["vigil", "gpu", "vllm"],
    variables: [
      datasourceVariable(),
      labelVariable({ name: "job", label: "Job", selector: "vigil_agent_info", labelName: "job" }),
      labelVariable({ name: "instance", label: "Host", selector: 'vigil_agent_info{job=~"$job"}', labelName: "instance" }),
      labelVariable({ name: "model_name", label: "Model", selector: 'vllm:num_requests_running{job=~"$job",instance=~"$instance"}', labelName: "model_name", multi: true, includeAll: true }),
      labelVariable({ name: "gpu", label: "GPU", selector: 'vigil_gpu_up{job=~"$job",instance=~"$instance"}', labelName: "gpu", multi: true, includeAll: true }),
    ],
    panels,
  });
}
