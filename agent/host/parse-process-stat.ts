/** Parses /proc/<pid>/stat (proc(5)) into the numbers a ProcessReading needs. */
import { ProcParseError } from "./host-errors.ts";
import { USER_HZ } from "./parse-proc-stat.ts";

/** The fields of /proc/<pid>/stat the watched-process metrics use. */
export interface ProcessStat {
  readonly pid: number;
  /** The comm field without its parentheses (may hold spaces and parentheses). */
  readonly comm: string;
  /** utime + stime, seconds. */
  readonly cpuSecondsTotal: number;
  readonly threads: number;
  readonly virtualMemoryBytes: number;
  readonly residentMemoryBytes: number;
  /** Unix time the process started: starttime (ticks after boot) / USER_HZ + btime. */
  readonly startTimeSeconds: number;
}

/** What parseProcessStat() needs beyond the text: boot time and page size. */
export interface ParseProcessStatOptions {
  /** `btime` from /proc/stat, seconds since the epoch. */
  readonly bootTimeSeconds: number;
  /** Bytes per page for the rss field; 4096 on x86_64, 4096 or 65536 on aarch64. */
  readonly pageSizeBytes?: number;
}

/**
 * Parses the text of /proc/<pid>/stat. comm (field 2) is the executable name in
 * parentheses and may itself contain `)` and spaces (`(tmux: server)`, `(a) b)`), so the
 * fields after it are found from the LAST `)`, as procps does.
 *
 * @example parseProcessStat(text, { bootTimeSeconds: 1_700_000_000 }).cpuSecondsTotal
 */
export function parseProcessStat(text: string, options: ParseProcessStatOptions): ProcessStat {
  const { bootTimeSeconds, pageSizeBytes = 4096 } = options;
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open <= 0 || close < open) throw new ProcParseError("/proc/<pid>/stat", `no \`(comm)\` in ${JSON.stringify(text.slice(0, 80))}`);
  const pid = Number(text.slice(0, open).trim());
  if (!Number.isInteger(pid)) throw new ProcParseError("/proc/<pid>/stat", `pid ${JSON.stringify(text.slice(0, open))} is not a number`);
  // After ")": field 3 (state) is index 0, so proc(5) field N is index N - 3.
  const rest = text.slice(close + 2).trimEnd().split(" ");
  const field = (n: number): number => {
    const value = Number(rest[n - 3]);
    if (rest[n - 3] === undefined || !Number.isFinite(value)) throw new ProcParseError(`/proc/${pid}/stat`, `field ${n} is ${JSON.stringify(rest[n - 3])}, not a number`);
    return value;
  };
  return {
    pid,
    comm: text.slice(open + 1, close),
    // (14) utime and (15) stime, in clock ticks.
    cpuSecondsTotal: (field(14) + field(15)) / USER_HZ,
    threads: field(20),
    // (22) starttime in clock ticks after boot.
    startTimeSeconds: field(22) / USER_HZ + bootTimeSeconds,
    // (23) vsize in bytes, (24) rss in pages.
    virtualMemoryBytes: field(23),
    residentMemoryBytes: field(24) * pageSizeBytes,
  };
}
