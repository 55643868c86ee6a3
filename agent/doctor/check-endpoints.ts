/**
 * The agent's own edges: the listen port free, the OTLP collector accepting an
 * (empty) export at its URL, the Pushgateway ready, the recording path writable,
 * and the clock compared with the Date headers of the servers that answered.
 */
import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import type { AgentConfig } from "../config/agent-config.ts";
import { createListeningProcessFinder } from "../host/find-listening-process.ts";
import { type ClockReading, type DoctorCheck, clockOf } from "./doctor-check.ts";
import { describeFetchError } from "./check-vllm.ts";

/** Can the agent bind its --listen address? */
export async function checkListen(config: Pick<AgentConfig, "listenHost" | "listenPort" | "procfsPath">): Promise<DoctorCheck> {
  const address = `${config.listenHost}:${config.listenPort}`;
  try {
    const probe = Bun.listen({ hostname: config.listenHost, port: config.listenPort, socket: { data() {} } });
    probe.stop(true);
    return { subject: "listen", status: "ok", message: `${address} is free` };
  } catch (error) {
    const code = (error as { code?: string }).code ?? "";
    if (code === "EADDRINUSE" || /in use/i.test(String(error))) {
      const pid = await createListeningProcessFinder({ procRoot: config.procfsPath }).find(config.listenPort).catch(() => null);
      const owner = pid === null ? "" : ` by pid ${pid}${commandOf(config.procfsPath, pid)}`;
      return { subject: "listen", status: "fail", message: `${address} is in use${owner}: stop it or pass --listen HOST:PORT` };
    }
    return { subject: "listen", status: "fail", message: `cannot listen on ${address}: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function commandOf(procRoot: string, pid: number): string {
  try {
    return ` (${readFileSync(`${procRoot}/${pid}/comm`, "utf8").trim()})`;
  } catch {
    return "";
  }
}

export interface EndpointResult {
  readonly check: DoctorCheck;
  readonly dateHeader: ClockReading | null;
}

/** Sends an empty ExportMetricsServiceRequest: a collector answers 200 without storing anything. */
export async function checkOtlp(config: AgentConfig["otlp"], options: { timeoutMs: number; fetch?: typeof fetch }): Promise<EndpointResult> {
  if (!config) return { check: { subject: "otlp", status: "skip", message: "not configured (--otlp URL or OTEL_EXPORTER_OTLP_ENDPOINT)" }, dateHeader: null };
  const json = config.protocol === "http/json";
  try {
    const response = await (options.fetch ?? fetch)(config.url, {
      method: "POST",
      headers: { ...config.headers, "content-type": json ? "application/json" : "application/x-protobuf" },
      body: json ? '{"resourceMetrics":[]}' : new Uint8Array(0),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const dateHeader = clockOf(response);
    if (response.ok) return { check: { subject: "otlp", status: "ok", message: `${config.url} accepted an empty ${config.protocol} export (status ${response.status})` }, dateHeader };
    const hint =
      response.status === 404 ? ": wrong path (OTLP/HTTP metrics go to /v1/metrics; a base URL in OTEL_EXPORTER_OTLP_ENDPOINT gets it appended)"
      : response.status === 415 ? `: the collector does not take ${config.protocol} (try --otlp-protocol ${json ? "http/protobuf" : "http/json"})`
      : response.status === 401 || response.status === 403 ? ": rejected credentials (--otlp-headers / OTEL_EXPORTER_OTLP_HEADERS)"
      : "";
    return { check: { subject: "otlp", status: "fail", message: `${config.url} answered status ${response.status}${hint}` }, dateHeader };
  } catch (error) {
    return { check: { subject: "otlp", status: "fail", message: `${config.url} unreachable: ${describeFetchError(error)}` }, dateHeader: null };
  }
}

export async function checkPushgateway(config: AgentConfig["pushgateway"], options: { timeoutMs: number; fetch?: typeof fetch }): Promise<EndpointResult | null> {
  if (!config) return null;
  try {
    const response = await (options.fetch ?? fetch)(`${config.url}/-/ready`, { signal: AbortSignal.timeout(options.timeoutMs) });
    const dateHeader = clockOf(response);
    return response.ok
      ? { check: { subject: "pushgateway", status: "ok", message: `${config.url} is ready (group job=${config.job} instance=${config.instance})` }, dateHeader }
      : { check: { subject: "pushgateway", status: "fail", message: `${config.url}/-/ready answered status ${response.status}` }, dateHeader };
  } catch (error) {
    return { check: { subject: "pushgateway", status: "fail", message: `${config.url} unreachable: ${describeFetchError(error)}` }, dateHeader: null };
  }
}

export function checkRecord(config: AgentConfig["record"]): DoctorCheck | null {
  if (!config) return null;
  const target = existsSync(config.path) ? config.path : dirname(config.path);
  try {
    accessSync(target, constants.W_OK);
    return { subject: "record", status: "ok", message: `${config.path} is writable (${config.format})` };
  } catch (error) {
    return { subject: "record", status: "fail", message: `cannot write ${config.path}: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** The wall clock against the Date headers collected (1 s resolution, so only gross skew shows). */
export function checkClock(dates: readonly { readonly from: string; readonly clock: ClockReading }[], nowMs: number): DoctorCheck {
  const now = new Date(nowMs).toISOString();
  if (dates.length === 0) return { subject: "clock", status: "ok", message: `${now}; no server answered with a Date header to compare against` };
  // Date is truncated to the second, so a server in step reads between 1 s behind and level.
  const offsets = dates.map(({ from, clock }) => ({ from, offsetS: (Date.parse(clock.date) - clock.atMs) / 1000 })).filter((o) => Number.isFinite(o.offsetS));
  const worst = offsets.reduce((a, b) => (Math.abs(b.offsetS + 0.5) > Math.abs(a.offsetS + 0.5) ? b : a), offsets[0] ?? { from: "", offsetS: 0 });
  const skewed = worst.offsetS > 1 || worst.offsetS < -2;
  const list = offsets.map((o) => `${o.from} ${o.offsetS >= 0 ? "+" : ""}${o.offsetS.toFixed(1)} s`).join(", ");
  return {
    subject: "clock",
    status: skewed ? "warn" : "ok",
    message: `${now}; Date headers (1 s resolution): ${list}${skewed ? " (skewed: timelines will not line up with the harness; check NTP/chrony)" : ""}`,
  };
}
