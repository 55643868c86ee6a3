/**
 * Parses /proc/<pid>/mountinfo (proc(5)) and picks the mounts node_exporter's
 * filesystem collector would report (collector/filesystem_linux.go).
 */
import { ProcParseError } from "./host-errors.ts";

/** One mount as the filesystem collector needs it. */
export interface MountEntry {
  /** Mount source (field after the fstype), e.g. `/dev/vda`, `tmpfs`, `server:/export`. */
  readonly device: string;
  readonly mountpoint: string;
  readonly fstype: string;
  /** Per-mount options (field 6), e.g. `rw,relatime`. */
  readonly options: string;
  /** Superblock options (last field), e.g. `rw,discard`. */
  readonly superOptions: string;
}

/**
 * node_exporter's default `--collector.filesystem.mount-points-exclude`: pseudo and
 * container-internal mount trees.
 */
export const DEFAULT_MOUNT_POINTS_EXCLUDE = /^\/(dev|proc|run\/credentials\/.+|sys|var\/lib\/docker\/.+|var\/lib\/containers\/storage\/.+)($|\/)/;

/** node_exporter's default `--collector.filesystem.fs-types-exclude`: file systems with no disk space to report. */
export const DEFAULT_FS_TYPES_EXCLUDE =
  /^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|erofs|sysfs|tracefs)$/;

/**
 * Parses mountinfo text. proc(5) line: `36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue`:
 * mount ID, parent ID, major:minor, root, mount point, mount options, zero or more
 * optional fields, a `-` separator, fstype, source, super options. Paths escape space,
 * tab, newline and backslash as octal (`\040`, `\011`, `\012`, `\134`).
 *
 * @example parseMountinfo(text).map((m) => m.mountpoint)
 */
export function parseMountinfo(text: string): MountEntry[] {
  const mounts: MountEntry[] = [];
  let lineNumber = 0;
  for (const line of text.split("\n")) {
    lineNumber++;
    if (line === "") continue;
    const fields = line.split(" ");
    const separator = fields.indexOf("-", 6);
    const mountpoint = fields[4];
    const options = fields[5];
    const fstype = fields[separator + 1];
    const device = fields[separator + 2];
    if (separator === -1 || mountpoint === undefined || options === undefined || fstype === undefined || device === undefined) {
      throw new ProcParseError("mountinfo", `line ${lineNumber}: ${JSON.stringify(line)} has no \`- fstype source\` part`);
    }
    mounts.push({
      device: decodeOctalEscapes(device),
      mountpoint: decodeOctalEscapes(mountpoint),
      fstype,
      options,
      superOptions: fields[separator + 3] ?? "",
    });
  }
  return mounts;
}

/** Decodes the kernel's `\ooo` escapes (fs/proc_namespace.c mangle()). */
export function decodeOctalEscapes(value: string): string {
  return value.includes("\\") ? value.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8))) : value;
}

/**
 * Keeps the mounts node_exporter reports by default: drops excluded mount points and
 * fstypes, and keeps one entry per mount point. When a mount point appears twice
 * (something mounted over it), the last entry wins: statfs() of the path sees the
 * top mount, and a duplicate would be a duplicate series.
 */
export function selectFilesystems(mounts: readonly MountEntry[]): MountEntry[] {
  const byMountpoint = new Map<string, MountEntry>();
  for (const mount of mounts) {
    if (DEFAULT_MOUNT_POINTS_EXCLUDE.test(mount.mountpoint) || DEFAULT_FS_TYPES_EXCLUDE.test(mount.fstype)) continue;
    byMountpoint.delete(mount.mountpoint);
    byMountpoint.set(mount.mountpoint, mount);
  }
  return [...byMountpoint.values()];
}

/** True when the mount is read-only: `ro` in the per-mount options or the superblock options. */
export function isReadonlyMount(mount: MountEntry): boolean {
  return hasOption(mount.options, "ro") || hasOption(mount.superOptions, "ro");
}

function hasOption(options: string, name: string): boolean {
  return options.split(",").includes(name);
}
