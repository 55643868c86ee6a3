import { describe, expect, it } from "vitest";
import type { HostReading, Sample } from "../sample.ts";
import { Timeline } from "./timeline.ts";

const HOST: HostReading = {
  cpus: [
    { cpu: "0", secondsByMode: { user: 1, nice: 0, system: 2, idle: 10, iowait: 0, irq: 0, softirq: 0, steal: 0 }, guestSeconds: 0, guestNiceSeconds: 0 },
    { cpu: "1", secondsByMode: { user: 3, nice: 0, system: 4, idle: 20, iowait: 1, irq: 0, softirq: 0, steal: 0 }, guestSeconds: 0, guestNiceSeconds: 0 },
  ],
  stat: { contextSwitchesTotal: 0, interruptsTotal: 0, forksTotal: 0, procsRunning: 1, procsBlocked: 0, bootTimeSeconds: 0 },
  meminfo: [
    { field: "MemTotal", value: 1000, unit: "bytes" },
    { field: "MemAvailable", value: 600, unit: "bytes" },
  ],
  load: { load1: 0.5, load5: 0.4, load15: 0.3 },
  filesystems: [],
  networks: [
    { device: "lo", receiveBytesTotal: 999, receivePacketsTotal: 0, receiveErrsTotal: 0, receiveDropTotal: 0, transmitBytesTotal: 999, transmitPacketsTotal: 0, transmitErrsTotal: 0, transmitDropTotal: 0 },
    { device: "eth0", receiveBytesTotal: 10, receivePacketsTotal: 0, receiveErrsTotal: 0, receiveDropTotal: 0, transmitBytesTotal: 20, transmitPacketsTotal: 0, transmitErrsTotal: 0, transmitDropTotal: 0 },
  ],
  pressure: null,
  uname: { sysname: "Linux", release: "6", version: "#1", machine: "x86_64", nodename: "h" },
  processes: [],
};

function sample(timeMs: number): Sample {
  return { timeMs, durationMs: 1, gpus: [], host: HOST, vllm: [], sources: [], errors: [] };
}

describe("Timeline", () => {
  it("keeps at most its capacity, oldest dropped first", () => {
    const timeline = new Timeline({ retentionMs: 1e9, capacity: 3 });
    for (let t = 1; t <= 5; t++) timeline.append(sample(t * 1000));
    expect(timeline.size).toBe(3);
    expect(timeline.query({ nowMs: 6000 }).map((p) => p.timeMs)).toEqual([3000, 4000, 5000]);
  });

  it("answers a since/until window, inclusive", () => {
    const timeline = new Timeline({ retentionMs: 1e9, capacity: 10 });
    for (let t = 1; t <= 5; t++) timeline.append(sample(t * 1000));
    expect(timeline.query({ sinceMs: 2000, untilMs: 4000, nowMs: 6000 }).map((p) => p.timeMs)).toEqual([2000, 3000, 4000]);
  });

  it("hides points older than the retention", () => {
    const timeline = new Timeline({ retentionMs: 2500, capacity: 10 });
    for (let t = 1; t <= 5; t++) timeline.append(sample(t * 1000));
    expect(timeline.query({ nowMs: 5000 }).map((p) => p.timeMs)).toEqual([3000, 4000, 5000]);
  });

  it("sums CPU modes over CPUs and network over devices other than lo", () => {
    const timeline = new Timeline({ retentionMs: 1e9, capacity: 1 });
    const point = timeline.append(sample(1));
    expect(point.host).toMatchObject({
      cpuCount: 2,
      cpuSecondsByMode: { user: 4, system: 6, idle: 30, iowait: 1 },
      memoryTotalBytes: 1000,
      memoryAvailableBytes: 600,
      networkReceiveBytesTotal: 10,
      networkTransmitBytesTotal: 20,
    });
  });

  it("rejects a capacity below 1 at construction", () => {
    expect(() => new Timeline({ retentionMs: 1, capacity: 0 })).toThrow(RangeError);
  });
});
