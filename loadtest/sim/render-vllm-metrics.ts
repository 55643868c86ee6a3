/**
 * Renders the simulator's /metrics exactly as a single-API-server vLLM V1 does through
 * prometheus_client: registration order (python_*, process_*, vllm:* in
 * PrometheusStatLogger order, vllm:cache_config_info, http_*), labels sorted, `_created`
 * gauge families after each counter and histogram, floats via floatToGoString.
 * The reference body is shared/fixtures/vllm-metrics-v1.txt. Pure: the caller passes
 * the engine's gauges and the process's own stats.
 */
import { formatGoFloat, pythonFloatRepr } from "./format-go-float.ts";
import type { Histogram } from "./histogram.ts";
import { FINISHED_REASONS, type HttpChild, PROMPT_SOURCES, type SummaryValue, type VllmMetrics } from "./vllm-metrics.ts";

/** The process_* values prometheus_client's ProcessCollector reads from /proc. */
export interface ProcessStats {
  readonly virtualMemoryBytes: number;
  readonly residentMemoryBytes: number;
  readonly startTimeSeconds: number;
  readonly cpuSecondsTotal: number;
  readonly openFds: number;
  readonly maxFds: number;
}

export interface RenderInput {
  readonly metrics: VllmMetrics;
  readonly model: string;
  readonly running: number;
  readonly waiting: number;
  readonly kvCacheUsage: number;
  readonly cacheConfig: { readonly blockSize: number; readonly numGpuBlocks: number; readonly enablePrefixCaching: boolean; readonly maxModelLen: number };
  readonly process: ProcessStats;
}

type LabelSet = Readonly<Record<string, string>>;

function labelText(labels: LabelSet): string {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return "";
  return `{${keys.map((key) => `${key}="${(labels[key] ?? "").replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`).join(",")}}`;
}

class Writer {
  out = "";
  #createdOffset = 0;
  constructor(readonly createdBase: number) {}

  /** Each family's `_created` is a little later than the previous one, as registration takes time. */
  nextCreated(): number {
    return this.createdBase + 0.000025 * this.#createdOffset++;
  }

  header(name: string, help: string, type: string): void {
    this.out += `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`;
  }

  sample(name: string, labels: LabelSet, value: number): void {
    this.out += `${name}${labelText(labels)} ${formatGoFloat(value)}\n`;
  }

  gauge(name: string, help: string, children: readonly [LabelSet, number][]): void {
    this.header(name, help, "gauge");
    for (const [labels, value] of children) this.sample(name, labels, value);
  }

  /** prometheus_client writes a `_created` family only when it has samples. */
  created(base: string, help: string, children: readonly [LabelSet, number][]): void {
    if (children.length === 0) return;
    this.header(`${base}_created`, help, "gauge");
    for (const [labels, value] of children) this.sample(`${base}_created`, labels, value);
  }

  /** Counter `base`: `base_total` samples, then the `base_created` gauge family. */
  counter(base: string, help: string, children: readonly [LabelSet, number][], createdTimes?: readonly number[]): void {
    this.header(`${base}_total`, help, "counter");
    for (const [labels, value] of children) this.sample(`${base}_total`, labels, value);
    this.created(base, help, children.map(([labels], i) => [labels, createdTimes?.[i] ?? this.nextCreated()]));
  }

  histogramSamples(name: string, labels: LabelSet, histogram: Histogram): void {
    const cumulative = histogram.cumulative();
    histogram.bounds.forEach((bound, i) => this.sample(`${name}_bucket`, { ...labels, le: formatGoFloat(bound) }, cumulative[i] as number));
    this.sample(`${name}_bucket`, { ...labels, le: "+Inf" }, cumulative[cumulative.length - 1] as number);
    this.sample(`${name}_count`, labels, histogram.count);
    this.sample(`${name}_sum`, labels, histogram.sum);
  }

  histogram(name: string, help: string, labels: LabelSet, histogram: Histogram): void {
    this.header(name, help, "histogram");
    this.histogramSamples(name, labels, histogram);
    this.created(name, help, [[labels, this.nextCreated()]]);
  }
}

const MFU_HELP = "(for Model Flops Utilization calculations).";

/** The /metrics body (text format 0.0.4; serve as `text/plain; version=0.0.4; charset=utf-8`). */
export function renderVllmMetrics(input: RenderInput): string {
  const m = input.metrics;
  const w = new Writer(m.createdUnixSeconds);
  const base = { engine: "0", model_name: input.model };
  const one = (value: number): [LabelSet, number][] => [[base, value]];
  const generations = ["0", "1", "2"];

  // prometheus_client's default collectors. A Bun process has no Python GC: the
  // python_* series keep vLLM's shape with zero counts; process_* are this process's.
  w.header("python_gc_objects_collected_total", "Objects collected during gc", "counter");
  for (const generation of generations) w.sample("python_gc_objects_collected_total", { generation }, 0);
  w.header("python_gc_objects_uncollectable_total", "Uncollectable objects found during GC", "counter");
  for (const generation of generations) w.sample("python_gc_objects_uncollectable_total", { generation }, 0);
  w.header("python_gc_collections_total", "Number of times this generation was collected", "counter");
  for (const generation of generations) w.sample("python_gc_collections_total", { generation }, 0);
  w.gauge("python_info", "Python platform information", [[{ implementation: "CPython", major: "3", minor: "12", patchlevel: "11", version: "3.12.11" }, 1]]);
  const p = input.process;
  w.gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", [[{}, p.virtualMemoryBytes]]);
  w.gauge("process_resident_memory_bytes", "Resident memory size in bytes.", [[{}, p.residentMemoryBytes]]);
  w.gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", [[{}, p.startTimeSeconds]]);
  w.header("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", "counter");
  w.sample("process_cpu_seconds_total", {}, p.cpuSecondsTotal);
  w.gauge("process_open_fds", "Number of open file descriptors.", [[{}, p.openFds]]);
  w.gauge("process_max_fds", "Maximum number of open file descriptors.", [[{}, p.maxFds]]);

  w.counter("vllm:estimated_flops_per_gpu", `Estimated number of floating point operations per GPU ${MFU_HELP}`, one(m.estimatedFlops));
  w.counter("vllm:estimated_read_bytes_per_gpu", `Estimated number of bytes read from memory per GPU ${MFU_HELP}`, one(m.estimatedReadBytes));
  w.counter("vllm:estimated_write_bytes_per_gpu", `Estimated number of bytes written to memory per GPU ${MFU_HELP}`, one(m.estimatedWriteBytes));
  w.gauge("vllm:num_requests_running", "Number of requests in model execution batches.", one(input.running));
  w.gauge("vllm:num_requests_waiting", "Number of requests waiting to be processed.", one(input.waiting));
  w.gauge(
    "vllm:num_requests_waiting_by_reason",
    "Number of waiting requests by reason. Reason labels: 'capacity' = waiting for scheduling capacity; 'deferred' = deferred by transient constraints (LoRA budget, KV transfer, blocked status). Sum of all reasons equals vllm:num_requests_waiting.",
    [
      [{ ...base, reason: "capacity" }, input.waiting],
      [{ ...base, reason: "deferred" }, 0],
    ],
  );
  w.gauge(
    "vllm:engine_sleep_state",
    "Engine sleep state; awake = 0 means engine is sleeping; awake = 1 means engine is awake; weights_offloaded = 1 means sleep level 1; discard_all = 1 means sleep level 2.",
    [
      [{ ...base, sleep_state: "awake" }, 1],
      [{ ...base, sleep_state: "weights_offloaded" }, 0],
      [{ ...base, sleep_state: "discard_all" }, 0],
    ],
  );
  w.gauge("vllm:kv_cache_usage_perc", "KV-cache usage. 1 means 100 percent usage.", one(input.kvCacheUsage));
  w.counter("vllm:prefix_cache_queries", "Prefix cache queries, in terms of number of queried tokens.", one(m.prefixCacheQueries));
  w.counter("vllm:prefix_cache_hits", "Prefix cache hits, in terms of number of cached tokens.", one(m.prefixCacheHits));
  w.counter("vllm:external_prefix_cache_queries", "External prefix cache queries from KV connector cross-instance cache sharing, in terms of number of queried tokens.", one(0));
  w.counter("vllm:external_prefix_cache_hits", "External prefix cache hits from KV connector cross-instance cache sharing, in terms of number of cached tokens.", one(0));
  w.counter("vllm:mm_cache_queries", "Multi-modal cache queries, in terms of number of queried items.", one(0));
  w.counter("vllm:mm_cache_hits", "Multi-modal cache hits, in terms of number of cached items.", one(0));
  w.counter("vllm:num_preemptions", "Cumulative number of preemption from the engine.", one(m.preemptions));
  w.counter("vllm:prompt_tokens", "Number of prefill tokens processed.", one(m.promptTokens));
  w.counter("vllm:prompt_tokens_by_source", "Number of prompt tokens by source.", PROMPT_SOURCES.map((source) => [{ ...base, source }, m.promptTokensBySource[source]]));
  w.counter("vllm:prompt_tokens_cached", "Number of cached prompt tokens (local + external).", one(m.promptTokensCached));
  w.counter("vllm:generation_tokens", "Number of generation tokens processed.", one(m.generationTokens));
  w.counter("vllm:request_success", "Count of successfully processed requests.", FINISHED_REASONS.map((reason) => [{ ...base, finished_reason: reason }, m.requestSuccess[reason]]));
  w.histogram("vllm:request_prompt_tokens", "Number of prefill tokens processed.", base, m.requestPromptTokens);
  w.histogram("vllm:request_generation_tokens", "Number of generation tokens processed.", base, m.requestGenerationTokens);
  w.histogram("vllm:iteration_tokens_total", "Histogram of number of tokens per engine_step.", base, m.iterationTokens);
  w.histogram("vllm:request_max_num_generation_tokens", "Histogram of maximum number of requested generation tokens.", base, m.requestMaxNumGenerationTokens);
  w.histogram("vllm:request_params_n", "Histogram of the n request parameter.", base, m.requestParamsN);
  w.histogram("vllm:request_params_max_tokens", "Histogram of the max_tokens request parameter.", base, m.requestParamsMaxTokens);
  w.histogram("vllm:time_to_first_token_seconds", "Histogram of time to first token in seconds.", base, m.timeToFirstToken);
  w.histogram("vllm:inter_token_latency_seconds", "Histogram of inter-token latency in seconds.", base, m.interTokenLatency);
  w.histogram("vllm:request_time_per_output_token_seconds", "Histogram of time_per_output_token_seconds per request.", base, m.requestTimePerOutputToken);
  w.histogram("vllm:e2e_request_latency_seconds", "Histogram of e2e request latency in seconds.", base, m.e2eRequestLatency);
  w.histogram("vllm:request_queue_time_seconds", "Histogram of time spent in WAITING phase for request.", base, m.requestQueueTime);
  w.histogram("vllm:request_inference_time_seconds", "Histogram of time spent in RUNNING phase for request.", base, m.requestInferenceTime);
  w.histogram("vllm:request_prefill_time_seconds", "Histogram of time spent in PREFILL phase for request.", base, m.requestPrefillTime);
  w.histogram("vllm:request_decode_time_seconds", "Histogram of time spent in DECODE phase for request.", base, m.requestDecodeTime);
  w.histogram("vllm:request_prefill_kv_computed_tokens", "Histogram of new KV tokens computed during prefill (excluding cached tokens).", base, m.requestPrefillKvComputedTokens);

  const cache = input.cacheConfig;
  const kvTokens = cache.numGpuBlocks * cache.blockSize;
  w.gauge("vllm:cache_config_info", "Information of the LLMEngine CacheConfig", [
    [
      {
        block_size: String(cache.blockSize),
        cache_dtype: "auto",
        enable_prefix_caching: cache.enablePrefixCaching ? "True" : "False",
        engine: "0",
        gpu_memory_utilization: "0.9",
        is_attention_free: "False",
        kv_cache_dtype_skip_layers: "[]",
        kv_cache_max_concurrency: pythonFloatRepr(kvTokens / cache.maxModelLen),
        kv_cache_memory_bytes: "None",
        kv_cache_size_tokens: String(kvTokens),
        kv_offloading_backend: "native",
        kv_offloading_size: "None",
        kv_sharing_fast_prefill: "False",
        mamba_block_size: "None",
        mamba_cache_dtype: "auto",
        mamba_cache_mode: "none",
        mamba_page_size_padded: "None",
        mamba_ssm_cache_dtype: "auto",
        num_cpu_blocks: "None",
        num_gpu_blocks: String(cache.numGpuBlocks),
        num_gpu_blocks_override: "None",
        prefix_caching_hash_algo: "sha256",
        sliding_window: "None",
        user_specified_block_size: "False",
      },
      1,
    ],
  ]);

  renderHttp(w, m);
  return w.out;
}

function renderHttp(w: Writer, m: VllmMetrics): void {
  const children = <T>(map: Map<string, HttpChild<T>>) => [...map.values()];
  const requests = children(m.httpRequests);
  w.counter("http_requests", "Total number of requests by method, status and handler.", requests.map((child) => [child.labels, child.value.count]), requests.map((child) => child.createdUnixSeconds));
  // The instrumentator's HELP strings end with a space (reference/vllm.md §1.5).
  const summary = (name: string, help: string, map: Map<string, HttpChild<SummaryValue>>) => {
    w.header(name, help, "summary");
    for (const child of map.values()) {
      w.sample(`${name}_count`, child.labels, child.value.count);
      w.sample(`${name}_sum`, child.labels, child.value.sum);
    }
    w.created(name, help, children(map).map((child) => [child.labels, child.createdUnixSeconds]));
  };
  summary("http_request_size_bytes", "Content length of incoming requests by handler. Only value of header is respected. Otherwise ignored. No percentile calculated. ", m.httpRequestSize);
  summary("http_response_size_bytes", "Content length of outgoing responses by handler. Only value of header is respected. Otherwise ignored. No percentile calculated. ", m.httpResponseSize);
  w.histogram("http_request_duration_highr_seconds", "Latency with many buckets but no API specific labels. Made for more accurate percentile calculations. ", {}, m.httpDurationHighr);
  const help = "Latency with only few buckets by handler. Made to be only used if aggregation by handler is important. ";
  w.header("http_request_duration_seconds", help, "histogram");
  for (const child of m.httpDuration.values()) w.histogramSamples("http_request_duration_seconds", child.labels, child.value);
  w.created("http_request_duration_seconds", help, children(m.httpDuration).map((child) => [child.labels, child.createdUnixSeconds]));
}
