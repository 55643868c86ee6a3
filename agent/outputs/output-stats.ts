/**
 * Counters every output keeps (sent, dropped, errors, queue) and their families on
 * /metrics, so an output that is failing is visible where the operator already looks.
 */
import type { MetricFamily } from "../exposition/family.ts";

/** The output names used as the `output` label. */
export type OutputName = "otlp" | "pushgateway" | "record";

/** Mutable counters of one output; the output bumps them, families() reads them. */
export class OutputStats {
  sent = 0;
  dropped = 0;
  errors = 0;
  queued = 0;
  up = true;
  constructor(readonly output: OutputName) {}
}

/** vigil_output_* families for the outputs that are configured. */
export function outputFamilies(stats: readonly OutputStats[]): MetricFamily[] {
  if (stats.length === 0) return [];
  const family = (name: string, help: string, type: "counter" | "gauge", value: (s: OutputStats) => number): MetricFamily => ({
    name,
    help,
    type,
    samples: stats.map((s) => ({ name, labels: { output: s.output }, value: value(s) })),
  });
  return [
    family("vigil_output_up", "Whether the output's last write or push succeeded (1) or not (0).", "gauge", (s) => (s.up ? 1 : 0)),
    family("vigil_output_sent_total", "Batches (OTLP, Pushgateway) or samples (recorders) this output delivered.", "counter", (s) => s.sent),
    family("vigil_output_dropped_total", "Batches or samples this output gave up on (queue full, rejected, disk full).", "counter", (s) => s.dropped),
    family("vigil_output_errors_total", "Failed writes or pushes of this output.", "counter", (s) => s.errors),
    family("vigil_output_queue_length", "Batches or samples waiting to be delivered by this output.", "gauge", (s) => s.queued),
  ];
}
