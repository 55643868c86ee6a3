/**
 * A spec-checking OTLP/HTTP metrics receiver on 127.0.0.1 for tests (Debian ships no
 * collector: reference/agent-anchors.md §3.6). It accepts POST /v1/metrics only, in
 * the two encodings of the OTLP spec: `application/json` (the OTLP JSON mapping:
 * lowerCamelCase keys, integer enums, 64-bit ints as decimal strings or numbers) and
 * `application/x-protobuf`, decoded with otlp-transformer's ProtobufReader (0.223
 * ships no generated request decoder, only that reader; the field numbers below are
 * opentelemetry-proto's metrics.proto). gzip bodies are accepted. Both encodings are
 * normalized to the JSON mapping's shape, so tests compare one structure. Responses
 * can be scripted (503 + Retry-After, 429, 400, delays).
 */
import { gunzipSync } from "node:zlib";
// Deep import: the package exports only the serializers, the reader is what a decoder needs.
import { ProtobufReader } from "@opentelemetry/otlp-transformer/build/src/common/protobuf/protobuf-reader.js";

export type AnyValue = { stringValue?: string; boolValue?: boolean; intValue?: string; doubleValue?: number; arrayValue?: { values: AnyValue[] } };
export interface KeyValue {
  key: string;
  value: AnyValue;
}
export interface NumberDataPoint {
  attributes: KeyValue[];
  startTimeUnixNano: string;
  timeUnixNano: string;
  asDouble?: number;
  asInt?: string;
}
export interface HistogramDataPoint {
  attributes: KeyValue[];
  startTimeUnixNano: string;
  timeUnixNano: string;
  count: string;
  sum?: number;
  bucketCounts: string[];
  explicitBounds: number[];
}
export interface OtlpMetric {
  name: string;
  description?: string;
  unit?: string;
  gauge?: { dataPoints: NumberDataPoint[] };
  sum?: { dataPoints: NumberDataPoint[]; aggregationTemporality: number; isMonotonic?: boolean };
  histogram?: { dataPoints: HistogramDataPoint[]; aggregationTemporality: number };
}
export interface ExportMetricsServiceRequest {
  resourceMetrics: { resource?: { attributes: KeyValue[] }; scopeMetrics: { scope?: { name: string; version?: string }; metrics: OtlpMetric[] }[] }[];
}

export interface ReceivedRequest {
  readonly path: string;
  readonly contentType: string;
  readonly contentEncoding: string | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly receivedAtMs: number;
  readonly body: ExportMetricsServiceRequest;
  /** The status this request was answered with. */
  readonly status: number;
}

export interface ScriptedResponse {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly delayMs?: number;
}

export interface OtlpReceiver extends AsyncDisposable {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Problems found in requests (wrong path, content type, undecodable body): tests expect none. */
  readonly violations: string[];
  /** Answers the next requests with these, in order, then 200. */
  script(...responses: ScriptedResponse[]): void;
  /** Resolves with the first request (counting from now) that satisfies `predicate`. */
  waitFor(predicate: (request: ReceivedRequest) => boolean, timeoutMs: number): Promise<ReceivedRequest>;
  stop(): Promise<void>;
}

/** Starts the receiver on 127.0.0.1 (port 0 unless given). */
export function startOtlpReceiver(options: { port?: number } = {}): OtlpReceiver {
  const requests: ReceivedRequest[] = [];
  const violations: string[] = [];
  const scripted: ScriptedResponse[] = [];
  const waiters: { predicate: (r: ReceivedRequest) => boolean; resolve: (r: ReceivedRequest) => void }[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: options.port ?? 0,
    async fetch(request) {
      const url = new URL(request.url);
      if (request.method !== "POST") {
        violations.push(`${request.method} ${url.pathname}: OTLP/HTTP uses POST`);
        return new Response("method not allowed", { status: 405 });
      }
      if (url.pathname !== "/v1/metrics") {
        violations.push(`POST ${url.pathname}: the metrics path is /v1/metrics`);
        return new Response("not found", { status: 404 });
      }
      const contentType = (request.headers.get("content-type") ?? "").split(";")[0]?.trim() ?? "";
      const contentEncoding = request.headers.get("content-encoding");
      let bytes = new Uint8Array(await request.arrayBuffer());
      if (contentEncoding === "gzip") bytes = new Uint8Array(gunzipSync(bytes));
      else if (contentEncoding !== null && contentEncoding !== "identity") violations.push(`unsupported content-encoding ${contentEncoding}`);
      let body: ExportMetricsServiceRequest;
      try {
        if (contentType === "application/json") body = normalizeJson(JSON.parse(new TextDecoder().decode(bytes)));
        else if (contentType === "application/x-protobuf") body = decodeExportMetricsServiceRequest(bytes);
        else {
          violations.push(`content-type '${contentType}': OTLP/HTTP is application/json or application/x-protobuf`);
          return new Response("unsupported media type", { status: 415 });
        }
      } catch (error) {
        violations.push(`undecodable ${contentType} body: ${String(error)}`);
        return new Response("bad request", { status: 400 });
      }
      const next = scripted.shift() ?? { status: 200 };
      if (next.delayMs) await Bun.sleep(next.delayMs);
      const received: ReceivedRequest = {
        path: url.pathname,
        contentType,
        contentEncoding,
        headers: Object.fromEntries(request.headers.entries()),
        receivedAtMs: Date.now(),
        body,
        status: next.status,
      };
      requests.push(received);
      for (const waiter of [...waiters]) {
        if (!waiter.predicate(received)) continue;
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(received);
      }
      // The server replies in the request's content type; an empty ExportMetricsServiceResponse is `{}` or zero bytes.
      const responseBody = contentType === "application/json" ? (next.status === 200 ? "{}" : JSON.stringify({ code: next.status, message: "scripted" })) : new Uint8Array(0);
      return new Response(responseBody, { status: next.status, headers: { "content-type": contentType, ...next.headers } });
    },
  });
  const stop = async () => {
    await server.stop(true);
  };
  return {
    url: `http://127.0.0.1:${server.port}`,
    requests,
    violations,
    script: (...responses) => scripted.push(...responses),
    waitFor(predicate, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching OTLP request within ${timeoutMs} ms (${requests.length} received)`)), timeoutMs);
        waiters.push({ predicate, resolve: (r) => (clearTimeout(timer), resolve(r)) });
      });
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** JSON mapping -> canonical shape: 64-bit integers as decimal strings (the spec allows numbers on decode). */
export function normalizeJson(raw: ExportMetricsServiceRequest): ExportMetricsServiceRequest {
  const str = (v: unknown) => (v === undefined ? undefined : String(v));
  const attrs = (list: KeyValue[] | undefined): KeyValue[] =>
    (list ?? []).map(({ key, value }) => ({ key, value: value.intValue !== undefined ? { ...value, intValue: String(value.intValue) } : value }));
  const numberPoint = (p: NumberDataPoint): NumberDataPoint => ({ ...p, attributes: attrs(p.attributes), startTimeUnixNano: str(p.startTimeUnixNano) ?? "0", timeUnixNano: str(p.timeUnixNano) ?? "0", ...(p.asInt !== undefined ? { asInt: str(p.asInt) } : {}) });
  for (const rm of raw.resourceMetrics ?? []) {
    if (rm.resource) rm.resource.attributes = attrs(rm.resource.attributes);
    for (const sm of rm.scopeMetrics ?? []) {
      for (const m of sm.metrics ?? []) {
        // proto3 leaves out empty strings; the JSON encoder writes them: the same message either way.
        if (m.unit === "") delete m.unit;
        if (m.description === "") delete m.description;
        if (m.gauge) m.gauge.dataPoints = m.gauge.dataPoints.map(numberPoint);
        if (m.sum) m.sum.dataPoints = m.sum.dataPoints.map(numberPoint);
        if (m.histogram) {
          m.histogram.dataPoints = m.histogram.dataPoints.map((p) => ({
            ...p,
            attributes: attrs(p.attributes),
            startTimeUnixNano: str(p.startTimeUnixNano) ?? "0",
            timeUnixNano: str(p.timeUnixNano) ?? "0",
            count: str(p.count) ?? "0",
            bucketCounts: (p.bucketCounts ?? []).map(String),
            explicitBounds: p.explicitBounds ?? [],
          }));
        }
      }
    }
  }
  return { resourceMetrics: raw.resourceMetrics ?? [] };
}

// ---- protobuf (opentelemetry-proto metrics.proto / common.proto / resource.proto field numbers) ----

type Fields = (reader: ProtobufReader, field: number, wire: number, view: Bytes) => boolean;

class Bytes {
  readonly view: DataView;
  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  fixed64(reader: ProtobufReader): string {
    const value = this.view.getBigUint64(reader.pos, true);
    reader.pos += 8;
    return value.toString();
  }
  double(reader: ProtobufReader): number {
    const value = this.view.getFloat64(reader.pos, true);
    reader.pos += 8;
    return value;
  }
}

function message(bytes: Uint8Array, fields: Fields): void {
  const reader = new ProtobufReader(bytes);
  const view = new Bytes(bytes);
  while (!reader.isAtEnd()) {
    const { fieldNumber, wireType } = reader.readTag();
    if (!fields(reader, fieldNumber, wireType, view)) reader.skip(wireType);
  }
}

function anyValue(bytes: Uint8Array): AnyValue {
  const value: AnyValue = {};
  message(bytes, (r, f, _w, v) => {
    if (f === 1) value.stringValue = r.readString();
    else if (f === 2) value.boolValue = r.readVarint() !== 0;
    else if (f === 3) value.intValue = String(r.readVarint());
    else if (f === 4) value.doubleValue = v.double(r);
    else if (f === 5) {
      const values: AnyValue[] = [];
      message(r.readBytes(), (r2, f2) => (f2 === 1 ? (values.push(anyValue(r2.readBytes())), true) : false));
      value.arrayValue = { values };
    } else return false;
    return true;
  });
  return value;
}

function keyValue(bytes: Uint8Array): KeyValue {
  const kv: KeyValue = { key: "", value: {} };
  message(bytes, (r, f) => {
    if (f === 1) kv.key = r.readString();
    else if (f === 2) kv.value = anyValue(r.readBytes());
    else return false;
    return true;
  });
  return kv;
}

function numberDataPoint(bytes: Uint8Array): NumberDataPoint {
  const p: NumberDataPoint = { attributes: [], startTimeUnixNano: "0", timeUnixNano: "0" };
  message(bytes, (r, f, _w, v) => {
    if (f === 7) p.attributes.push(keyValue(r.readBytes()));
    else if (f === 2) p.startTimeUnixNano = v.fixed64(r);
    else if (f === 3) p.timeUnixNano = v.fixed64(r);
    else if (f === 4) p.asDouble = v.double(r);
    else if (f === 6) p.asInt = v.fixed64(r);
    else return false;
    return true;
  });
  return p;
}

function histogramDataPoint(bytes: Uint8Array): HistogramDataPoint {
  const p: HistogramDataPoint = { attributes: [], startTimeUnixNano: "0", timeUnixNano: "0", count: "0", bucketCounts: [], explicitBounds: [] };
  message(bytes, (r, f, w, v) => {
    if (f === 9) p.attributes.push(keyValue(r.readBytes()));
    else if (f === 2) p.startTimeUnixNano = v.fixed64(r);
    else if (f === 3) p.timeUnixNano = v.fixed64(r);
    else if (f === 4) p.count = v.fixed64(r);
    else if (f === 5) p.sum = v.double(r);
    else if (f === 6 && w === 2) {
      const packed = r.readBytes();
      const dv = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
      for (let i = 0; i < packed.byteLength; i += 8) p.bucketCounts.push(dv.getBigUint64(i, true).toString());
    } else if (f === 6) p.bucketCounts.push(v.fixed64(r));
    else if (f === 7 && w === 2) {
      const packed = r.readBytes();
      const dv = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
      for (let i = 0; i < packed.byteLength; i += 8) p.explicitBounds.push(dv.getFloat64(i, true));
    } else if (f === 7) p.explicitBounds.push(v.double(r));
    else return false;
    return true;
  });
  return p;
}

function metric(bytes: Uint8Array): OtlpMetric {
  const m: OtlpMetric = { name: "" };
  message(bytes, (r, f) => {
    if (f === 1) m.name = r.readString();
    else if (f === 2) m.description = r.readString();
    else if (f === 3) m.unit = r.readString();
    else if (f === 5) {
      const dataPoints: NumberDataPoint[] = [];
      message(r.readBytes(), (r2, f2) => (f2 === 1 ? (dataPoints.push(numberDataPoint(r2.readBytes())), true) : false));
      m.gauge = { dataPoints };
    } else if (f === 7) {
      const s: NonNullable<OtlpMetric["sum"]> = { dataPoints: [], aggregationTemporality: 0, isMonotonic: false };
      message(r.readBytes(), (r2, f2) => {
        if (f2 === 1) s.dataPoints.push(numberDataPoint(r2.readBytes()));
        else if (f2 === 2) s.aggregationTemporality = r2.readVarint();
        else if (f2 === 3) s.isMonotonic = r2.readVarint() !== 0;
        else return false;
        return true;
      });
      m.sum = s;
    } else if (f === 9) {
      const h: NonNullable<OtlpMetric["histogram"]> = { dataPoints: [], aggregationTemporality: 0 };
      message(r.readBytes(), (r2, f2) => {
        if (f2 === 1) h.dataPoints.push(histogramDataPoint(r2.readBytes()));
        else if (f2 === 2) h.aggregationTemporality = r2.readVarint();
        else return false;
        return true;
      });
      m.histogram = h;
    } else return false;
    return true;
  });
  return m;
}

/** Decodes a binary ExportMetricsServiceRequest into the JSON mapping's shape. */
export function decodeExportMetricsServiceRequest(bytes: Uint8Array): ExportMetricsServiceRequest {
  const request: ExportMetricsServiceRequest = { resourceMetrics: [] };
  message(bytes, (r, f) => {
    if (f !== 1) return false;
    const rm: ExportMetricsServiceRequest["resourceMetrics"][number] = { scopeMetrics: [] };
    message(r.readBytes(), (r2, f2) => {
      if (f2 === 1) {
        const attributes: KeyValue[] = [];
        message(r2.readBytes(), (r3, f3) => (f3 === 1 ? (attributes.push(keyValue(r3.readBytes())), true) : false));
        rm.resource = { attributes };
      } else if (f2 === 2) {
        const sm: (typeof rm.scopeMetrics)[number] = { metrics: [] };
        message(r2.readBytes(), (r3, f3) => {
          if (f3 === 1) {
            const scope = { name: "", version: "" };
            message(r3.readBytes(), (r4, f4) => {
              if (f4 === 1) scope.name = r4.readString();
              else if (f4 === 2) scope.version = r4.readString();
              else return false;
              return true;
            });
            sm.scope = scope;
          } else if (f3 === 2) sm.metrics.push(metric(r3.readBytes()));
          else return false;
          return true;
        });
        rm.scopeMetrics.push(sm);
      } else return false;
      return true;
    });
    request.resourceMetrics.push(rm);
    return true;
  });
  return request;
}

/** An attribute list as a plain object (values as JS values; ints as numbers). */
export function attributesOf(attributes: readonly KeyValue[]): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const { key, value } of attributes) {
    if (value.stringValue !== undefined) out[key] = value.stringValue;
    else if (value.intValue !== undefined) out[key] = Number(value.intValue);
    else if (value.doubleValue !== undefined) out[key] = value.doubleValue;
    else if (value.boolValue !== undefined) out[key] = value.boolValue;
  }
  return out;
}

/** Every metric of a request by name (all resources and scopes). */
export function metricsByName(request: ExportMetricsServiceRequest): Map<string, OtlpMetric> {
  const out = new Map<string, OtlpMetric>();
  for (const rm of request.resourceMetrics) for (const sm of rm.scopeMetrics) for (const m of sm.metrics) out.set(m.name, m);
  return out;
}
