/**
 * Reads a Vigil agent's timeline for the run window: a few cheap probes of `/api/v1/timeline` (an
 * empty query far in the future) to estimate the clock offset from `serverTimeMs`, then the points of
 * the run window on the agent's clock, and the GPUs from `/api/v1/snapshot` (name, simulated).
 */
import type { TimelinePoint } from "../../agent/timeline/timeline-point.ts";
import type { TelemetryGpu } from "../report/telemetry-types.ts";
import { type ClockProbe, estimateClockOffset } from "./estimate-clock-offset.ts";
import { fetchJson, type TelemetryIo } from "./fetch-json.ts";
import { fromTimelinePoint } from "./from-timeline-point.ts";
import type { SourceData } from "./source-data.ts";
import { TelemetryFetchError } from "./telemetry-errors.ts";

export interface AgentTelemetryOptions {
  /** Agent base URL, e.g. `http://127.0.0.1:19400`. */
  readonly agentUrl: string;
  /** Run window on the harness clock. */
  readonly sinceMs: number;
  readonly untilMs: number;
  /** Bearer token when the agent has `--token`. */
  readonly token?: string;
  /** Clock probes (default 5). */
  readonly probes?: number;
  readonly timeoutMs?: number;
}

interface TimelineBody {
  readonly serverTimeMs?: unknown;
  readonly intervalMs?: unknown;
  readonly points?: unknown;
}

/** Fetches and converts; throws TelemetryFetchError when the agent cannot be reached at all. */
export async function fetchAgentTelemetry(options: AgentTelemetryOptions, io: TelemetryIo): Promise<SourceData> {
  const base = options.agentUrl.replace(/\/+$/, "").replace(/\/metrics$/, "");
  const headers: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
  const request = { headers, timeoutMs: options.timeoutMs };
  const errors: string[] = [];
  const probes: ClockProbe[] = [];
  // A query for points an hour ahead returns none: the cheapest request that carries serverTimeMs.
  for (let i = 0; i < (options.probes ?? 5); i++) {
    const probe = await fetchJson(`${base}/api/v1/timeline?since=${io.now() + 3_600_000}`, io, request);
    const serverTimeMs = (probe.body as TimelineBody).serverTimeMs;
    probes.push({ sentAtMs: probe.sentAtMs, receivedAtMs: probe.receivedAtMs, serverTimeMs: typeof serverTimeMs === "number" ? serverTimeMs : null, dateHeaderMs: probe.dateHeaderMs });
  }
  const clockOffset = estimateClockOffset(probes);
  if (!clockOffset) errors.push(`Cannot estimate the clock offset of ${base}: no probe carried serverTimeMs or a Date header; assuming 0`);
  const offsetMs = clockOffset?.offsetMs ?? 0;
  const padMs = 5_000 + (clockOffset?.uncertaintyMs ?? 0);
  const since = Math.floor(options.sinceMs + offsetMs - padMs);
  const until = Math.ceil(options.untilMs + offsetMs + padMs);
  const timeline = await fetchJson(`${base}/api/v1/timeline?since=${since}&until=${until}`, io, request);
  const body = timeline.body as TimelineBody;
  if (!Array.isArray(body.points)) throw new TelemetryFetchError(`Cannot read ${base}/api/v1/timeline: the answer has no points array`, base);
  const points = body.points as TimelinePoint[];
  let gpus: TelemetryGpu[] = [];
  try {
    const snapshot = await fetchJson(`${base}/api/v1/snapshot`, io, request);
    const sample = (snapshot.body as { sample?: { gpus?: { index: number; name: string; uuid: string; simulated?: boolean }[] } }).sample;
    gpus = (sample?.gpus ?? []).map((g) => ({ instance: base, index: g.index, name: g.name, uuid: g.uuid, simulated: g.simulated ?? false }));
  } catch (error) {
    errors.push(`GPU names unknown: ${(error as Error).message}`);
  }
  return {
    source: "agent",
    url: base,
    selector: null,
    streams: [{ instance: base, samples: points.map(fromTimelinePoint) }],
    clockOffset,
    intervalMs: typeof body.intervalMs === "number" ? body.intervalMs : null,
    points: points.length,
    gpus,
    errors,
  };
}
