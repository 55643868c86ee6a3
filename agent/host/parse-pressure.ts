/**
 * Parses pressure stall information, /proc/pressure/{cpu,io,memory}
 * (Documentation/accounting/psi.rst), for node_exporter's node_pressure_* counters.
 */
import type { PressureReading } from "../sample.ts";
import { ProcParseError } from "./host-errors.ts";

/** Totals of one /proc/pressure file, in seconds. */
export interface PressureTotals {
  /** `some total=`: time at least one task was stalled on the resource. */
  readonly someSeconds: number;
  /** `full total=`: time all non-idle tasks were stalled at once; null where the kernel prints no `full` line (cpu before 5.13). */
  readonly fullSeconds: number | null;
}

/**
 * Parses one pressure file: `some avg10=0.32 avg60=0.96 avg300=0.85 total=12666266`
 * and optionally a `full ...` line. `total=` is in microseconds.
 *
 * @example parsePressure("some avg10=0.00 avg60=0.00 avg300=0.00 total=1500000\n", "cpu").someSeconds // 1.5
 */
export function parsePressure(text: string, resource: string): PressureTotals {
  let someSeconds: number | undefined;
  let fullSeconds: number | null = null;
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const match = PRESSURE_LINE.exec(line);
    if (match === null) throw new ProcParseError(`/proc/pressure/${resource}`, `${JSON.stringify(line)} is not \`some|full ... total=N\``);
    const seconds = Number(match[2]) / 1e6;
    if (match[1] === "some") someSeconds = seconds;
    else fullSeconds = seconds;
  }
  if (someSeconds === undefined) throw new ProcParseError(`/proc/pressure/${resource}`, "missing the `some` line");
  return { someSeconds, fullSeconds };
}

const PRESSURE_LINE = /^(some|full) .*\btotal=(\d+)\s*$/;

/**
 * Combines the three files as node_exporter's pressure collector does: cpu waiting is
 * `some`; io and memory waiting is `some`, stalled is `full`.
 */
export function toPressureReading(totals: { readonly cpu: PressureTotals; readonly io: PressureTotals; readonly memory: PressureTotals }): PressureReading {
  return {
    cpuWaitingSecondsTotal: totals.cpu.someSeconds,
    ioWaitingSecondsTotal: totals.io.someSeconds,
    ioStalledSecondsTotal: totals.io.fullSeconds ?? 0,
    memoryWaitingSecondsTotal: totals.memory.someSeconds,
    memoryStalledSecondsTotal: totals.memory.fullSeconds ?? 0,
  };
}
