import { describe, expect, it } from "vitest";
import { readFixture } from "../../test/fixtures/proc/fixtures.ts";
import { ProcParseError } from "./host-errors.ts";
import { parseProcStat } from "./parse-proc-stat.ts";

describe("parseProcStat()", () => {
  it("reads per-CPU seconds by mode and the kernel counters of a real /proc/stat", async () => {
    const { cpus, stat } = parseProcStat(await readFixture("vm/stat"));
    expect(cpus.map((cpu) => cpu.cpu)).toEqual(["0", "1"]);
    const cpu0 = cpus[0]?.secondsByMode;
    // cpu0 4870 0 3285 696616 41 0 26 2138 0 0 (USER_HZ ticks)
    expect(cpu0?.user).toBeCloseTo(48.7);
    expect(cpu0?.system).toBeCloseTo(32.85);
    expect(cpu0?.idle).toBeCloseTo(6966.16);
    expect(cpu0?.iowait).toBeCloseTo(0.41);
    expect(cpu0?.softirq).toBeCloseTo(0.26);
    expect(cpu0?.steal).toBeCloseTo(21.38);
    expect(cpus[0]?.guestSeconds).toBe(0);
    expect(stat).toEqual({ contextSwitchesTotal: 838223, interruptsTotal: expect.any(Number), forksTotal: 4688, procsRunning: 1, procsBlocked: 0, bootTimeSeconds: 1795396789 });
    expect(stat.interruptsTotal).toBeGreaterThan(0);
  });

  it("ignores the aggregate `cpu ` line", async () => {
    const { cpus } = parseProcStat(await readFixture("vm/stat"));
    expect(cpus.some((cpu) => cpu.cpu === "")).toBe(false);
  });

  it("fills modes an old kernel does not print with 0 and keeps CPU numbers with gaps", async () => {
    const { cpus, stat } = parseProcStat(await readFixture("edge/stat-old-kernel"));
    expect(cpus.map((cpu) => cpu.cpu)).toEqual(["0", "2"]);
    expect(cpus[1]?.secondsByMode).toEqual({ user: 2, nice: 0.05, system: 1, idle: 25, iowait: 0.2, irq: 0, softirq: 0.01, steal: 0 });
    expect(cpus[1]?.guestNiceSeconds).toBe(0);
    expect(stat.interruptsTotal).toBe(9001);
  });

  it("reads guest and guest_nice", () => {
    const text = "cpu0 100 0 0 0 0 0 0 0 30 7\nintr 1\nctxt 1\nbtime 1\nprocesses 1\nprocs_running 1\nprocs_blocked 0\n";
    const [cpu] = parseProcStat(text).cpus;
    expect(cpu?.guestSeconds).toBeCloseTo(0.3);
    expect(cpu?.guestNiceSeconds).toBeCloseTo(0.07);
  });

  it.each([
    ["a non-numeric time", "edge/stat-garbage", /line 2: "x" is not a number/],
    ["a missing btime line", "edge/stat-no-btime", /missing the `btime` line/],
    ["text that is not /proc/stat", "edge/meminfo-garbage", /no per-CPU `cpuN` line/],
  ])("throws ProcParseError on %s", async (_, fixture, message) => {
    const text = await readFixture(fixture);
    expect(() => parseProcStat(text)).toThrow(ProcParseError);
    expect(() => parseProcStat(text)).toThrow(message);
  });
});
