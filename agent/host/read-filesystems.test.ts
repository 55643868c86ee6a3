import { describe, expect, it } from "vitest";
import type { MountEntry } from "./parse-mountinfo.ts";
import { createFilesystemReader, type StatfsResult } from "./read-filesystems.ts";

const root: MountEntry = { device: "/dev/vda", mountpoint: "/", fstype: "ext4", options: "rw,relatime", superOptions: "rw" };
const stats: StatfsResult = { bsize: 4096, blocks: 1000, bfree: 600, bavail: 500, files: 100, ffree: 40 };

/** A statfs whose calls stay pending until released, like statfs(2) on a dead NFS server. */
function hangingStatfs() {
  const pending = new Map<string, () => void>();
  let calls = 0;
  return {
    statfs(path: string): Promise<StatfsResult> {
      calls++;
      return new Promise((resolve) => pending.set(path, () => resolve(stats)));
    },
    release(path: string) {
      pending.get(path)?.();
      pending.delete(path);
    },
    get calls() {
      return calls;
    },
  };
}

describe("createFilesystemReader()", () => {
  it("statfs-es the real root file system", async () => {
    const [reading] = await createFilesystemReader().read([root]);
    expect(reading?.deviceError).toBe(false);
    expect(reading?.sizeBytes).toBeGreaterThan(0);
    expect(reading?.availBytes).toBeLessThanOrEqual(reading?.sizeBytes ?? 0);
    expect(reading?.files).toBeGreaterThan(0);
  });

  it("stats local file systems synchronously and network ones through the timed statfs", async () => {
    const synced: string[] = [];
    const awaited: string[] = [];
    const reader = createFilesystemReader({
      statfsSync: (path) => (synced.push(path), stats),
      statfs: async (path) => (awaited.push(path), stats),
    });
    const nfs: MountEntry = { device: "server:/export", mountpoint: "/mnt/nfs", fstype: "nfs4", options: "rw", superOptions: "rw" };
    const tmp: MountEntry = { device: "tmpfs", mountpoint: "/tmp", fstype: "tmpfs", options: "rw", superOptions: "rw" };
    const readings = await reader.read([root, nfs, tmp]);
    expect(synced).toEqual(["/", "/tmp"]);
    expect(awaited).toEqual(["/mnt/nfs"]);
    expect(readings.map((reading) => reading.sizeBytes)).toEqual([4096000, 4096000, 4096000]);
  });

  it("reports a local file system whose statfs fails as a device error", async () => {
    const reader = createFilesystemReader({
      statfsSync: () => {
        throw Object.assign(new Error("EIO: i/o error, statfs '/'"), { code: "EIO" });
      },
    });
    const [reading] = await reader.read([root]);
    expect(reading).toMatchObject({ mountpoint: "/", deviceError: true, sizeBytes: 0 });
  });

  it("multiplies blocks by bsize and takes readonly from the mount options", async () => {
    const reader = createFilesystemReader({ statfs: async () => stats });
    const [reading] = await reader.read([{ ...root, options: "ro,relatime" }]);
    expect(reading).toEqual({ device: "/dev/vda", fstype: "ext4", mountpoint: "/", sizeBytes: 4096000, freeBytes: 2457600, availBytes: 2048000, files: 100, filesFree: 40, readonly: true, deviceError: false });
  });

  it("stats the path under rootfsPrefix and keeps the bare mount point in the reading", async () => {
    const paths: string[] = [];
    const reader = createFilesystemReader({ rootfsPrefix: "/host", statfs: async (path) => (paths.push(path), stats) });
    const [reading] = await reader.read([{ ...root, mountpoint: "/data" }]);
    expect(paths).toEqual(["/host/data"]);
    expect(reading?.mountpoint).toBe("/data");
  });

  it("reports a failing statfs as a device error with zero sizes", async () => {
    const [reading] = await createFilesystemReader().read([{ ...root, mountpoint: "/does/not/exist" }]);
    expect(reading).toMatchObject({ mountpoint: "/does/not/exist", deviceError: true, sizeBytes: 0, availBytes: 0 });
  });

  it("marks a hung mount stuck, does not stat it again until its call returns, then reads it again", async () => {
    const fake = hangingStatfs();
    const reader = createFilesystemReader({ timeoutMs: 20, statfs: (path) => fake.statfs(path) });
    // Resolving at all is the promise: a hung statfs would hang this test until its timeout.
    const [first] = await reader.read([root]);
    expect(first?.deviceError).toBe(true);
    expect(reader.stuckMountpoints()).toEqual(["/"]);

    const [second] = await reader.read([root]);
    expect(second?.deviceError).toBe(true);
    expect(fake.calls).toBe(1);

    fake.release("/");
    await Bun.sleep(0);
    expect(reader.stuckMountpoints()).toEqual([]);
    const third = reader.read([root]);
    fake.release("/");
    expect((await third)[0]?.deviceError).toBe(false);
    expect(fake.calls).toBe(2);
  });

  it("does not let one hung mount delay the others", async () => {
    const fake = hangingStatfs();
    const reader = createFilesystemReader({ timeoutMs: 20, statfs: (path) => (path === "/nfs" ? fake.statfs(path) : Promise.resolve(stats)) });
    const readings = await reader.read([root, { ...root, mountpoint: "/nfs", fstype: "nfs4", device: "server:/export" }]);
    expect(readings.map((reading) => [reading.mountpoint, reading.deviceError])).toEqual([
      ["/", false],
      ["/nfs", true],
    ]);
    fake.release("/nfs");
  });

  it("rejects a non-positive timeout", () => {
    expect(() => createFilesystemReader({ timeoutMs: 0 })).toThrow(RangeError);
  });
});
