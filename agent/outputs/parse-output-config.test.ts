import { describe, expect, it } from "vitest";
import { parseConfig } from "../config/parse-config.ts";

function config(argv: string[], env: Record<string, string> = {}) {
  const request = parseConfig(["--no-vllm", ...argv], env);
  if (request.kind !== "run") throw new Error("expected a run request");
  return request.config;
}

describe("output flags", () => {
  it.each([
    [["--otlp", "http://c:4318"], {}, "http://c:4318/v1/metrics"],
    [["--otlp", "http://c:4318/v1/metrics"], {}, "http://c:4318/v1/metrics"],
    [["--otlp", "http://c:4318/custom/path"], {}, "http://c:4318/custom/path"],
    [[], { OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318/otlp/" }, "http://c:4318/otlp/v1/metrics"],
    [[], { OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: "http://c:4318/m" }, "http://c:4318/m"],
    [[], { OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: "http://c:1/m", OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:2" }, "http://c:1/m"],
    [[], { OBS_OTLP_ENDPOINT: "http://seed:4318" }, "http://seed:4318/v1/metrics"],
  ] as const)("%j %j -> %s (OTLP exporter spec: the base URL gets /v1/metrics, the per-signal one is as given)", (argv, env, url) => {
    expect(config([...argv], env).otlp?.url).toBe(url);
  });

  it("reads headers, protocol, interval and resource attributes from the OTEL_* variables", () => {
    const otlp = config([], {
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318",
      OTEL_EXPORTER_OTLP_HEADERS: "api-key=a%20b,x-tenant=t1",
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
      OTEL_METRIC_EXPORT_INTERVAL: "5000",
      OTEL_RESOURCE_ATTRIBUTES: "deployment.environment=prod,cloud.region=eu",
    }).otlp;
    expect(otlp).toEqual({ url: "http://c:4318/v1/metrics", protocol: "http/protobuf", intervalMs: 5000, headers: { "api-key": "a b", "x-tenant": "t1" }, resource: { "deployment.environment": "prod", "cloud.region": "eu" }, queueBatches: 60 });
  });

  it.each([
    [["--otlp", "http://c:4318", "--otlp-protocol", "grpc"], "--otlp-protocol must be http/json or http/protobuf (grpc is not supported): got 'grpc'"],
    [["--otlp", "ftp://c"], "--otlp must be an http(s) URL: got 'ftp://c'"],
    [["--otlp", "http://c", "--otlp-headers", "novalue"], "--otlp-headers must be key=value pairs separated by commas: got 'novalue'"],
    [["--pushgateway", "http://pg:9091"], "--pushgateway needs --job NAME (the Pushgateway's grouping key starts with the job)"],
    [["--job", "x"], "--job needs --pushgateway"],
    [["--record", "run.parquet"], "--record must end in .jsonl, .csv, .sqlite, .db or .prom: got 'run.parquet'"],
    [["--metrics", "node_*"], "--metrics selects what --record records: give --record FILE too"],
  ])("%j fails with one clear line", (argv, message) => {
    expect(() => config(argv)).toThrow(message);
  });

  it("builds the Pushgateway and record configs", () => {
    const c = config(["--pushgateway", "pg:9091/", "--job", "vigil", "--instance", "n1", "--record", "/tmp/r.SQLITE", "--metrics", "node_*,vllm:*", "--metrics", "vigil_gpu_*"]);
    expect(c.pushgateway).toEqual({ url: "http://pg:9091", job: "vigil", instance: "n1", intervalMs: 15_000 });
    expect(c.record).toEqual({ path: "/tmp/r.SQLITE", format: "sqlite", metrics: ["node_*", "vllm:*", "vigil_gpu_*"] });
    expect(config([]).otlp).toBeNull();
  });
});
