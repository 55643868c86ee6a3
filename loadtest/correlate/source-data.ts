/** What a telemetry source (agent or Prometheus) yields before the join: streams on the source's clock and the offset to correct them. */
import type { ClockOffsetEstimate, TelemetryGpu } from "../report/telemetry-types.ts";
import type { TelemetryStream } from "./telemetry-sample.ts";

export interface SourceData {
  readonly source: "agent" | "prometheus";
  readonly url: string;
  readonly selector: string | null;
  readonly streams: readonly TelemetryStream[];
  readonly clockOffset: ClockOffsetEstimate | null;
  readonly intervalMs: number | null;
  readonly points: number;
  readonly gpus: readonly TelemetryGpu[];
  /** Problems that did not stop the fetch (a failed snapshot, a query that errored). */
  readonly errors: readonly string[];
}
