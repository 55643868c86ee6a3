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
}
