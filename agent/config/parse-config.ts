/**
 * Flags, then VIGIL_* environment variables (then other exporters' names), then
 * defaults. Pure: argv and env come in, an AgentConfig or a UsageError comes out.
 */
import { UsageError } from "../errors.ts";
import type { AgentConfig, LogLevel, OnceFormat, VllmTargetConfig } from "./agent-config.ts";
import { parseDurationMs } from "./duration.ts";
import { OPTION_TABLE, envNameOf, type OptionSpec } from "./option-table.ts";
import { otlpMetricsUrl, parseOutputConfig } from "../outputs/parse-output-config.ts";

export type CliRequest = { readonly kind: "run"; readonly config: AgentConfig } | { readonly kind: "help" } | { readonly kind: "version" };

export const DEFAULT_VLLM_URL = "http://127.0.0.1:8000";

const SPECS = new Map(OPTION_TABLE.map((spec) => [spec.flag, spec]));
const BYTE_UNITS: Record<string, number> = { "": 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** Raw values by flag, before conversion: repeatable flags collect every occurrence. */
type RawValues = Map<string, { values: string[]; origin: string }>;

/**
 * Parses the agent's command line and environment.
 * @throws UsageError with one line naming the flag or variable and the bad value.
 * @example parseConfig(["--listen", "127.0.0.1:0", "--once"], {})
 */
export function parseConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): CliRequest {
  const fromFlags = readFlags(argv);
  if (fromFlags.has("help")) return { kind: "help" };
  if (fromFlags.has("version")) return { kind: "version" };
  const raw = mergeEnvironment(fromFlags, env);
  return { kind: "run", config: buildConfig(raw) };
}

function readFlags(argv: readonly string[]): RawValues {
  const raw: RawValues = new Map();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith("--")) {
      throw new UsageError(`unexpected argument '${arg}': flags start with -- (see --help)`);
    }
    const eq = arg.indexOf("=");
    const flag = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const spec = SPECS.get(flag);
    if (!spec) throw new UsageError(`unknown flag --${flag} (see --help)`);
    let value: string;
    if (eq !== -1) {
      value = arg.slice(eq + 1);
    } else if (spec.kind === "boolean") {
      value = "true";
    } else {
      const next = argv[i + 1];
      if (next === undefined) throw new UsageError(`flag --${flag} needs a value (${describeKind(spec)})`);
      value = next;
      i++;
    }
    const entry = raw.get(flag);
    if (entry && !spec.repeatable) throw new UsageError(`flag --${flag} given twice: '${entry.values[0]}' and '${value}'`);
    if (entry) entry.values.push(value);
    else raw.set(flag, { values: [value], origin: `--${flag}` });
  }
  return raw;
}

function mergeEnvironment(raw: RawValues, env: Readonly<Record<string, string | undefined>>): RawValues {
  for (const spec of OPTION_TABLE) {
    if (raw.has(spec.flag) || spec.flag === "help" || spec.flag === "version") continue;
    const name = envNameOf(spec.flag);
    const value = env[name];
    if (value !== undefined && value !== "") {
      raw.set(spec.flag, { values: spec.repeatable ? value.split(",").map((v) => v.trim()).filter(Boolean) : [value], origin: name });
      continue;
    }
    for (const alias of spec.envAliases ?? []) {
      const aliased = env[alias];
      if (aliased === undefined || aliased === "") continue;
      raw.set(spec.flag, { values: [aliasValue(alias, aliased)], origin: alias });
      break;
    }
  }
  return raw;
}

/** Other exporters' variables mean the same thing in their own syntax. */
function aliasValue(alias: string, value: string): string {
  if (alias === "VLLM_PORT") return /^\d+$/.test(value.trim()) ? `http://127.0.0.1:${value.trim()}` : value;
  // OTLP's base-URL variables get the signal path appended; the per-signal one is used as given (OTLP exporter spec).
  if (alias === "OTEL_EXPORTER_OTLP_ENDPOINT" || alias === "OBS_OTLP_ENDPOINT") return otlpMetricsUrl(value.trim(), { base: true });
  if (alias === "OTEL_METRIC_EXPORT_INTERVAL") return /^\d+$/.test(value.trim()) ? `${value.trim()}ms` : value;
  return value;
}

function buildConfig(raw: RawValues): AgentConfig {
  const get = (flag: string): { value: string; origin: string } | undefined => {
    const entry = raw.get(flag);
    return entry ? { value: entry.values[entry.values.length - 1] as string, origin: entry.origin } : undefined;
  };
  const duration = (flag: string, fallbackMs: number): number => {
    const entry = get(flag);
    if (!entry) return fallbackMs;
    const ms = parseDurationMs(entry.value, { bareUnit: "s" });
    if (ms === undefined) throw new UsageError(`${entry.origin} must be a duration like 500ms, 1s or 2m: got '${entry.value}'`);
    return ms;
  };
  const integer = (flag: string, fallback: number | null, min: number): number | null => {
    const entry = get(flag);
    if (!entry) return fallback;
    const n = Number(entry.value);
    if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`${entry.origin} must be an integer >= ${min}: got '${entry.value}'`);
    return n;
  };
  const bool = (flag: string): boolean => {
    const entry = get(flag);
    if (!entry) return false;
    const v = entry.value.toLowerCase();
    if (["true", "1", "yes", "on"].includes(v)) return true;
    if (["false", "0", "no", "off"].includes(v)) return false;
    throw new UsageError(`${entry.origin} must be true or false: got '${entry.value}'`);
  };
  const choice = <T extends string>(flag: string, fallback: T): T => {
    const entry = get(flag);
    if (!entry) return fallback;
    const spec = SPECS.get(flag) as OptionSpec;
    if (!spec.values?.includes(entry.value)) throw new UsageError(`${entry.origin} must be one of ${spec.values?.join(", ")}: got '${entry.value}'`);
    return entry.value as T;
  };

  const listen = parseListen(get("listen") ?? { value: "0.0.0.0:19400", origin: "default" });
  const intervalMs = duration("interval", 1_000);
  const vllmTimeoutMs = duration("vllm-timeout", 800);
  if (vllmTimeoutMs <= 0) throw new UsageError(`--vllm-timeout must be more than 0: got '${get("vllm-timeout")?.value}'`);
  const timelineRetentionMs = duration("timeline-retention", 3_600_000);
  const tlsCertPath = get("tls-cert")?.value ?? null;
  const tlsKeyPath = get("tls-key")?.value ?? null;
  if ((tlsCertPath === null) !== (tlsKeyPath === null)) throw new UsageError("--tls-cert and --tls-key must be given together");
  const metricsAuth = bool("metrics-auth");
  const token = get("token")?.value ?? null;
  if (metricsAuth && token === null) throw new UsageError("--metrics-auth needs --token (or VIGIL_TOKEN)");

  return {
    listenHost: listen.host,
    listenPort: listen.port,
    intervalMs,
    vllmTargets: parseTargets(raw.get("vllm"), bool("no-vllm")),
    vllmTimeoutMs,
    vllmMaxBodyBytes: parseBytes(get("vllm-max-body") ?? { value: "16MiB", origin: "default" }),
    vllmMaxSeries: integer("vllm-max-series", 20_000, 1) as number,
    vllmPid: integer("vllm-pid", null, 1),
    timelineRetentionMs,
    token,
    metricsAuth,
    tlsCertPath,
    tlsKeyPath,
    logLevel: choice<LogLevel>("log-level", "info"),
    once: bool("once"),
    onceFormat: choice<OnceFormat>("format", "json"),
    procfsPath: get("path.procfs")?.value ?? "/proc",
    rootfsPath: get("path.rootfs")?.value ?? "/",
    nvmlLibrary: get("nvml-library")?.value || "libnvidia-ml.so.1",
    compat: choice<"none" | "dcgm">("compat", "none"),
    ...parseOutputConfig({ get, all: (flag) => raw.get(flag), duration, integer }),
  };
}

function parseListen(entry: { value: string; origin: string }): { host: string; port: number } {
  const text = entry.value.trim();
  // host:port, [v6]:port, or :port (all interfaces), as Go exporters accept.
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65_535) throw new UsageError(`${entry.origin} must be HOST:PORT, e.g. 0.0.0.0:19400 or 127.0.0.1:0: got '${entry.value}'`);
  const host = match[1] ?? (match[2] === "" ? "0.0.0.0" : (match[2] as string));
  return { host, port };
}

function parseTargets(entry: { values: string[]; origin: string } | undefined, noDefault: boolean): VllmTargetConfig[] {
  if (!entry) return noDefault ? [] : [{ baseUrl: DEFAULT_VLLM_URL, probed: true }];
  const seen = new Set<string>();
  const targets: VllmTargetConfig[] = [];
  for (const value of entry.values) {
    let url: URL;
    try {
      url = new URL(value.includes("://") ? value : `http://${value}`);
    } catch (error) {
      throw new UsageError(`${entry.origin} must be an http(s) URL like http://127.0.0.1:8000: got '${value}'`, { cause: error });
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`${entry.origin} must be an http(s) URL: got '${value}'`);
    // Accept both the server's base URL and its /metrics URL.
    const path = url.pathname.replace(/\/+$/, "").replace(/\/metrics$/, "");
    const baseUrl = `${url.protocol}//${url.host}${path}`;
    if (seen.has(baseUrl)) continue;
    seen.add(baseUrl);
    targets.push({ baseUrl, probed: false });
  }
  return targets;
}

function parseBytes(entry: { value: string; origin: string }): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(entry.value.trim());
  const unit = BYTE_UNITS[(match?.[2] ?? "").toLowerCase()];
  if (!match || unit === undefined) throw new UsageError(`${entry.origin} must be a size like 16MiB or 500kB: got '${entry.value}'`);
  return Math.floor(Number(match[1]) * unit);
}

function describeKind(spec: OptionSpec): string {
  switch (spec.kind) {
    case "duration": return "a duration like 1s";
    case "integer": return "an integer";
    case "bytes": return "a size like 16MiB";
    case "enum": return `one of ${spec.values?.join(", ")}`;
    default: return spec.valueName ?? "a value";
  }
}
