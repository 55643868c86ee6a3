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
  { flag: "path.procfs", kind: "string", valueName: "DIR", defaultText: "/proc", help: "procfs mountpoint (node_exporter's flag)." },
  { flag: "path.rootfs", kind: "string", valueName: "DIR", defaultText: "/", help: "rootfs mountpoint, prefixed to filesystem paths (node_exporter's flag)." },
  { flag: "version", kind: "boolean", help: "Print the version and exit." },
  { flag: "help", kind: "boolean", help: "Print this help and exit." },
];

/** VIGIL_ + the flag in upper snake case: `vllm-timeout` -> `VIGIL_VLLM_TIMEOUT`, `path.procfs` -> `VIGIL_PATH_PROCFS`. */
export function envNameOf(flag: string): string {
  return `VIGIL_${flag.toUpperCase().replace(/[.-]/g, "_")}`;
}
