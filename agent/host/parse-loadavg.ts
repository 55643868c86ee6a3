/** Parses /proc/loadavg (proc(5)) for node_exporter's node_load1/5/15. */
import type { LoadReading } from "../sample.ts";
import { ProcParseError } from "./host-errors.ts";

/**
 * Parses the text of /proc/loadavg: `0.09 0.10 0.04 1/82 2974`. Only the three load
 * averages are used; the runnable/total and last-PID fields are ignored.
 *
 * @example parseLoadavg("0.09 0.10 0.04 1/82 2974\n") // { load1: 0.09, load5: 0.1, load15: 0.04 }
 */
export function parseLoadavg(text: string): LoadReading {
  const fields = text.trim().split(/\s+/);
  const loads = fields.slice(0, 3).map(Number);
  const [load1, load5, load15] = loads;
  if (load1 === undefined || load5 === undefined || load15 === undefined || loads.some((load) => !Number.isFinite(load)) || fields.some((field) => field === "")) {
    throw new ProcParseError("/proc/loadavg", `expected three load averages, got ${JSON.stringify(text.trim())}`);
  }
  return { load1, load5, load15 };
}
