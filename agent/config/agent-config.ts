/** The agent's settings after flags, environment and defaults have been merged and checked. */

export type LogLevel = "debug" | "info" | "warn" | "error";
export type OnceFormat = "json" | "prometheus" | "openmetrics";

export interface VllmTargetConfig {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:8000; metrics are read from `${baseUrl}/metrics`. */
  readonly baseUrl: string;
  /** True for the default http://127.0.0.1:8000 probe: a server that is simply absent there is not an error. */
  readonly probed: boolean;
}

export interface AgentConfig {
  readonly listenHost: string;
  readonly listenPort: number;
  /** Sampling interval; 0 means sample on demand (on scrape or API call). */
  readonly intervalMs: number;
  readonly vllmTargets: readonly VllmTargetConfig[];
  readonly vllmTimeoutMs: number;
  readonly vllmMaxBodyBytes: number;
  readonly vllmMaxSeries: number;
  /** The vLLM server's PID when it cannot be found from its listening port (containers, other netns). */
  readonly vllmPid: number | null;
  readonly timelineRetentionMs: number;
  readonly token: string | null;
  /** Whether /metrics needs the token too (the JSON API always does when a token is set). */
  readonly metricsAuth: boolean;
  readonly tlsCertPath: string | null;
  readonly tlsKeyPath: string | null;
  readonly logLevel: LogLevel;
  readonly once: boolean;
  readonly onceFormat: OnceFormat;
  /** node_exporter's --path.procfs: where /proc is mounted (a container with the host's /proc at /host/proc). */
  readonly procfsPath: string;
  /** node_exporter's --path.rootfs: prefix for statfs of mountpoints. */
  readonly rootfsPath: string;
  /** --nvml-library: path or soname of libnvidia-ml to dlopen. */
  readonly nvmlLibrary: string;
  /** --compat dcgm: GPU metrics under dcgm-exporter's names and labels instead of vigil_gpu_*. */
  readonly compat: "none" | "dcgm";
  /** OTLP push; null when not configured. */
  readonly otlp: OtlpConfig | null;
  /** Pushgateway push; null when not configured. */
  readonly pushgateway: PushgatewayConfig | null;
  /** --record; null when not recording. */
  readonly record: RecordConfig | null;
}

export type OtlpProtocol = "http/json" | "http/protobuf";

export interface OtlpConfig {
  /** Full URL of the metrics endpoint, e.g. http://127.0.0.1:4318/v1/metrics. */
  readonly url: string;
  readonly protocol: OtlpProtocol;
  readonly intervalMs: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Extra resource attributes from --otlp-resource / OTEL_RESOURCE_ATTRIBUTES. */
  readonly resource: Readonly<Record<string, string>>;
  /** Most batches held while the collector is unreachable. */
  readonly queueBatches: number;
}

export interface PushgatewayConfig {
  /** Base URL of the Pushgateway, e.g. http://127.0.0.1:9091. */
  readonly url: string;
  readonly job: string;
  readonly instance: string;
  readonly intervalMs: number;
}

export type RecordFormat = "jsonl" | "csv" | "sqlite" | "textfile";

export interface RecordConfig {
  readonly path: string;
  readonly format: RecordFormat;
  /** Family-name globs to record; empty = all. */
  readonly metrics: readonly string[];
}
