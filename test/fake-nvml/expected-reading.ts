/**
 * What the agent must read from a fake GPU: the GpuReading fields derived from a
 * FakeGpu by NVML's units (mW -> W, percent -> ratio, v2 memory semantics). Tests
 * compare the binding's readings, and /metrics, against this.
 */
import type { GpuReading } from "../../agent/sample.ts";
import type { FakeGpu, FakeNvmlState } from "./state-file.ts";

/** The device values of a GpuReading (everything but processes, XIDs and PCIe, which come from elsewhere). */
export type ExpectedGpuValues = Omit<GpuReading, "processes" | "xidErrors" | "lastXid" | "pcieTxBytesPerSecond" | "pcieRxBytesPerSecond">;

/** The reading a correct binding produces for `state.devices[index]` (driver with memory _v2). */
export function expectedReading(state: FakeNvmlState, index: number): ExpectedGpuValues {
  const g = state.devices[index] as FakeGpu;
  const cuda = state.cudaDriverVersion;
  return {
    index,
    uuid: g.uuid,
    name: g.name,
    pciBusId: g.pciBusId,
    minorNumber: g.minorNumber,
    driverVersion: state.driverVersion,
    nvmlVersion: state.nvmlVersion,
    cudaDriverVersion: `${Math.floor(cuda / 1000)}.${Math.floor((cuda % 1000) / 10)}`,
    up: true,
    simulated: true,
    memoryTotalBytes: g.memoryTotalBytes,
    memoryUsedBytes: g.memoryUsedBytes,
    memoryFreeBytes: g.memoryFreeBytes,
    memoryReservedBytes: g.memoryReservedBytes,
    utilizationGpuRatio: g.utilizationGpuPercent / 100,
    utilizationMemoryRatio: g.utilizationMemoryPercent / 100,
    encoderUtilizationRatio: g.encoderUtilizationPercent / 100,
    decoderUtilizationRatio: g.decoderUtilizationPercent / 100,
    temperatureCelsius: g.temperatureCelsius,
    powerWatts: g.powerUsageMilliwatts / 1000,
    powerLimitWatts: g.enforcedPowerLimitMilliwatts / 1000,
    powerManagementLimitWatts: g.powerManagementLimitMilliwatts / 1000,
    energyMillijoulesTotal: g.totalEnergyMillijoules,
    clockGraphicsMhz: g.clocksMhz.graphics,
    clockSmMhz: g.clocksMhz.sm,
    clockMemoryMhz: g.clocksMhz.memory,
    clockVideoMhz: g.clocksMhz.video,
    maxClockGraphicsMhz: g.maxClocksMhz.graphics,
    maxClockSmMhz: g.maxClocksMhz.sm,
    maxClockMemoryMhz: g.maxClocksMhz.memory,
    maxClockVideoMhz: g.maxClocksMhz.video,
    fanSpeedRatio: g.fanSpeedPercent / 100,
    performanceState: g.performanceState,
    clocksEventReasons: g.clocksEventReasons,
    pcieReplayTotal: g.pcieReplayCounter,
    eccCorrectedVolatileTotal: g.eccCorrectedVolatile,
    eccUncorrectedVolatileTotal: g.eccUncorrectedVolatile,
    eccCorrectedAggregateTotal: g.eccCorrectedAggregate,
    eccUncorrectedAggregateTotal: g.eccUncorrectedAggregate,
    retiredPagesSingleBitTotal: g.retiredPagesSingleBit,
    retiredPagesDoubleBitTotal: g.retiredPagesDoubleBit,
    retiredPagesPending: g.retiredPagesPending,
    remappedRowsCorrectableTotal: g.remappedRowsCorrectable,
    remappedRowsUncorrectableTotal: g.remappedRowsUncorrectable,
    remappedRowsPending: g.remappedRowsPending,
    remappedRowsFailure: g.remappedRowsFailure,
    computeMode: g.computeMode,
    migModeCurrent: g.migModeCurrent,
    migModePending: g.migModePending,
  };
}
