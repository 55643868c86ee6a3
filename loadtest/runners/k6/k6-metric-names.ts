/**
 * The names a generated k6 script and the ingest agree on: the custom metrics the script emits, the
 * metadata key that joins every point of one request, and the names of its two k6 scenarios. One place,
 * so the script and the reader cannot drift apart.
 */
/** Metadata key (k6 `exec.vu.metrics.metadata`) carrying the request id on every point of a request; also read from tags. */
export const REQUEST_KEY = "vigil_request";

/** The k6 scenario names of a generated script: the warm-up (when the scenario has one) and the measured run. */
export const WARMUP_SCENARIO = "warmup";
export const MEASURE_SCENARIO = "measure";

/** Custom metrics of the generated script: k6 metric name, k6 type, and whether it holds a time. */
export const K6_CUSTOM_METRICS = {
  e2eMs: { name: "vigil_e2e_ms", type: "trend", time: true },
  ttftMs: { name: "vigil_ttft_ms", type: "trend", time: true },
  ttftVllmMs: { name: "vigil_ttft_vllm_ms", type: "trend", time: true },
  itlMs: { name: "vigil_itl_ms", type: "trend", time: true },
  tpotMs: { name: "vigil_tpot_ms", type: "trend", time: true },
  inputTokens: { name: "vigil_input_tokens", type: "trend", time: false },
  outputTokens: { name: "vigil_output_tokens", type: "trend", time: false },
  errorRate: { name: "vigil_error_rate", type: "rate", time: false },
  goodRatio: { name: "vigil_good_ratio", type: "rate", time: false },
  requests: { name: "vigil_requests", type: "counter", time: false },
  failedRequests: { name: "vigil_failed_requests", type: "counter", time: false },
} as const satisfies Record<string, { readonly name: string; readonly type: "trend" | "rate" | "counter"; readonly time: boolean }>;

/** Tag on `vigil_error_rate` points of failed requests: the report's error type as the script saw it. */
export const ERROR_TYPE_TAG = "vigil_error";
