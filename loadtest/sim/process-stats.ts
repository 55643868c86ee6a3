/**
 * This process's process_* values, read from /proc the way prometheus_client's
 * ProcessCollector reads them. Off Linux every value is 0 (the families stay).
 */
import { readdirSync, readFileSync } from "node:fs";
import type { ProcessStats } from "./render-vllm-metrics.ts";

const CLOCK_TICKS_PER_SECOND = 100;
const PAGE_SIZE_BYTES = 4096;

function bootTimeSeconds(): number {
  const match = /^btime (\d+)$/m.exec(readFileSync("/proc/stat", "utf8"));
  return Number(match?.[1] ?? 0);
}

/** Reads /proc/self; returns zeros when /proc is missing or unreadable. */
export function readProcessStats(): ProcessStats {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const limits = readFileSync("/proc/self/limits", "utf8");
    const maxFds = Number(/^Max open files\s+(\d+)/m.exec(limits)?.[1] ?? 0);
    return {
      virtualMemoryBytes: Number(fields[20]),
      residentMemoryBytes: Number(fields[21]) * PAGE_SIZE_BYTES,
      startTimeSeconds: bootTimeSeconds() + Number(fields[19]) / CLOCK_TICKS_PER_SECOND,
      cpuSecondsTotal: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND,
      openFds: readdirSync("/proc/self/fd").length,
      maxFds,
    };
  } catch {
    // Not Linux (or /proc hidden): ProcessCollector exports nothing there either; zeros keep the shape.
    return { virtualMemoryBytes: 0, residentMemoryBytes: 0, startTimeSeconds: 0, cpuSecondsTotal: 0, openFds: 0, maxFds: 0 };
  }
}
