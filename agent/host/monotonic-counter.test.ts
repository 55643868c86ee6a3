import { describe, expect, it } from "vitest";
import type { CpuReading } from "../sample.ts";
import { createCpuClamp, MonotonicCounters } from "./monotonic-counter.ts";

describe("MonotonicCounters", () => {
  it("keeps the old value of a field that goes backwards and takes increases", () => {
    const counters = new MonotonicCounters<"idle" | "user">({ resetField: "idle", resetJumpBack: 3 });
    expect(counters.clamp("0", { idle: 10, user: 5 })).toEqual({ idle: 10, user: 5 });
    expect(counters.clamp("0", { idle: 9.99, user: 5.1 })).toEqual({ idle: 10, user: 5.1 });
    expect(counters.clamp("0", { idle: 11, user: 5 })).toEqual({ idle: 11, user: 5.1 });
  });

  it("resets a key when the reset field jumps back by at least the threshold (CPU hotplug)", () => {
    const counters = new MonotonicCounters<"idle" | "user">({ resetField: "idle", resetJumpBack: 3 });
    counters.clamp("1", { idle: 100, user: 50 });
    // Back by 2.99: not a reset, clamped.
    expect(counters.clamp("1", { idle: 97.01, user: 1 })).toEqual({ idle: 100, user: 50 });
    // Back by exactly 3: node_exporter's `>= jumpBackSeconds`, so a reset.
    expect(counters.clamp("1", { idle: 97, user: 1 })).toEqual({ idle: 97, user: 1 });
    expect(counters.clamp("1", { idle: 98, user: 0.5 })).toEqual({ idle: 98, user: 1 });
  });

  it("keeps keys apart", () => {
    const counters = new MonotonicCounters<"a">();
    counters.clamp("x", { a: 5 });
    expect(counters.clamp("y", { a: 1 })).toEqual({ a: 1 });
    expect(counters.clamp("x", { a: 4 })).toEqual({ a: 5 });
  });

  it("forgets keys that are no longer present", () => {
    const counters = new MonotonicCounters<"a">();
    counters.clamp("x", { a: 5 });
    counters.clamp("y", { a: 5 });
    counters.retainOnly(new Set(["y"]));
    expect(counters.size).toBe(1);
    expect(counters.clamp("x", { a: 1 })).toEqual({ a: 1 });
  });

  it("does not let callers mutate its cache through the returned object", () => {
    const counters = new MonotonicCounters<"a">();
    const first = counters.clamp("x", { a: 5 });
    first.a = 0;
    expect(counters.clamp("x", { a: 4 })).toEqual({ a: 5 });
  });

  it("rejects a non-positive jump-back threshold", () => {
    expect(() => new MonotonicCounters({ resetJumpBack: 0 })).toThrow(RangeError);
  });
});

function cpuReading(cpu: string, idle: number, user: number, guest = 0): CpuReading {
  return { cpu, secondsByMode: { user, nice: 0, system: 1, idle, iowait: 0, irq: 0, softirq: 0, steal: 0 }, guestSeconds: guest, guestNiceSeconds: 0 };
}

describe("createCpuClamp()", () => {
  it("clamps CPU modes and guest times per CPU", () => {
    const clamp = createCpuClamp();
    clamp([cpuReading("0", 100, 10, 2), cpuReading("1", 100, 10)]);
    const [cpu0, cpu1] = clamp([cpuReading("0", 99.5, 9, 1), cpuReading("1", 101, 11)]);
    expect(cpu0?.secondsByMode.idle).toBe(100);
    expect(cpu0?.secondsByMode.user).toBe(10);
    expect(cpu0?.guestSeconds).toBe(2);
    expect(cpu1?.secondsByMode).toEqual(cpuReading("1", 101, 11).secondsByMode);
  });

  it("resets a hot-plugged CPU whose idle went back by 3 s or more", () => {
    const clamp = createCpuClamp();
    clamp([cpuReading("0", 100, 10), cpuReading("1", 100, 10)]);
    const [, cpu1] = clamp([cpuReading("0", 101, 10), cpuReading("1", 0.5, 0.1)]);
    expect(cpu1?.secondsByMode.idle).toBe(0.5);
    expect(cpu1?.secondsByMode.user).toBe(0.1);
  });

  it("starts a CPU that went offline and came back from its new values", () => {
    const clamp = createCpuClamp();
    clamp([cpuReading("0", 100, 10), cpuReading("1", 100, 10)]);
    clamp([cpuReading("0", 101, 10)]);
    const [, cpu1] = clamp([cpuReading("0", 102, 10), cpuReading("1", 98, 9)]);
    expect(cpu1?.secondsByMode.idle).toBe(98);
    expect(cpu1?.secondsByMode.user).toBe(9);
  });
});
