/**
 * The I/O half of correlation, called by the harness at the end of a run: reads the agent's timeline
 * (or Prometheus) for the run window and joins it to the report's windows. Never throws for a source
 * that is down: the result then has `status: "missing"` and the reason.
 *
 * @example
 *   const telemetry = await collectTelemetry(report, { agentUrl: "http://127.0.0.1:19400" });
 *   const withTelemetry = attachTelemetry(report, telemetry);
 */
import type { Report } from "../report/report-types.ts";
import type { TelemetryReport } from "../report/telemetry-types.ts";
import { buildTelemetryReport, missingTelemetry } from "./build-telemetry-report.ts";
import { fetchAgentTelemetry } from "./fetch-agent-telemetry.ts";
import type { TelemetryIo } from "./fetch-json.ts";
import { fetchPrometheusTelemetry } from "./fetch-prometheus-telemetry.ts";
import { TelemetryOptionError } from "./telemetry-errors.ts";

export interface CollectTelemetryOptions {
  /** Vigil agent base URL (the scenario's `agent` or `--agent`). */
  readonly agentUrl?: string;
  /** Agent bearer token, when it has one. */
  readonly agentToken?: string;
  /** Prometheus base URL (`--prometheus`), for a fleet; takes precedence over `agentUrl`. */
  readonly prometheusUrl?: string;
  /** Label selector for `--prometheus`, e.g. `{job="vigil"}` (default: none). */
  readonly prometheusSelector?: string;
  /** Wait this long before reading so the source has sampled past the run's end (default: 1.2 s). */
  readonly settleMs?: number;
  readonly fetch?: TelemetryIo["fetch"];
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Collects telemetry for the report's run window. */
export async function collectTelemetry(report: Report, options: CollectTelemetryOptions): Promise<TelemetryReport> {
  const io: TelemetryIo = { fetch: options.fetch ?? ((url, init) => fetch(url, init)), now: options.now ?? Date.now };
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const sinceMs = report.run.startedAtEpochMs;
  const untilMs = Math.max(report.run.endedAtEpochMs, lastWindowEnd(report));
  const source = options.prometheusUrl
    ? { source: "prometheus" as const, url: options.prometheusUrl.replace(/\/+$/, ""), selector: options.prometheusSelector ?? "" }
    : options.agentUrl
      ? { source: "agent" as const, url: options.agentUrl.replace(/\/+$/, ""), selector: null }
      : null;
  if (!source) throw new TelemetryOptionError("Cannot collect telemetry: give an agent URL (--agent) or a Prometheus URL (--prometheus)");
  const settleMs = options.settleMs ?? 1200;
  if (settleMs > 0) await sleep(settleMs);
  try {
    const data =
      source.source === "prometheus"
        ? await fetchPrometheusTelemetry({ prometheusUrl: source.url, selector: source.selector ?? "", sinceMs, untilMs }, io)
        : await fetchAgentTelemetry({ agentUrl: source.url, sinceMs, untilMs, token: options.agentToken }, io);
    return buildTelemetryReport(report, data);
  } catch (error) {
    if (error instanceof TelemetryOptionError) throw error;
    return missingTelemetry(report, source, (error as Error).message);
  }
}

function lastWindowEnd(report: Report): number {
  const last = report.windows.windows[report.windows.windows.length - 1];
  return last ? last.startEpochMs + report.windows.windowMs : report.run.endedAtEpochMs;
}
