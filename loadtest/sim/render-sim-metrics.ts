/**
 * The simulator's own counters as Prometheus text (GET /sim/metrics), kept off /metrics
 * so that body stays exactly vLLM's. Every injected fault has its own child.
 */
import { formatGoFloat } from "./format-go-float.ts";
import { FAULT_COUNTER_NAMES, type SimCounters } from "./sim-counters.ts";

export function renderSimMetrics(counters: SimCounters): string {
  let out = "# HELP vigil_sim_faults_injected_total Faults the simulator injected, by kind.\n# TYPE vigil_sim_faults_injected_total counter\n";
  for (const name of FAULT_COUNTER_NAMES) out += `vigil_sim_faults_injected_total{fault="${name}"} ${formatGoFloat(counters.injected[name])}\n`;
  out += "# HELP vigil_sim_accepted_requests_total Completion requests handed to the simulated engine.\n# TYPE vigil_sim_accepted_requests_total counter\n";
  out += `vigil_sim_accepted_requests_total ${formatGoFloat(counters.acceptedRequests)}\n`;
  out += "# HELP vigil_sim_finished_sequences_total Engine sequences (choices) finished, by finish reason.\n# TYPE vigil_sim_finished_sequences_total counter\n";
  for (const [reason, count] of Object.entries(counters.finishedSequences)) out += `vigil_sim_finished_sequences_total{finished_reason="${reason}"} ${formatGoFloat(count)}\n`;
  out += "# HELP vigil_sim_in_flight_requests Completion responses still open.\n# TYPE vigil_sim_in_flight_requests gauge\n";
  out += `vigil_sim_in_flight_requests ${formatGoFloat(counters.inFlightRequests)}\n`;
  return out;
}
