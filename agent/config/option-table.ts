/**
 * Every flag the agent takes, in one table: the parser, the environment lookup and
 * --help are all driven by it, so they cannot drift apart.
 */

export type OptionKind = "string" | "duration" | "integer" | "bytes" | "boolean" | "enum";

export interface OptionSpec {
  /** Flag name without dashes; the environment name is VIGIL_ + upper snake case of it. */
  readonly flag: string;
  readonly kind: OptionKind;
  readonly help: string;
  /** Shown in --help; undefined for "no default". */
  readonly defaultText?: string;
  readonly repeatable?: boolean;
  readonly values?: readonly string[];
  readonly valueName?: string;
  /** Names other exporters use for the same thing, honoured after VIGIL_*. */
  readonly envAliases?: readonly string[];
}

export const OPTION_TABLE: readonly OptionSpec[] = [
  { flag: "listen", kind: "string", valueName: "HOST:PORT", defaultText: "0.0.0.0:19400", help: "Address to serve /metrics and the API on (port 0 picks a free port)." },
  { flag: "interval", kind: "duration", defaultText: "1s", envAliases: ["METRICS_INTERVAL"], help: "How often to sample every source; 0 samples on demand, at scrape time." },
  { flag: "vllm", kind: "string", valueName: "URL", repeatable: true, defaultText: "http://127.0.0.1:8000 (probed)", envAliases: ["VLLM_PORT"], help: "vLLM server to scrape; repeat for several. VIGIL_VLLM takes a comma-separated list, VLLM_PORT a port on 127.0.0.1." },
  { flag: "no-vllm", kind: "boolean", help: "Do not probe the default vLLM address." },
  { flag: "vllm-timeout", kind: "duration", defaultText: "800ms", help: "Give up on one vLLM scrape after this long." },
  { flag: "vllm-max-body", kind: "bytes", defaultText: "16MiB", help: "Largest vLLM /metrics body accepted." },
  { flag: "vllm-max-series", kind: "integer", defaultText: "20000", help: "Most samples accepted from one vLLM scrape." },
  { flag: "vllm-pid", kind: "integer", valueName: "PID", help: "PID of the vLLM server, when it cannot be found from its listening port." },
  { flag: "timeline-retention", kind: "duration", defaultText: "1h", help: "How much sample history /api/v1/timeline keeps." },
  { flag: "token", kind: "string", valueName: "TOKEN", help: "Bearer token required by the JSON API (and /metrics with --metrics-auth)." },
  { flag: "metrics-auth", kind: "boolean", help: "Require the bearer token on /metrics too." },
  { flag: "tls-cert", kind: "string", valueName: "FILE", help: "Serve HTTPS with this PEM certificate (needs --tls-key)." },
  { flag: "tls-key", kind: "string", valueName: "FILE", help: "PEM private key for --tls-cert." },
  { flag: "log-level", kind: "enum", values: ["debug", "info", "warn", "error"], defaultText: "info", help: "Least severe log line written to stderr." },
  { flag: "once", kind: "boolean", help: "Sample once, print it and exit (a dry run)." },
  { flag: "format", kind: "enum", values: ["json", "prometheus", "openmetrics"], defaultText: "json", help: "Output of --once." },
  { flag: "nvml-library", kind: "string", valueName: "PATH", defaultText: "libnvidia-ml.so.1 (system search path)", help: "NVML library to load for GPU metrics; absent = no GPU metrics, one log line." },
  { flag: "compat", kind: "enum", values: ["none", "dcgm"], defaultText: "none", help: "Name the GPU metrics as dcgm-exporter does (DCGM_FI_DEV_*), so its Grafana dashboard works unchanged." },
  { flag: "path.procfs", kind: "string", valueName: "DIR", defaultText: "/proc", help: "procfs mountpoint (node_exporter's flag)." },
  { flag: "path.rootfs", kind: "string", valueName: "DIR", defaultText: "/", help: "rootfs mountpoint, prefixed to filesystem paths (node_exporter's flag)." },
  { flag: "otlp", kind: "string", valueName: "URL", envAliases: ["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT", "OBS_OTLP_ENDPOINT"], help: "Push OTLP/HTTP metrics to this collector (a base URL gets /v1/metrics appended)." },
  { flag: "otlp-protocol", kind: "enum", values: ["http/json", "http/protobuf"], defaultText: "http/json", envAliases: ["OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"], help: "OTLP encoding." },
  { flag: "otlp-interval", kind: "duration", defaultText: "10s", envAliases: ["OTEL_METRIC_EXPORT_INTERVAL"], help: "How often to push OTLP metrics (OTEL_METRIC_EXPORT_INTERVAL is in ms)." },
  { flag: "otlp-headers", kind: "string", valueName: "K=V,...", envAliases: ["OTEL_EXPORTER_OTLP_METRICS_HEADERS", "OTEL_EXPORTER_OTLP_HEADERS"], help: "Extra HTTP headers for the OTLP push (e.g. api-key=secret)." },
  { flag: "otlp-resource", kind: "string", valueName: "K=V", repeatable: true, envAliases: ["OTEL_RESOURCE_ATTRIBUTES"], help: "Extra OTLP resource attribute; repeat for several." },
  { flag: "otlp-queue", kind: "integer", defaultText: "60", help: "Most OTLP batches kept while the collector is unreachable; the oldest is dropped and counted." },
  { flag: "pushgateway", kind: "string", valueName: "URL", help: "Push /metrics to this Prometheus Pushgateway (needs --job); the group is deleted on shutdown." },
  { flag: "job", kind: "string", valueName: "NAME", help: "Pushgateway job label." },
  { flag: "instance", kind: "string", valueName: "NAME", defaultText: "the host name", help: "Pushgateway instance label." },
  { flag: "pushgateway-interval", kind: "duration", defaultText: "15s", help: "How often to push to the Pushgateway." },
  { flag: "record", kind: "string", valueName: "FILE", help: "Record every sample to FILE: .jsonl, .csv, .sqlite (or .db) or a node_exporter textfile (.prom)." },
  { flag: "metrics", kind: "string", valueName: "NAME", repeatable: true, help: "Families to record (globs like node_cpu_* or vllm:*); repeat for several. Default: all." },
  { flag: "version", kind: "boolean", help: "Print the version and exit." },
  { flag: "help", kind: "boolean", help: "Print this help and exit." },
];

/** VIGIL_ + the flag in upper snake case: `vllm-timeout` -> `VIGIL_VLLM_TIMEOUT`, `path.procfs` -> `VIGIL_PATH_PROCFS`. */
export function envNameOf(flag: string): string {
  return `VIGIL_${flag.toUpperCase().replace(/[.-]/g, "_")}`;
}
