/** Reads one watched process from /proc/<pid> (proc(5)) into a ProcessReading. */
import { readdirSync, readFileSync } from "node:fs";
import type { ProcessReading } from "../sample.ts";
import { errnoCode } from "./host-errors.ts";
import { parseProcessStat } from "./parse-process-stat.ts";
import type { ProcFileReader } from "./proc-file-reader.ts";

/** Options of readProcess(). */
export interface ReadProcessOptions {
  /** Root of procfs; default "/proc". */
  readonly procRoot?: string;
  /** The vLLM target the process serves, or "" when given by PID only. */
  readonly target: string;
  /** `btime` from /proc/stat, to turn starttime into Unix time. */
  readonly bootTimeSeconds: number;
  /** Bytes per page for rss; default 4096. */
  readonly pageSizeBytes?: number;
  /**
   * Open files of `<procRoot>/<pid>` kept between samples (its stat and comm are read
   * through it); default none, each read opens the file.
   */
  readonly files?: ProcFileReader;
}

/**
 * Reads /proc/<pid>/stat, /proc/<pid>/comm and counts /proc/<pid>/fd entries. The reads
 * are synchronous: procfs answers from memory, and three thread-pool round trips per
 * sample cost more CPU than the reads themselves.
 * Returns null when the process does not exist or exits while being read (ENOENT/ESRCH):
 * a vLLM restart is not a failure of the host source. Other errors reject, e.g. EACCES
 * on /proc/<pid>/fd for another user's process without CAP_SYS_PTRACE.
 *
 * @example await readProcess(1234, { target: "http://127.0.0.1:8000", bootTimeSeconds })
 */
export async function readProcess(pid: number, options: ReadProcessOptions): Promise<ProcessReading | null> {
  const { procRoot = "/proc", target, bootTimeSeconds, pageSizeBytes, files } = options;
  const directory = `${procRoot}/${pid}`;
  try {
    const statText = files ? files.read("stat") : readFileSync(`${directory}/stat`, "utf8");
    const commText = files ? files.read("comm") : readFileSync(`${directory}/comm`, "utf8");
    const fds = readdirSync(`${directory}/fd`);
    const stat = parseProcessStat(statText, { bootTimeSeconds, pageSizeBytes });
    return {
      pid,
      target,
      command: commText.trimEnd(),
      cpuSecondsTotal: stat.cpuSecondsTotal,
      residentMemoryBytes: stat.residentMemoryBytes,
      virtualMemoryBytes: stat.virtualMemoryBytes,
      openFds: fds.length,
      threads: stat.threads,
      startTimeSeconds: stat.startTimeSeconds,
    };
  } catch (error) {
    const code = errnoCode(error);
    if (code === "ENOENT" || code === "ESRCH") return null;
    throw error;
  }
}
