/**
 * GPU emulation for the demo: every `intervalMs`, writes the fake-NVML state file
 * (test/fake-nvml/state-file.ts, read by the fake libnvidia-ml.so.1) from the
 * simulated engine, so an agent loaded with the fake shows GPU telemetry that moves
 * with the load. Model of one H100 80GB: utilization = share of the interval the engine
 * spent in steps (NVML's definition: time a kernel was running); memory = weights + KV
 * cache blocks in use; power between idle and the limit with utilization and batch
 * occupancy; energy integrates power; temperature follows power. The device name says
 * "(simulated)" and the file carries `simulated=1`.
 */
import { writeFakeNvmlState } from "../../test/fake-nvml/state-file.ts";
import { makeFakeGpu } from "../../test/fake-nvml/make-fake-nvml-state.ts";
import type { FakeNvmlState } from "../../test/fake-nvml/state-file.ts";

const GIB = 1024 ** 3;
const MEMORY_TOTAL_BYTES = 81_559 * 1024 * 1024;
const WEIGHTS_BYTES = 15 * GIB; // Llama-3.1-8B in bf16
const KV_CACHE_BYTES = 0.9 * MEMORY_TOTAL_BYTES - WEIGHTS_BYTES; // gpu_memory_utilization 0.9
const IDLE_POWER_MW = 70_000;
const POWER_LIMIT_MW = 700_000;

/** What the emulation reads from the simulator. */
export interface GpuActivitySource {
  /** Total modelled time the engine spent in steps, ms. */
  readonly busyMsTotal: number;
  readonly nowMs: number;
  readonly running: number;
  readonly maxNumSeqs: number;
  readonly kvCacheUsage: number;
}

export interface GpuEmulatorState {
  readonly lastBusyMs: number;
  readonly lastNowMs: number;
  readonly energyMillijoules: number;
  readonly temperatureCelsius: number;
}

/** Pure: the next fake-NVML state from the engine's activity since the previous one. */
export function emulateGpu(activity: GpuActivitySource, previous: GpuEmulatorState, pid: number): { state: FakeNvmlState; next: GpuEmulatorState } {
  const elapsedMs = Math.max(1, activity.nowMs - previous.lastNowMs);
  const busyFraction = Math.min(1, Math.max(0, (activity.busyMsTotal - previous.lastBusyMs) / elapsedMs));
  const occupancy = Math.min(1, activity.running / activity.maxNumSeqs);
  const powerMw = Math.round(IDLE_POWER_MW + (POWER_LIMIT_MW - IDLE_POWER_MW) * busyFraction * (0.55 + 0.45 * occupancy));
  const energyMillijoules = previous.energyMillijoules + (powerMw * elapsedMs) / 1000;
  const targetTemperature = 32 + 45 * (powerMw / POWER_LIMIT_MW);
  const temperatureCelsius = previous.temperatureCelsius + (targetTemperature - previous.temperatureCelsius) * Math.min(1, elapsedMs / 10_000);
  const memoryUsedBytes = Math.round(WEIGHTS_BYTES + KV_CACHE_BYTES * activity.kvCacheUsage + 0.5 * GIB);
  const reserved = 529 * 1024 * 1024;
  const base = makeFakeGpu(0);
  const busy = busyFraction > 0;
  const gpu = {
    ...base,
    name: "NVIDIA H100 80GB HBM3 (simulated)",
    memoryUsedBytes,
    memoryReservedBytes: reserved,
    memoryFreeBytes: Math.max(0, MEMORY_TOTAL_BYTES - reserved - memoryUsedBytes),
    utilizationGpuPercent: Math.round(100 * busyFraction),
    utilizationMemoryPercent: Math.round(100 * busyFraction * (0.3 + 0.6 * occupancy)),
    temperatureCelsius: Math.round(temperatureCelsius),
    powerUsageMilliwatts: powerMw,
    enforcedPowerLimitMilliwatts: POWER_LIMIT_MW,
    powerManagementLimitMilliwatts: POWER_LIMIT_MW,
    totalEnergyMillijoules: Math.round(energyMillijoules),
    clocksMhz: { ...base.clocksMhz, graphics: busy ? 1_980 : 345, sm: busy ? 1_980 : 345 },
    clocksEventReasons: busy ? 0 : 0x1,
    fanSpeedPercent: 0,
    processes: [{ pid, usedGpuMemoryBytes: memoryUsedBytes }],
  };
  return {
    state: { simulated: true, driverVersion: "580.95.05", nvmlVersion: "13.580.95.05", cudaDriverVersion: 13000, errors: {}, devices: [gpu] },
    next: { lastBusyMs: activity.busyMsTotal, lastNowMs: activity.nowMs, energyMillijoules, temperatureCelsius },
  };
}

/** Starts writing `path` every intervalMs from the simulator's activity; stop() ends it. */
export async function startGpuEmulation(
  sim: { gpuActivity(): GpuActivitySource },
  path: string,
  log: { warn(msg: string, fields?: Record<string, string | number>): void },
  intervalMs = 500,
): Promise<{ stop(): void }> {
  let previous: GpuEmulatorState = { lastBusyMs: sim.gpuActivity().busyMsTotal, lastNowMs: sim.gpuActivity().nowMs - intervalMs, energyMillijoules: 0, temperatureCelsius: 32 };
  let warned = false;
  const write = () => {
    const { state, next } = emulateGpu(sim.gpuActivity(), previous, process.pid);
    previous = next;
    try {
      writeFakeNvmlState(path, state);
    } catch (error) {
      // One line, not one per tick: the simulator keeps serving without GPU emulation.
      if (!warned) log.warn("Cannot write the fake NVML state file", { path, error: (error as Error).message });
      warned = true;
    }
  };
  write();
  const timer = setInterval(write, intervalMs);
  return { stop: () => clearInterval(timer) };
}
