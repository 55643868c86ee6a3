/**
 * Finds the process listening on a TCP port, the way `ss -ltnp` does: the socket's
 * inode from /proc/net/tcp{,6}, then the process holding an fd that links to
 * `socket:[inode]` (proc(5), /proc/<pid>/fd).
 *
 * Both steps are expensive, so they run rarely. Reading /proc/net/tcp walks the kernel's
 * whole TCP hash table (measured: ~4.5 ms per file on a 24 GiB VM with a handful of
 * sockets), and a scan reads every fd link of every process. A found listener is cached
 * as (pid, fd, inode) and re-verified with one readlink: the same socket inode on the
 * same fd of the same PID is the same listening socket.
 */
import { readlinkSync } from "node:fs";
import { readdir, readlink } from "node:fs/promises";
import { errnoCode, isGoneOrForbidden } from "./host-errors.ts";
import { listeningInodes } from "./parse-proc-net-tcp.ts";

/** Options of createListeningProcessFinder(). */
export interface ListeningProcessFinderOptions {
  /** Root of procfs, like node_exporter's --path.procfs; default "/proc". */
  readonly procRoot?: string;
  /** After a scan found a listening socket but no process owning it: wait this long before scanning again; default 30 000 ms. */
  readonly rescanIntervalMs?: number;
  /** While nothing listens on the port: wait this long before reading /proc/net/tcp again; default 10 000 ms. */
  readonly listenRecheckIntervalMs?: number;
  /** Monotonic clock in ms; injectable for tests. */
  readonly now?: () => number;
}

/** Finds and remembers, per port, the PID that owns the listening socket. */
export interface ListeningProcessFinder {
  /** The PID listening on `port`, or null when no socket listens there or its owner cannot be seen. */
  find(port: number): Promise<number | null>;
  /** Reads of /proc/net/tcp{,6} done so far (for tests and self-metrics). */
  readonly lookupCount: number;
  /** Full /proc scans done so far (for tests and self-metrics). */
  readonly scanCount: number;
}

interface Found {
  readonly pid: number;
  readonly fd: string;
  readonly inode: string;
  /** `<procRoot>/<pid>/fd/<fd>` and its link text `socket:[<inode>]`, kept so the check each sample builds no string. */
  readonly fdPath: string;
  readonly link: string;
}

interface PortState {
  found: Found | null;
  /** When a miss may look up the port again. */
  nextLookupAtMs: number;
}

/**
 * Creates a finder. Per call, when a listener is cached: one readlink of its fd. When it
 * is gone (the server exited or restarted): read /proc/net/tcp and tcp6 at once; if
 * nothing listens, answer null and look again after `listenRecheckIntervalMs`; if a
 * socket listens, scan /proc/<pid>/fd/* and stop at the first match. A scan that finds
 * no owner (another user's process, another network namespace) is not repeated for
 * `rescanIntervalMs`.
 *
 * @example const pid = await createListeningProcessFinder().find(8000);
 */
export function createListeningProcessFinder(options: ListeningProcessFinderOptions = {}): ListeningProcessFinder {
  const { procRoot = "/proc", rescanIntervalMs = 30_000, listenRecheckIntervalMs = 10_000, now = () => performance.now() } = options;
  const ports = new Map<number, PortState>();
  let lookupCount = 0;
  let scanCount = 0;

  async function readTable(name: string): Promise<string> {
    try {
      return await Bun.file(`${procRoot}/net/${name}`).text();
    } catch (error) {
      // /proc/net/tcp6 is absent when the kernel has IPv6 disabled: no IPv6 listeners.
      if (name === "tcp6" && errnoCode(error) === "ENOENT") return "";
      throw error;
    }
  }

  /** One readlink, synchronous: it runs every sample, and a thread-pool round trip costs more than the call. */
  function stillOwns(found: Found): boolean {
    try {
      return readlinkSync(found.fdPath) === found.link;
    } catch (error) {
      if (isGoneOrForbidden(error)) return false;
      throw error;
    }
  }

  async function fdLinks(pid: string): Promise<{ fd: string; link: string }[]> {
    let fds: string[];
    try {
      fds = await readdir(`${procRoot}/${pid}/fd`);
    } catch (error) {
      // Exited since readdir(/proc), or owned by another user: not the process we can report.
      if (isGoneOrForbidden(error)) return [];
      throw error;
    }
    const links = await Promise.all(
      fds.map(async (fd) => {
        try {
          return { fd, link: await readlink(`${procRoot}/${pid}/fd/${fd}`) };
        } catch (error) {
          // The fd was closed between readdir and readlink.
          if (isGoneOrForbidden(error)) return { fd, link: "" };
          throw error;
        }
      }),
    );
    return links;
  }

  async function scan(inodes: readonly string[]): Promise<Found | null> {
    scanCount++;
    const wanted = new Map(inodes.map((inode) => [`socket:[${inode}]`, inode]));
    const entries = await readdir(procRoot);
    for (const entry of entries) {
      if (!/^\d+$/.test(entry)) continue;
      for (const { fd, link } of await fdLinks(entry)) {
        const inode = wanted.get(link);
        if (inode !== undefined) return { pid: Number(entry), fd, inode, fdPath: `${procRoot}/${entry}/fd/${fd}`, link };
      }
    }
    return null;
  }

  return {
    async find(port) {
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`Cannot find the process listening on port ${port}: not a TCP port`);
      const state = ports.get(port) ?? { found: null, nextLookupAtMs: 0 };
      ports.set(port, state);
      if (state.found !== null) {
        if (stillOwns(state.found)) return state.found.pid;
        // Gone or restarted: look it up now rather than after an interval.
        state.found = null;
        state.nextLookupAtMs = 0;
      }
      if (now() < state.nextLookupAtMs) return null;
      lookupCount++;
      const [tcp, tcp6] = await Promise.all([readTable("tcp"), readTable("tcp6")]);
      const inodes = [...listeningInodes(tcp, port), ...listeningInodes(tcp6, port)];
      if (inodes.length === 0) {
        state.nextLookupAtMs = now() + listenRecheckIntervalMs;
        return null;
      }
      state.found = await scan(inodes);
      if (state.found === null) state.nextLookupAtMs = now() + rescanIntervalMs;
      return state.found?.pid ?? null;
    },
    get lookupCount() {
      return lookupCount;
    },
    get scanCount() {
      return scanCount;
    },
  };
}
