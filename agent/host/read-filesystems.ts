/**
 * statfs() for each selected mount, guarded against hung mounts the way node_exporter's
 * filesystem collector is (collector/filesystem_linux.go: a watcher timer and a
 * `stuckMounts` set). A dead NFS server makes statfs() block in the kernel; in Bun that
 * pins a thread-pool thread, so a stuck mount is not statted again until its pending
 * call returns. File systems on a local disk or in memory answer statfs from in-memory
 * counters and cannot hang that way: they are statted synchronously, which spares a
 * thread-pool round trip and a timer per mount every sample.
 */
import { statfsSync as nodeStatfsSync } from "node:fs";
import { statfs as nodeStatfs } from "node:fs/promises";
import type { FilesystemReading } from "../sample.ts";
import { isReadonlyMount, type MountEntry } from "./parse-mountinfo.ts";

/** The statfs(2) fields used, as node:fs `statfs()` returns them. */
export interface StatfsResult {
  readonly bsize: number;
  readonly blocks: number;
  readonly bfree: number;
  readonly bavail: number;
  readonly files: number;
  readonly ffree: number;
}

/** A statfs(2) call; injectable so tests can simulate a hung mount. */
export type StatfsFunction = (path: string) => Promise<StatfsResult>;

/** A synchronous statfs(2) call, for file systems that cannot hang (LOCAL_FS_TYPES). */
export type StatfsSyncFunction = (path: string) => StatfsResult;

/**
 * File systems whose statfs(2) reads in-memory superblock counters: local disks and
 * memory. Network and FUSE file systems (nfs, cifs, ceph, fuse.*, 9p, virtiofs) and ZFS
 * (a suspended pool blocks) are not here and keep the asynchronous, timed call.
 */
const LOCAL_FS_TYPES = new Set(["ext2", "ext3", "ext4", "xfs", "btrfs", "f2fs", "jfs", "vfat", "exfat", "tmpfs", "ramfs"]);

/** Options of createFilesystemReader(). */
export interface FilesystemReaderOptions {
  /** Prefix for the path statted, like node_exporter's --path.rootfs (e.g. "/host"); labels keep the bare mount point. */
  readonly rootfsPrefix?: string;
  /** How long one statfs may take before its mount is reported stuck; default 2000 ms (node_exporter waits 5 s). */
  readonly timeoutMs?: number;
  /** statfs implementation; node:fs/promises `statfs` by default (works under Bun 1.4). */
  readonly statfs?: StatfsFunction;
  /**
   * Synchronous statfs for LOCAL_FS_TYPES; node:fs `statfsSync` by default, but none when
   * only `statfs` is given (tests that inject a statfs see every mount go through it).
   */
  readonly statfsSync?: StatfsSyncFunction;
}

/** Reads filesystem sizes; keeps the stuck-mount set between reads. */
export interface FilesystemReader {
  read(mounts: readonly MountEntry[]): Promise<FilesystemReading[]>;
  /** Mount points whose statfs timed out and has not returned yet. */
  stuckMountpoints(): string[];
}

/**
 * Creates a filesystem reader. A statfs that fails (EACCES, ENOENT, EIO) or takes longer
 * than `timeoutMs` gives `deviceError: true` with zero sizes, which node_exporter reports
 * as node_filesystem_device_error 1; it is not an error of the whole collector.
 *
 * @example
 * const reader = createFilesystemReader({ timeoutMs: 2000 });
 * const readings = await reader.read(selectFilesystems(parseMountinfo(text)));
 */
export function createFilesystemReader(options: FilesystemReaderOptions = {}): FilesystemReader {
  const { rootfsPrefix = "", timeoutMs = 2000, statfs = nodeStatfs } = options;
  const statfsSync = options.statfsSync ?? (options.statfs === undefined ? nodeStatfsSync : undefined);
  if (!(timeoutMs > 0)) throw new RangeError(`Cannot create the filesystem reader as 'timeoutMs' must be positive: current value is ${timeoutMs}`);
  const stuck = new Set<string>();

  async function readOne(mount: MountEntry): Promise<FilesystemReading> {
    const readonly = isReadonlyMount(mount);
    const failed: FilesystemReading = { device: mount.device, fstype: mount.fstype, mountpoint: mount.mountpoint, sizeBytes: 0, freeBytes: 0, availBytes: 0, files: 0, filesFree: 0, readonly, deviceError: true };
    if (stuck.has(mount.mountpoint)) return failed;
    if (statfsSync !== undefined && LOCAL_FS_TYPES.has(mount.fstype)) {
      let result: StatfsResult;
      try {
        result = statfsSync(rootfsPrefix + mount.mountpoint);
      } catch {
        return failed; // EACCES, ENOENT, EIO: node_filesystem_device_error 1, as below
      }
      return sized(failed, result);
    }
    const pending = statfs(rootfsPrefix + mount.mountpoint);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    const outcome = await Promise.race([pending.then((result) => ({ result }), (error: unknown) => ({ error })), timedOut]);
    clearTimeout(timer);
    if (outcome === "timeout") {
      stuck.add(mount.mountpoint);
      // Released only when the blocked call returns, whatever it returns.
      const release = () => stuck.delete(mount.mountpoint);
      pending.then(release, release);
      return failed;
    }
    if ("error" in outcome) return failed;
    return sized(failed, outcome.result);
  }

  return {
    read(mounts) {
      return Promise.all(mounts.map(readOne));
    },
    stuckMountpoints() {
      return [...stuck];
    },
  };
}

/** `failed` with the sizes statfs gave. */
function sized(failed: FilesystemReading, result: StatfsResult): FilesystemReading {
  // node_exporter multiplies by f_bsize (not f_frsize); the two are equal on Linux's
  // common file systems, and matching it keeps dashboards' numbers identical.
  return {
    ...failed,
    sizeBytes: result.blocks * result.bsize,
    freeBytes: result.bfree * result.bsize,
    availBytes: result.bavail * result.bsize,
    files: result.files,
    filesFree: result.ffree,
    deviceError: false,
  };
}
