/**
 * Realistic starting states for the fake NVML: H100 80GB HBM3 boards with
 * distinct values per index, so a test can tell GPUs apart on /metrics.
 * Override what a test cares about with spread: `{ ...makeFakeGpu(0), temperatureCelsius: 91 }`.
 */
import type { FakeGpu, FakeNvmlState } from "./state-file.ts";

const MIB = 1024 * 1024;

/** One fake H100 SXM; values depend on `index` so every device differs. */
export function makeFakeGpu(index: number): FakeGpu {
  const hex = index.toString(16).padStart(2, "0");
  const bus = [0x18, 0x2a, 0x3a, 0x5d, 0x9a, 0xab, 0xba, 0xdb][index % 8]! + Math.floor(index / 8);
  const memoryTotalBytes = 81_559 * MIB;
  const memoryReservedBytes = 529 * MIB;
  const memoryUsedBytes = (60_000 + index * 1_000) * MIB;
  return {
    name: "NVIDIA H100 80GB HBM3",
    uuid: `GPU-${hex}3b1f2a-7c4d-4e5f-8a9b-0c1d2e3f40${hex}`,
    pciBusId: `00000000:${bus.toString(16).toUpperCase().padStart(2, "0")}:00.0`,
    pciDeviceId: 0x233010de,
    pciSubSystemId: 0x16c110de,
    minorNumber: index,
    memoryTotalBytes,
    memoryUsedBytes,
    memoryReservedBytes,
    memoryFreeBytes: memoryTotalBytes - memoryReservedBytes - memoryUsedBytes,
    utilizationGpuPercent: 50 + index * 5,
    utilizationMemoryPercent: 30 + index * 3,
    encoderUtilizationPercent: 0,
    decoderUtilizationPercent: 0,
    temperatureCelsius: 40 + index,
    powerUsageMilliwatts: 350_000 + index * 12_345,
    enforcedPowerLimitMilliwatts: 700_000,
    powerManagementLimitMilliwatts: 700_000,
    totalEnergyMillijoules: 123_456_789_000 + index * 1_000_001,
    clocksMhz: { graphics: 1_755 + index, sm: 1_755 + index, memory: 2_619, video: 1_530 },
    maxClocksMhz: { graphics: 1_980, sm: 1_980, memory: 2_619, video: 1_755 },
    fanSpeedPercent: 30 + index,
    performanceState: 0,
    clocksEventReasons: index === 3 ? 0x4 : 0,
    pcieTxKilobytesPerSecond: 1_000 + index,
    pcieRxKilobytesPerSecond: 2_000 + index,
    pcieReplayCounter: index,
    eccCorrectedVolatile: index,
    eccUncorrectedVolatile: 0,
    eccCorrectedAggregate: 10 + index,
    eccUncorrectedAggregate: 0,
    retiredPagesSingleBit: 0,
    retiredPagesDoubleBit: 0,
    retiredPagesPending: false,
    remappedRowsCorrectable: index,
    remappedRowsUncorrectable: 0,
    remappedRowsPending: false,
    remappedRowsFailure: false,
    computeMode: 0,
    migModeCurrent: 0,
    migModePending: 0,
    processes: [],
    xidEvents: [],
    errors: {},
  };
}

/** A driver with `count` fake H100s (R580, CUDA 13.0). */
export function makeFakeNvmlState(count: number): FakeNvmlState {
  return {
    simulated: true,
    driverVersion: "580.95.05",
    nvmlVersion: "13.580.95.05",
    cudaDriverVersion: 13000,
    errors: {},
    devices: Array.from({ length: count }, (_, i) => makeFakeGpu(i)),
  };
}
