import { afterEach, describe, expect, it } from "vitest";
import { createFakeProcRoot, readFixture } from "../../test/fixtures/proc/fixtures.ts";
import { startListener } from "../../test/fixtures/proc/listener.ts";
import { createListeningProcessFinder } from "./find-listening-process.ts";

describe("createListeningProcessFinder() on this machine's /proc", () => {
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(stops.splice(0).map((stop) => stop()));
  });

  it("finds the PID of a child listening on 127.0.0.1, answers again from its cache, and null once it exits", async () => {
    const listener = await startListener();
    stops.push(listener.stop);
    const finder = createListeningProcessFinder();

    expect(await finder.find(listener.port)).toBe(listener.pid);
    expect([finder.lookupCount, finder.scanCount]).toEqual([1, 1]);
    // Cached: one readlink, neither /proc/net/tcp nor a scan.
    expect(await finder.find(listener.port)).toBe(listener.pid);
    expect([finder.lookupCount, finder.scanCount]).toEqual([1, 1]);

    await stops.pop()?.();
    expect(await finder.find(listener.port)).toBeNull();
    expect([finder.lookupCount, finder.scanCount]).toEqual([2, 1]);
  });

  it("answers null without scanning when nothing listens on the port, and does not look again at once", async () => {
    const finder = createListeningProcessFinder();
    // Port 1 (tcpmux) is not served on this VM.
    expect(await finder.find(1)).toBeNull();
    expect(await finder.find(1)).toBeNull();
    expect([finder.lookupCount, finder.scanCount]).toEqual([1, 0]);
  });

  it("rejects a port outside 1..65535", async () => {
    await expect(createListeningProcessFinder().find(70000)).rejects.toThrow(RangeError);
  });
});

describe("createListeningProcessFinder() on a fake procRoot", () => {
  it("matches socket:[inode] fd links, then limits rescans for an owner it cannot see to one per interval", async () => {
    await using proc = await createFakeProcRoot();
    await proc.write("net/tcp", await readFixture("edge/net-tcp-listen"));
    await proc.addFd(4242, 0, "/dev/null");
    await proc.addFd(4242, 7, "socket:[777777]");
    let nowMs = 0;
    const finder = createListeningProcessFinder({ procRoot: proc.root, rescanIntervalMs: 30_000, now: () => nowMs });

    expect(await finder.find(8000)).toBe(4242);
    // 8001 listens (inode 777778) but no visible process holds it.
    expect(await finder.find(8001)).toBeNull();
    expect(finder.scanCount).toBe(2);
    nowMs = 29_999;
    expect(await finder.find(8001)).toBeNull();
    expect(finder.scanCount).toBe(2);
    nowMs = 30_000;
    expect(await finder.find(8001)).toBeNull();
    expect(finder.scanCount).toBe(3);
  });

  it("reads /proc/net/tcp again only every listenRecheckIntervalMs while nothing listens", async () => {
    await using proc = await createFakeProcRoot();
    let nowMs = 0;
    const finder = createListeningProcessFinder({ procRoot: proc.root, listenRecheckIntervalMs: 10_000, now: () => nowMs });
    expect(await finder.find(8000)).toBeNull();
    nowMs = 9_999;
    expect(await finder.find(8000)).toBeNull();
    expect(finder.lookupCount).toBe(1);

    // The server comes up: found at the next recheck.
    await proc.write("net/tcp", await readFixture("edge/net-tcp-listen"));
    await proc.addFd(4242, 7, "socket:[777777]");
    expect(await finder.find(8000)).toBeNull();
    nowMs = 10_000;
    expect(await finder.find(8000)).toBe(4242);
    expect([finder.lookupCount, finder.scanCount]).toEqual([2, 1]);
  });

  it("looks up again at once when the cached process is gone (the server restarted)", async () => {
    await using proc = await createFakeProcRoot();
    await proc.write("net/tcp", await readFixture("edge/net-tcp-listen"));
    await proc.addFd(4242, 7, "socket:[777777]");
    const finder = createListeningProcessFinder({ procRoot: proc.root, now: () => 0 });
    expect(await finder.find(8000)).toBe(4242);

    // The old process is gone; a new one, PID 5151, listens with a new inode.
    await proc.remove("4242/fd");
    await proc.write("net/tcp", (await readFixture("edge/net-tcp-listen")).replace("777777", "777999"));
    await proc.addFd(5151, 3, "socket:[777999]");
    expect(await finder.find(8000)).toBe(5151);
    expect(finder.scanCount).toBe(2);
  });

  it("finds IPv6 listeners from tcp6 and works without a tcp6 file", async () => {
    await using proc = await createFakeProcRoot();
    await proc.write("net/tcp6", await readFixture("edge/net-tcp6-listen"));
    await proc.addFd(4242, 9, "socket:[999999]");
    expect(await createListeningProcessFinder({ procRoot: proc.root }).find(8000)).toBe(4242);

    await proc.remove("net/tcp6");
    await proc.write("net/tcp", await readFixture("edge/net-tcp-listen"));
    await proc.addFd(4242, 10, "socket:[777777]");
    expect(await createListeningProcessFinder({ procRoot: proc.root }).find(8000)).toBe(4242);
  });
});
