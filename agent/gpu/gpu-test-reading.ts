/**
 * A complete GpuReading for unit tests of the family builders (not shipped code paths).
 */
import type { GpuReading } from "../sample.ts";

/** An H100-like reading with distinct values; override fields with spread. */
export function gpuTestReading(index: number, overrides: Partial<GpuReading> = {}): GpuReading {
  return {
    index, uuid: `GPU-${index}`, name: "NVIDIA H100 80GB HBM3", pciBusId: `00000000:1${index}:00.0`, minorNumber: index,
    driverVersion: "580.95.05", nvmlVersion: "13.580.95.05", cudaDriverVersion: "13.0", up: true, simulated: true,
    memoryTotalBytes: 80 * 1024 ** 3, memoryUsedBytes: 60 * 1024 ** 3 + 512 * 1024, memoryFreeBytes: 19 * 1024 ** 3, memoryReservedBytes: 1024 ** 3,
    utilizationGpuRatio: 0.55, utilizationMemoryRatio: 0.29, encoderUtilizationRatio: 0, decoderUtilizationRatio: 0.07,
    temperatureCelsius: 61, powerWatts: 362.345, powerLimitWatts: 700, powerManagementLimitWatts: 700, energyMillijoulesTotal: 123_456_789,
    clockGraphicsMhz: 1755, clockSmMhz: 1755, clockMemoryMhz: 2619, clockVideoMhz: 1530,
    maxClockGraphicsMhz: 1980, maxClockSmMhz: 1980, maxClockMemoryMhz: 2619, maxClockVideoMhz: 1755,
    fanSpeedRatio: 0.33, performanceState: 0, clocksEventReasons: 0x24, pcieTxBytesPerSecond: 1024 * 1000, pcieRxBytesPerSecond: 2048 * 1000, pcieReplayTotal: 3,
    eccCorrectedVolatileTotal: 1, eccUncorrectedVolatileTotal: 0, eccCorrectedAggregateTotal: 11, eccUncorrectedAggregateTotal: 2,
    retiredPagesSingleBitTotal: 4, retiredPagesDoubleBitTotal: 5, retiredPagesPending: true,
    remappedRowsCorrectableTotal: 6, remappedRowsUncorrectableTotal: 7, remappedRowsPending: false, remappedRowsFailure: true,
    computeMode: 3, migModeCurrent: 0, migModePending: 1,
    processes: [{ pid: 4242, command: "python3", usedGpuMemoryBytes: 58 * 1024 ** 3 }, { pid: 4243, command: "", usedGpuMemoryBytes: null }],
    xidErrors: [{ xid: 13, count: 1 }, { xid: 79, count: 2 }], lastXid: 79,
    ...overrides,
  };
}
