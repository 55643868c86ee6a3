import { afterEach, describe, expect, it } from "vitest";
import { hostname, machine } from "node:os";
import { createFakeProcRoot, readFixture } from "../../test/fixtures/proc/fixtures.ts";
import { type Listener, startListener } from "../../test/fixtures/proc/listener.ts";
import { createHostSource, HOST_COLLECTORS, type WatchedProcess } from "./host-source.ts";
import type { StatfsResult } from "./read-filesystems.ts";

const fixedStatfs = async (): Promise<StatfsResult> => ({ bsize: 4096, blocks: 1000, bfree: 600, bavail: 500, files: 100, ffree: 40 });
const never = () => new AbortController().signal;

describe("createHostSource() on this machine's /proc", () => {
  const listeners: Listener[] = [];
  afterEach(async () => {
    await Promise.all(listeners.splice(0).map((listener) => listener.stop()));
  });

  it("fills every part of the reading without errors", async () => {
    const host = createHostSource({ watchedProcesses: () => [{ target: "self", pid: process.pid }] });
    const { reading, errors } = await host.read(never());
    expect(errors).toEqual([]);
    expect(reading.cpus.map((cpu) => cpu.cpu)).toHaveLength(navigator.hardwareConcurrency);
    expect(reading.stat.bootTimeSeconds).toBeGreaterThan(1_000_000_000);
    expect(reading.meminfo.find((entry) => entry.field === "MemTotal")?.value).toBeGreaterThan(0);
    expect(reading.load.load1).toBeGreaterThanOrEqual(0);
    expect(reading.filesystems.find((fs) => fs.mountpoint === "/")?.deviceError).toBe(false);
    expect(reading.networks.map((network) => network.device)).toContain("lo");
    if (await Bun.file("/proc/pressure/cpu").exists()) expect(reading.pressure).not.toBeNull();
    expect(reading.uname).toMatchObject({ sysname: "Linux", machine: machine(), nodename: hostname() });
    expect(reading.processes).toHaveLength(1);
    expect(reading.processes[0]).toMatchObject({ pid: process.pid, target: "self" });
  });

  it("finds a watched process by its listening port", async () => {
    const listener = await startListener();
    listeners.push(listener);
    const host = createHostSource({ watchedProcesses: () => [{ target: "http://127.0.0.1", port: listener.port }] });
    const { reading, errors } = await host.read(never());
    expect(errors).toEqual([]);
    expect(reading.processes.map((p) => [p.pid, p.target])).toEqual([[listener.pid, "http://127.0.0.1"]]);
  });

  it("reports nothing, and no error, for a watched port nobody listens on", async () => {
    const { reading, errors } = await createHostSource({ watchedProcesses: () => [{ target: "http://127.0.0.1:1", port: 1 }] }).read(never());
    expect(errors).toEqual([]);
    expect(reading.processes).toEqual([]);
  });
});

describe("createHostSource() on a fake procRoot", () => {
  const watched: WatchedProcess[] = [{ target: "http://127.0.0.1:8000", port: 8000 }];

  async function vmRoot() {
    const proc = await createFakeProcRoot();
    await proc.write("net/tcp", await readFixture("edge/net-tcp-listen"));
    await proc.addFd(4242, 7, "socket:[777777]");
    return proc;
  }

  it("reads the fixture machine", async () => {
    await using proc = await vmRoot();
    const host = createHostSource({ procRoot: proc.root, statfs: fixedStatfs, pageSizeBytes: 4096, watchedProcesses: () => watched });
    const { reading, errors } = await host.read(never());
    expect(errors).toEqual([]);
    expect(reading.cpus.map((cpu) => cpu.cpu)).toEqual(["0", "1"]);
    expect(reading.stat.contextSwitchesTotal).toBe(838223);
    expect(reading.load).toEqual({ load1: 1.05, load5: 0.39, load15: 0.14 });
    expect(reading.filesystems.map((fs) => fs.mountpoint)).toEqual(["/", "/mnt/sandboxing/model_tools_env/v1/python"]);
    expect(reading.filesystems.map((fs) => fs.readonly)).toEqual([false, true]);
    expect(reading.networks).toHaveLength(4);
    expect(reading.pressure?.ioStalledSecondsTotal).toBeCloseTo(2.610693, 9);
    expect(reading.uname).toEqual({ sysname: "Linux", release: "6.18.44-fc-v657", version: "#1 SMP PREEMPT_DYNAMIC @0", machine: machine(), nodename: "vm" });
    expect(reading.processes).toEqual([expect.objectContaining({ pid: 4242, target: "http://127.0.0.1:8000", command: "bun", openFds: 1 })]);
  });

  it("gives pressure null, and no error, when /proc/pressure is absent", async () => {
    await using proc = await vmRoot();
    await proc.remove("pressure");
    const { reading, errors } = await createHostSource({ procRoot: proc.root, statfs: fixedStatfs, watchedProcesses: () => [] }).read(never());
    expect(errors).toEqual([]);
    expect(reading.pressure).toBeNull();
  });

  it("turns a garbage /proc/meminfo into a meminfo error entry and fills the rest", async () => {
    await using proc = await vmRoot();
    await proc.write("meminfo", await readFixture("edge/meminfo-garbage"));
    const { reading, errors } = await createHostSource({ procRoot: proc.root, statfs: fixedStatfs, pageSizeBytes: 4096, watchedProcesses: () => watched }).read(never());
    expect(errors).toEqual([{ target: "meminfo", code: "parse", message: expect.stringContaining("Cannot parse /proc/meminfo") }]);
    expect(reading.meminfo).toEqual([]);
    expect(reading.cpus).toHaveLength(2);
    expect(reading.filesystems).toHaveLength(2);
    expect(reading.networks).toHaveLength(4);
    expect(reading.pressure).not.toBeNull();
    expect(reading.processes).toHaveLength(1);
  });

  it("reports an unreadable /proc/stat as a stat error with zeros, and processes as failing for want of btime", async () => {
    await using proc = await vmRoot();
    await proc.remove("stat");
    const { reading, errors } = await createHostSource({ procRoot: proc.root, statfs: fixedStatfs, pageSizeBytes: 4096, watchedProcesses: () => watched }).read(never());
    expect(errors.map((error) => [error.target, error.code])).toEqual([
      ["stat", "read"],
      ["processes", "internal"],
    ]);
    expect(reading.cpus).toEqual([]);
    expect(reading.stat.contextSwitchesTotal).toBe(0);
    expect(reading.meminfo.length).toBeGreaterThan(10);
  });

  it("reports a watched process it cannot parse as a processes entry and still reads the others", async () => {
    await using proc = await vmRoot();
    await proc.write("5151/stat", "garbage");
    await proc.write("5151/comm", "python3\n");
    await proc.addFd(5151, 0, "/dev/null");
    const both: WatchedProcess[] = [...watched, { target: "http://127.0.0.1:9000", pid: 5151 }];
    const { reading, errors } = await createHostSource({ procRoot: proc.root, statfs: fixedStatfs, pageSizeBytes: 4096, watchedProcesses: () => both }).read(never());
    expect(errors).toEqual([{ target: "processes", code: "parse", message: expect.stringContaining("(target http://127.0.0.1:9000)") }]);
    expect(reading.processes.map((p) => p.pid)).toEqual([4242]);
  });

  it("falls back to self/mountinfo when 1/mountinfo is hidden (hidepid)", async () => {
    await using proc = await vmRoot();
    await proc.write("self/mountinfo", await readFixture("edge/mountinfo-edge"));
    await proc.remove("1");
    const { reading, errors } = await createHostSource({ procRoot: proc.root, statfs: fixedStatfs, watchedProcesses: () => [] }).read(never());
    expect(errors).toEqual([]);
    expect(reading.filesystems.map((fs) => fs.mountpoint)).toContain("/mnt/my disk");
  });

  it("keeps CPU seconds from going backwards between reads", async () => {
    await using proc = await vmRoot();
    const host = createHostSource({ procRoot: proc.root, statfs: fixedStatfs, watchedProcesses: () => [] });
    const first = await host.read(never());
    const stat = await readFixture("vm/stat");
    // cpu0 user 4870 -> 4860 ticks: a 0.1 s step back.
    await proc.write("stat", stat.replace(/^cpu0 4870 /m, "cpu0 4860 "));
    const second = await host.read(never());
    expect(second.reading.cpus[0]?.secondsByMode.user).toBe(first.reading.cpus[0]?.secondsByMode.user);
  });

  it("sees a mount added between reads, and a /proc file rewritten after close()", async () => {
    await using proc = await vmRoot();
    using host = createHostSource({ procRoot: proc.root, statfs: fixedStatfs, watchedProcesses: () => [] });
    const first = await host.read(never());
    await proc.write("1/mountinfo", `${await readFixture("vm/1/mountinfo")}99 1 0:99 / /data rw,relatime - ext4 /dev/vdb rw\n`);
    const second = await host.read(never());
    expect(second.reading.filesystems.map((fs) => fs.mountpoint)).toEqual([...first.reading.filesystems.map((fs) => fs.mountpoint), "/data"]);
    host.close();
    await proc.write("loadavg", "9.00 8.00 7.00 1/100 4242\n");
    expect((await host.read(never())).reading.load).toEqual({ load1: 9, load5: 8, load15: 7 });
  });

  it("reads a watched process again each sample, and reports nothing once it is gone", async () => {
    await using proc = await vmRoot();
    using host = createHostSource({ procRoot: proc.root, statfs: fixedStatfs, pageSizeBytes: 4096, watchedProcesses: () => [{ target: "x", pid: 4242 }] });
    const first = await host.read(never());
    const stat = await readFixture("vm/4242/stat");
    await proc.write("4242/comm", "vllm\n");
    await proc.write("4242/stat", stat.replace("(bun)", "(vllm)"));
    const second = await host.read(never());
    await proc.remove("4242");
    const third = await host.read(never());
    expect([first.reading.processes[0]?.command, second.reading.processes[0]?.command]).toEqual(["bun", "vllm"]);
    expect(third.reading.processes).toEqual([]);
    expect(third.errors).toEqual([]);
  });

  it("answers an aborted sample with an aborted entry per collector", async () => {
    await using proc = await vmRoot();
    const { reading, errors } = await createHostSource({ procRoot: proc.root, statfs: fixedStatfs, watchedProcesses: () => watched }).read(AbortSignal.abort());
    expect(errors.map((error) => error.target).sort()).toEqual([...HOST_COLLECTORS].sort());
    expect(errors.every((error) => error.code === "aborted")).toBe(true);
    expect(reading.cpus).toEqual([]);
  });

  it("keeps the sample within the deadline when a mount hangs past it", async () => {
    await using proc = await vmRoot();
    const host = createHostSource({ procRoot: proc.root, statfs: () => new Promise(() => {}), statfsTimeoutMs: 5000, watchedProcesses: () => [] });
    // Resolving at all is the promise: the hung statfs never settles.
    const { reading, errors } = await host.read(AbortSignal.timeout(50));
    expect(errors.map((error) => [error.target, error.code])).toEqual([["filesystem", "aborted"]]);
    expect(reading.cpus).toHaveLength(2);
  });
});
