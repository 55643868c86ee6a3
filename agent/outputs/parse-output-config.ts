/**
 * The output flags (--otlp*, --pushgateway, --job, --instance, --record, --metrics)
 * turned into checked configs. Called by parseConfig with its own lookups, so the
 * precedence (flags, VIGIL_*, other tools' names, defaults) stays in one place.
 */
import { hostname } from "node:os";
import { extname } from "node:path";
import type { OtlpConfig, OtlpProtocol, PushgatewayConfig, RecordConfig, RecordFormat } from "../config/agent-config.ts";
import { UsageError } from "../errors.ts";

/** What parseConfig lends: the last value of a flag, every value of a repeatable one, and its converters. */
export interface OutputConfigLookups {
  get(flag: string): { value: string; origin: string } | undefined;
  all(flag: string): { values: readonly string[]; origin: string } | undefined;
  duration(flag: string, fallbackMs: number): number;
  integer(flag: string, fallback: number | null, min: number): number | null;
}

const RECORD_FORMATS: Record<string, RecordFormat> = { ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".sqlite": "sqlite", ".db": "sqlite", ".prom": "textfile" };

/** Parses every output flag; throws UsageError naming the flag and the value. */
export function parseOutputConfig(lookups: OutputConfigLookups): { otlp: OtlpConfig | null; pushgateway: PushgatewayConfig | null; record: RecordConfig | null } {
  return { otlp: parseOtlp(lookups), pushgateway: parsePushgateway(lookups), record: parseRecord(lookups) };
}

/**
 * The OTLP spec's rule: OTEL_EXPORTER_OTLP_ENDPOINT is a base URL that gets `/v1/metrics`
 * appended, the per-signal variable is used as given. --otlp takes either: a URL with no
 * path is a base URL.
 */
export function otlpMetricsUrl(value: string, options: { base: boolean }): string {
  if (options.base) return `${value.replace(/\/+$/, "")}/v1/metrics`;
  return value;
}

function parseOtlp(lookups: OutputConfigLookups): OtlpConfig | null {
  const entry = lookups.get("otlp");
  if (!entry || entry.value.trim() === "") return null;
  let url: URL;
  try {
    url = new URL(entry.value.trim());
  } catch (error) {
    throw new UsageError(`${entry.origin} must be an http(s) URL like http://127.0.0.1:4318: got '${entry.value}'`, { cause: error });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`${entry.origin} must be an http(s) URL: got '${entry.value}'`);
  const href = url.pathname === "/" && !entry.value.trim().endsWith("/v1/metrics") ? otlpMetricsUrl(url.origin, { base: true }) : url.href;
  const protocolEntry = lookups.get("otlp-protocol");
  const protocol = (protocolEntry?.value ?? "http/json") as OtlpProtocol;
  if (protocol !== "http/json" && protocol !== "http/protobuf") {
    throw new UsageError(`${protocolEntry?.origin} must be http/json or http/protobuf (grpc is not supported): got '${protocolEntry?.value}'`);
  }
  const intervalMs = lookups.duration("otlp-interval", 10_000);
  if (intervalMs < 100) throw new UsageError(`${lookups.get("otlp-interval")?.origin} must be at least 100ms: got '${lookups.get("otlp-interval")?.value}'`);
  const headersEntry = lookups.get("otlp-headers");
  const headers = headersEntry ? parsePairs(headersEntry.value.split(","), headersEntry.origin, { decode: true }) : {};
  const resourceEntry = lookups.all("otlp-resource");
  const resource = resourceEntry ? parsePairs(resourceEntry.values.flatMap((v) => v.split(",")), resourceEntry.origin, { decode: true }) : {};
  const queueBatches = lookups.integer("otlp-queue", 60, 1) as number;
  return { url: href, protocol, intervalMs, headers, resource, queueBatches };
}

/** `k=v` pairs as OTEL_EXPORTER_OTLP_HEADERS writes them (W3C baggage style: values may be percent-encoded). */
function parsePairs(items: readonly string[], origin: string, options: { decode: boolean }): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const item of items) {
    const trimmed = item.trim();
    if (trimmed === "") continue;
    const eq = trimmed.indexOf("=");
    if (eq <= 0) throw new UsageError(`${origin} must be key=value pairs separated by commas: got '${trimmed}'`);
    const key = trimmed.slice(0, eq).trim();
    const raw = trimmed.slice(eq + 1).trim();
    let value = raw;
    if (options.decode) {
      try {
        value = decodeURIComponent(raw);
      } catch {
        // Not percent-encoded after all (a literal %): the value is used as written.
        value = raw;
      }
    }
    pairs[key] = value;
  }
  return pairs;
}

function parsePushgateway(lookups: OutputConfigLookups): PushgatewayConfig | null {
  const entry = lookups.get("pushgateway");
  const job = lookups.get("job");
  if (!entry) {
    if (job) throw new UsageError(`${job.origin} needs --pushgateway`);
    return null;
  }
  let url: URL;
  try {
    url = new URL(entry.value.includes("://") ? entry.value : `http://${entry.value}`);
  } catch (error) {
    throw new UsageError(`${entry.origin} must be an http(s) URL like http://127.0.0.1:9091: got '${entry.value}'`, { cause: error });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`${entry.origin} must be an http(s) URL: got '${entry.value}'`);
  if (!job || job.value.trim() === "") throw new UsageError(`${entry.origin} needs --job NAME (the Pushgateway's grouping key starts with the job)`);
  const instance = lookups.get("instance")?.value ?? hostname();
  const intervalMs = lookups.duration("pushgateway-interval", 15_000);
  if (intervalMs < 100) throw new UsageError(`--pushgateway-interval must be at least 100ms: got '${lookups.get("pushgateway-interval")?.value}'`);
  return { url: `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, "")}`, job: job.value.trim(), instance, intervalMs };
}

function parseRecord(lookups: OutputConfigLookups): RecordConfig | null {
  const entry = lookups.get("record");
  const metrics = lookups.all("metrics");
  if (!entry) {
    if (metrics) throw new UsageError(`${metrics.origin} selects what --record records: give --record FILE too`);
    return null;
  }
  const format = RECORD_FORMATS[extname(entry.value).toLowerCase()];
  if (!format) throw new UsageError(`${entry.origin} must end in .jsonl, .csv, .sqlite, .db or .prom: got '${entry.value}'`);
  const globs = (metrics?.values ?? []).flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean);
  for (const glob of globs) {
    if (!/^[a-zA-Z0-9_:*?[\]-]+$/.test(glob)) throw new UsageError(`${metrics?.origin} must be metric names or globs like node_cpu_* : got '${glob}'`);
  }
  return { path: entry.value, format, metrics: globs };
}
