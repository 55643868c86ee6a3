/**
 * The host source: one sample of /proc (CPU, kernel counters, memory, load,
 * filesystems, network, pressure, uname, watched processes). Sub-collectors run in
 * parallel and are isolated: one failing gives an error entry and an empty part, the
 * rest of the reading is still filled (node_exporter collector.go, ContinueOnError).
 */
import { readFileSync } from "node:fs";
import { machine } from "node:os";
import type { CpuReading, FilesystemReading, HostReading, KernelStatReading, LoadReading, MeminfoEntry, NetworkReading, PressureReading, ProcessReading, UnameReading } from "../sample.ts";
import { createListeningProcessFinder } from "./find-listening-process.ts";
import { errnoCode, HostReadAbortedError, toHostError, type HostSourceError } from "./host-errors.ts";
import { createCpuClamp } from "./monotonic-counter.ts";
import { parseLoadavg } from "./parse-loadavg.ts";
import { parseMeminfo } from "./parse-meminfo.ts";
import { type MountEntry, parseMountinfo, selectFilesystems } from "./parse-mountinfo.ts";
import { parseNetDev } from "./parse-net-dev.ts";
import { parsePressure, toPressureReading } from "./parse-pressure.ts";
import { parseProcStat, type ProcStat } from "./parse-proc-stat.ts";
import { ProcFileReader } from "./proc-file-reader.ts";
import { createFilesystemReader, type StatfsFunction } from "./read-filesystems.ts";
import { readPageSize } from "./read-page-size.ts";
import { readProcess } from "./read-process.ts";

/** Sub-collector names: the `target` of the host source's error entries. */
export const HOST_COLLECTORS = ["stat", "meminfo", "loadavg", "filesystem", "netdev", "pressure", "uname", "processes"] as const;
/** One of HOST_COLLECTORS. */
export type HostCollectorName = (typeof HOST_COLLECTORS)[number];

/** A process to report: the vLLM server of `target`, by PID or by the TCP port it listens on. */
export interface WatchedProcess {
  readonly target: string;
  readonly port?: number;
  readonly pid?: number;
}

/** Options of createHostSource(); the roots mirror node_exporter's --path.procfs and --path.rootfs. */
export interface HostSourceOptions {
  /** Root of procfs, like node_exporter's --path.procfs; default "/proc". */
  readonly procRoot?: string;
  /** Prefix for statfs paths, like --path.rootfs (e.g. "/host"); default "". */
  readonly rootfsPrefix?: string;
  /** Per-mount statfs timeout before the mount is reported stuck; default 2000 ms. */
  readonly statfsTimeoutMs?: number;
  /** Asked on every read, so targets can come and go. */
  readonly watchedProcesses: () => readonly WatchedProcess[];
  /** Page size for process rss; default read once from /proc/self/smaps, else 4096. */
  readonly pageSizeBytes?: number;
  /** statfs implementation, for tests. */
  readonly statfs?: StatfsFunction;
}

/** One sample: the reading (empty parts where a collector failed) and an entry per failure. */
export interface HostSourceResult {
  readonly reading: HostReading;
  readonly errors: HostSourceError[];
}

/** The host source; holds state between samples (CPU clamp, stuck mounts, found PIDs, open /proc files). */
export interface HostSource extends Disposable {
  /** Takes one sample; never rejects. Collectors still running when `signal` aborts give an "aborted" error entry. */
  read(signal: AbortSignal): Promise<HostSourceResult>;
  /** Closes the /proc files kept open between samples; a later read() opens them again. */
  close(): void;
}

const EMPTY_STAT: KernelStatReading = { contextSwitchesTotal: 0, interruptsTotal: 0, forksTotal: 0, procsRunning: 0, procsBlocked: 0, bootTimeSeconds: 0 };
const EMPTY_LOAD: LoadReading = { load1: 0, load5: 0, load15: 0 };
const ABORTED = Symbol("aborted");

/**
 * Creates the host source. Each /proc file is read once per sample, synchronously,
 * through a descriptor kept open (ProcFileReader): a procfs read does not block, and
 * a thread-pool round trip per file cost more than the read. Only statfs stays
 * asynchronous, since a hung network mount blocks it (read-filesystems.ts).
 *
 * @example
 * const host = createHostSource({ watchedProcesses: () => [{ target: "http://127.0.0.1:8000", port: 8000 }] });
 * const { reading, errors } = await host.read(AbortSignal.timeout(1000));
 */
export function createHostSource(options: HostSourceOptions): HostSource {
  const { procRoot = "/proc", rootfsPrefix = "", statfsTimeoutMs = 2000, watchedProcesses } = options;
  const clampCpus = createCpuClamp();
  const filesystems = createFilesystemReader({ rootfsPrefix, timeoutMs: statfsTimeoutMs, statfs: options.statfs });
  const finder = createListeningProcessFinder({ procRoot });
  const unameMachine = readMachine();
  // ostype, osrelease and version cannot change without a reboot: read them once.
  let kernelIdentity: Pick<UnameReading, "sysname" | "release" | "version"> | undefined;
  let lastBootTimeSeconds: number | undefined;
  let pageSize: Promise<number> | undefined = options.pageSizeBytes === undefined ? undefined : Promise.resolve(options.pageSizeBytes);

  const files = new ProcFileReader(procRoot);
  // Per watched PID, its /proc/<pid> files; a PID not read in a sample has its files closed.
  const processFiles = new Map<number, ProcFileReader>();
  const readText = (path: string): string => files.read(path);
  // The mount table rarely changes: parse it again only when its text does.
  let lastMountinfo = "";
  let lastMounts: readonly MountEntry[] = [];

  function readMountinfo(): string {
    try {
      return readText("1/mountinfo");
    } catch (error) {
      // /proc mounted with hidepid hides PID 1 from other users: fall back to our own view, as node_exporter does.
      if (errnoCode(error) === "ENOENT" || errnoCode(error) === "EACCES") return readText("self/mountinfo");
      throw error;
    }
  }

  function selectMounts(): readonly MountEntry[] {
    const text = readMountinfo();
    if (text !== lastMountinfo) {
      lastMounts = selectFilesystems(parseMountinfo(text));
      lastMountinfo = text;
    }
    return lastMounts;
  }

  function readPressure(): PressureReading | null {
    try {
      const read = (resource: string) => parsePressure(readText(`pressure/${resource}`), resource);
      return toPressureReading({ cpu: read("cpu"), io: read("io"), memory: read("memory") });
    } catch (error) {
      // No PSI (kernel < 4.20 or CONFIG_PSI=n: ENOENT; booted with psi=0: EOPNOTSUPP) is not a failure (pressure_linux.go).
      const code = errnoCode(error);
      if (code === "ENOENT" || code === "EOPNOTSUPP" || code === "ENOTSUP") return null;
      throw error;
    }
  }

  /** A file read once: its descriptor is not kept. */
  function readOnce(path: string): string {
    return readFileSync(`${procRoot}/${path}`, "utf8").trim();
  }

  function readUname(): UnameReading {
    // A failed first read throws and is retried on the next sample instead of being cached.
    kernelIdentity ??= {
      sysname: readOnce("sys/kernel/ostype"),
      release: readOnce("sys/kernel/osrelease"),
      version: readOnce("sys/kernel/version"),
    };
    return { ...kernelIdentity, machine: unameMachine, nodename: readText("sys/kernel/hostname").trim() };
  }

  function closeProcessFilesBut(pids: ReadonlySet<number>): void {
    for (const [pid, reader] of processFiles) {
      if (pids.has(pid)) continue;
      reader.close();
      processFiles.delete(pid);
    }
  }

  /** Per-target failures come back as `errors` (not thrown) so that one target cannot hide the others. */
  async function readProcesses(): Promise<{ readings: ProcessReading[]; errors: HostSourceError[] }> {
    const errors: HostSourceError[] = [];
    const watched = uniqueByTarget(watchedProcesses());
    if (watched.length === 0) {
      closeProcessFilesBut(new Set());
      return { readings: [], errors };
    }
    // This sample's btime, or, when the stat collector failed (it reports that), the last one read.
    const bootTimeSeconds = lastBootTimeSeconds;
    if (bootTimeSeconds === undefined) throw new Error("Cannot compute process start times: /proc/stat has not been read yet");
    pageSize ??= readPageSize().catch((error: unknown) => {
      errors.push({ target: "processes", code: "page_size", message: `Cannot read the page size, assuming 4096: ${error instanceof Error ? error.message : String(error)}` });
      return 4096;
    });
    const pageSizeBytes = await pageSize;
    const read = new Set<number>();
    const readings = await Promise.all(
      watched.map(async (watchedProcess) => {
        const { target, pid: givenPid, port } = watchedProcess;
        try {
          const pid = givenPid ?? (port === undefined ? null : await finder.find(port));
          // Not running (or not found) is not an error: the vLLM source reports the target down.
          if (pid === null) return null;
          let pidFiles = processFiles.get(pid);
          if (pidFiles === undefined) processFiles.set(pid, (pidFiles = new ProcFileReader(`${procRoot}/${pid}`)));
          read.add(pid);
          return await readProcess(pid, { procRoot, target, bootTimeSeconds, pageSizeBytes, files: pidFiles });
        } catch (error) {
          const entry = toHostError("processes", error);
          errors.push({ ...entry, message: `${entry.message} (target ${target})` });
          return null;
        }
      }),
    );
    closeProcessFilesBut(read);
    return { readings: readings.filter((reading) => reading !== null), errors };
  }

  return {
    async read(signal) {
      const errors: HostSourceError[] = [];
      let onAbort = () => {};
      const aborted = new Promise<typeof ABORTED>((resolve) => {
        onAbort = () => resolve(ABORTED);
        if (signal.aborted) resolve(ABORTED);
        else signal.addEventListener("abort", onAbort, { once: true });
      });

      /** A collector that only reads /proc: it runs to its end at once. */
      function collectNow<T>(name: HostCollectorName, fallback: T, task: () => T): T {
        try {
          if (signal.aborted) throw new HostReadAbortedError(name, { cause: signal.reason });
          return task();
        } catch (error) {
          errors.push(toHostError(name, error));
          return fallback;
        }
      }

      /** A collector that may wait (statfs on a hung mount, a /proc scan): cut off when the sample is aborted. */
      async function collect<T>(name: HostCollectorName, fallback: T, task: () => Promise<T>): Promise<T> {
        try {
          if (signal.aborted) throw new HostReadAbortedError(name, { cause: signal.reason });
          const outcome = await Promise.race([task(), aborted]);
          if (outcome === ABORTED) throw new HostReadAbortedError(name, { cause: signal.reason });
          return outcome;
        } catch (error) {
          errors.push(toHostError(name, error));
          return fallback;
        }
      }

      const noCpus: CpuReading[] = [];
      try {
        const stat = collectNow("stat", { cpus: noCpus, stat: EMPTY_STAT }, () => {
          const parsed: ProcStat = parseProcStat(readText("stat"));
          lastBootTimeSeconds = parsed.stat.bootTimeSeconds;
          return { cpus: clampCpus(parsed.cpus), stat: parsed.stat };
        });
        const meminfo = collectNow("meminfo", [] as MeminfoEntry[], () => parseMeminfo(readText("meminfo")));
        const load = collectNow("loadavg", EMPTY_LOAD, () => parseLoadavg(readText("loadavg")));
        const networks = collectNow("netdev", [] as NetworkReading[], () => parseNetDev(readText("net/dev")));
        const pressure = collectNow("pressure", null, readPressure);
        const uname = collectNow("uname", { sysname: "", release: "", version: "", machine: unameMachine, nodename: "" }, readUname);
        const [fsReadings, processes] = await Promise.all([
          collect("filesystem", [] as FilesystemReading[], async () => filesystems.read(selectMounts())),
          collect("processes", { readings: [] as ProcessReading[], errors: [] as HostSourceError[] }, readProcesses),
        ]);
        errors.push(...processes.errors);
        const reading: HostReading = { cpus: stat.cpus, stat: stat.stat, meminfo, load, filesystems: fsReadings, networks, pressure, uname, processes: processes.readings };
        return { reading, errors };
      } finally {
        signal.removeEventListener("abort", onAbort);
      }
    },
    close() {
      files.close();
      closeProcessFilesBut(new Set());
    },
    [Symbol.dispose]() {
      this.close();
    },
  };
}

/** uname -m: Node's os.machine() is uname(2)'s machine field; the arch map is a fallback. */
function readMachine(): string {
  const value = typeof machine === "function" ? machine() : "";
  if (value !== "") return value;
  return process.arch === "x64" ? "x86_64" : process.arch === "arm64" ? "aarch64" : process.arch;
}

function uniqueByTarget(watched: readonly WatchedProcess[]): WatchedProcess[] {
  return [...new Map(watched.map((entry) => [entry.target, entry])).values()];
}
