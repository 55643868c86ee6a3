import { describe, expect, it } from "vitest";
import { createFakeProcRoot } from "../../test/fixtures/proc/fixtures.ts";
import { readProcess } from "./read-process.ts";

describe("readProcess()", () => {
  it("reads this test process from the real /proc", async () => {
    const bootTimeSeconds = Number(/^btime (\d+)$/m.exec(await Bun.file("/proc/stat").text())?.[1]);
    const reading = await readProcess(process.pid, { target: "self", bootTimeSeconds });
    expect(reading).not.toBeNull();
    expect(reading?.pid).toBe(process.pid);
    expect(reading?.target).toBe("self");
    expect(reading?.command).toMatch(/\S/);
    expect(reading?.command).not.toContain("\n");
    expect(reading?.threads).toBeGreaterThanOrEqual(1);
    expect(reading?.openFds).toBeGreaterThan(2);
    expect(reading?.residentMemoryBytes).toBeGreaterThan(1024 * 1024);
    expect(reading?.virtualMemoryBytes).toBeGreaterThan(reading?.residentMemoryBytes ?? 0);
    expect(reading?.cpuSecondsTotal).toBeGreaterThan(0);
    // Started after boot and not in the future.
    expect(reading?.startTimeSeconds).toBeGreaterThan(bootTimeSeconds);
    expect(reading?.startTimeSeconds).toBeLessThanOrEqual(Date.now() / 1000 + 1);
  });

  it("reads a fixture process: comm, fd count, rss in pages", async () => {
    await using proc = await createFakeProcRoot();
    await proc.addFd(4242, 0, "/dev/null");
    await proc.addFd(4242, 1, "pipe:[1]");
    await proc.addFd(4242, 7, "socket:[777777]");
    const reading = await readProcess(4242, { procRoot: proc.root, target: "http://127.0.0.1:8000", bootTimeSeconds: 1_795_396_789, pageSizeBytes: 4096 });
    expect(reading).toEqual({
      pid: 4242,
      target: "http://127.0.0.1:8000",
      command: "bun",
      cpuSecondsTotal: 0.01,
      residentMemoryBytes: 3841 * 4096,
      virtualMemoryBytes: 6712725504,
      openFds: 3,
      threads: 4,
      startTimeSeconds: expect.closeTo(1_795_396_789 + 7073.67, 6),
    });
  });

  it("returns null for a process that does not exist", async () => {
    // PIDs are capped by /proc/sys/kernel/pid_max (at most 2^22): this one cannot exist.
    expect(await readProcess(2 ** 22 + 7, { target: "", bootTimeSeconds: 0 })).toBeNull();
  });

  it("returns null for a process that vanished between its stat and its fd folder", async () => {
    await using proc = await createFakeProcRoot();
    // 4242 has stat and comm in the fixture but no fd folder: as if it exited mid-read.
    expect(await readProcess(4242, { procRoot: proc.root, target: "", bootTimeSeconds: 0 })).toBeNull();
  });
});
