import { describe, expect, it } from "vitest";
import { emulateGpu } from "./gpu-emulation.ts";

const START = { lastBusyMs: 0, lastNowMs: 0, energyMillijoules: 0, temperatureCelsius: 32 };

describe("emulateGpu()", () => {
  it("is idle with an idle engine and moves with batch occupancy and KV use", () => {
    const idle = emulateGpu({ busyMsTotal: 0, nowMs: 1000, running: 0, maxNumSeqs: 256, kvCacheUsage: 0 }, START, 42);
    const busy = emulateGpu({ busyMsTotal: 900, nowMs: 1000, running: 200, maxNumSeqs: 256, kvCacheUsage: 0.8 }, START, 42);
    const [idleGpu, busyGpu] = [idle.state.devices[0], busy.state.devices[0]];
    expect(idle.state.simulated).toBe(true);
    expect(idleGpu?.name).toContain("(simulated)");
    expect(idleGpu?.utilizationGpuPercent).toBe(0);
    expect(busyGpu?.utilizationGpuPercent).toBe(90);
    expect(busyGpu?.memoryUsedBytes ?? 0).toBeGreaterThan(idleGpu?.memoryUsedBytes ?? 0);
    expect(busyGpu?.powerUsageMilliwatts ?? 0).toBeGreaterThan(idleGpu?.powerUsageMilliwatts ?? 0);
    expect(busyGpu?.powerUsageMilliwatts ?? 0).toBeLessThanOrEqual(busyGpu?.enforcedPowerLimitMilliwatts ?? 0);
    expect(busyGpu?.processes).toEqual([{ pid: 42, usedGpuMemoryBytes: busyGpu?.memoryUsedBytes }]);
    // Energy integrates power: 1 s at P mW is P mJ.
    expect(busy.next.energyMillijoules).toBeCloseTo(busyGpu?.powerUsageMilliwatts ?? 0, 0);
  });
});
