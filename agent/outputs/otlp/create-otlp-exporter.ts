/**
 * The OTLP exporter for the configured protocol. Both packages are imported
 * statically on purpose: `bun build --compile` bundles only static imports, and a
 * dynamic require that fails inside a try/catch silently exports nothing from the
 * compiled binary (anthropics/claude-code#50567, reference/agent-anchors.md §3.4).
 */
import { AggregationTemporalityPreference, OTLPMetricExporter as JsonExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { OTLPMetricExporter as ProtobufExporter } from "@opentelemetry/exporter-metrics-otlp-proto";
import type { PushMetricExporter } from "@opentelemetry/sdk-metrics";
import type { OtlpConfig } from "../../config/agent-config.ts";

/** One export (with its retries) gives up after this long; the batch stays queued. */
export const OTLP_EXPORT_TIMEOUT_MS = 10_000;

/** Creates the JSON (-http) or protobuf (-proto) exporter, cumulative temporality (Prometheus-style backends). */
export function createOtlpExporter(config: OtlpConfig): PushMetricExporter {
  const options = { url: config.url, headers: { ...config.headers }, timeoutMillis: OTLP_EXPORT_TIMEOUT_MS, temporalityPreference: AggregationTemporalityPreference.CUMULATIVE };
  return config.protocol === "http/protobuf" ? new ProtobufExporter(options) : new JsonExporter(options);
}
