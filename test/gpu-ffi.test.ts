/**
 * The NVML binding in this process, through bun:ffi, against the fake
 * libnvidia-ml.so.1 built with gcc: the same code path as production, minus the
 * HTTP server. Exact values, state changes, NOT_SUPPORTED and GPU_IS_LOST, the
 * fallbacks for older drivers, XID events through the Worker, and a 100,000-sample
 * hot loop that would catch the stale-ptr() JIT bug and memory growth.
 */
import { dlopen, FFIType as T } from "bun:ffi";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NvmlDeviceReader } from "../agent/gpu/nvml-device-reader.ts";
import { NvmlLibrary } from "../agent/gpu/nvml-library.ts";
import { openGpuSource } from "../agent/gpu/gpu-source.ts";
import { createLogger } from "../agent/log.ts";
import type { GpuReading } from "../agent/sample.ts";
import { buildFakeNvml } from "./fake-nvml/build-fake-nvml.ts";
import { expectedReading } from "./fake-nvml/expected-reading.ts";
import { makeFakeNvmlState } from "./fake-nvml/make-fake-nvml-state.ts";
import { type FakeGpu, type FakeNvmlState, writeFakeNvmlState } from "./fake-nvml/state-file.ts";

const NO_WORKER = { xidErrors: () => [], lastXid: () => null, pcie: () => null };

/** A handle on the fake that names its state file; kept open so the library (and its state) stays loaded. */
function pointFakeAt(libraryPath: string, statePath: string) {
  const lib = dlopen(libraryPath, { vigilFakeNvmlSetStatePath: { args: [T.cstring], returns: T.void } });
  lib.symbols.vigilFakeNvmlSetStatePath(Buffer.from(`${statePath}\0`));
  return lib;
}

/** The fake re-checks its file at most every 2 ms. */
const settle = () => Bun.sleep(5);

function withDevice(state: FakeNvmlState, index: number, change: (gpu: FakeGpu) => FakeGpu): FakeNvmlState {
  return { ...state, devices: state.devices.map((gpu, i) => (i === index ? change(gpu) : gpu)) };
}

function values(reading: GpuReading) {
  const { processes: _p, xidErrors: _x, lastXid: _l, pcieTxBytesPerSecond: _t, pcieRxBytesPerSecond: _r, ...rest } = reading;
  return rest;
}

describe("NVML binding against the fake libnvidia-ml.so.1", () => {
  let libraryPath: string;
  let dir: string;
  let statePath: string;
  let pointer: ReturnType<typeof pointFakeAt>;
  const logLines: string[] = [];
  const logger = createLogger("debug", { write: (line) => logLines.push(line) });

  beforeAll(async () => {
    libraryPath = await buildFakeNvml();
    dir = mkdtempSync(join(tmpdir(), "vigil-gpu-ffi-"));
    statePath = join(dir, "state.txt");
    writeFakeNvmlState(statePath, makeFakeNvmlState(8));
    pointer = pointFakeAt(libraryPath, statePath);
  });

  afterAll(() => {
    pointer?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("the fake honours NVML's call patterns (uninitialised, sizes, struct versions, bad indexes)", () => {
    const nv = dlopen(libraryPath, {
      nvmlInit_v2: { args: [], returns: T.i32 },
      nvmlShutdown: { args: [], returns: T.i32 },
      nvmlErrorString: { args: [T.i32], returns: T.cstring },
      nvmlDeviceGetCount_v2: { args: [T.ptr], returns: T.i32 },
      nvmlDeviceGetHandleByIndex_v2: { args: [T.u32, T.ptr], returns: T.i32 },
      nvmlDeviceGetName: { args: [T.ptr, T.ptr, T.u32], returns: T.i32 },
      nvmlDeviceGetMemoryInfo_v2: { args: [T.ptr, T.ptr], returns: T.i32 },
      nvmlDeviceGetComputeRunningProcesses_v3: { args: [T.ptr, T.ptr, T.ptr], returns: T.i32 },
      nvmlEventSetCreate: { args: [T.ptr], returns: T.i32 },
      nvmlDeviceRegisterEvents: { args: [T.ptr, T.u64, T.ptr], returns: T.i32 },
      nvmlEventSetWait_v2: { args: [T.ptr, T.ptr, T.u32], returns: T.i32 },
      nvmlEventSetFree: { args: [T.ptr], returns: T.i32 },
    });
    const s = nv.symbols;
    try {
      const count = new Uint32Array(1);
      expect(s.nvmlDeviceGetCount_v2(count)).toBe(1); // UNINITIALIZED
      expect(s.nvmlErrorString(1)).toBe("Uninitialized");
      expect(s.nvmlInit_v2()).toBe(0);
      expect(s.nvmlDeviceGetCount_v2(count)).toBe(0);
      expect(count[0]).toBe(8);
      const handle = new BigUint64Array(1);
      expect(s.nvmlDeviceGetHandleByIndex_v2(8, handle)).toBe(2); // INVALID_ARGUMENT
      expect(s.nvmlDeviceGetHandleByIndex_v2(0, null)).toBe(2);
      expect(s.nvmlDeviceGetHandleByIndex_v2(0, handle)).toBe(0);
      const h = handle[0]!;
      expect(s.nvmlDeviceGetName(h, new Uint8Array(4), 4)).toBe(7); // INSUFFICIENT_SIZE
      expect(s.nvmlDeviceGetName(12345n, new Uint8Array(96), 96)).toBe(2); // not a handle
      const memory = new BigUint64Array(5);
      expect(s.nvmlDeviceGetMemoryInfo_v2(h, memory)).toBe(25); // version 0: ARGUMENT_VERSION_MISMATCH
      memory[0] = BigInt(0x02000028);
      expect(s.nvmlDeviceGetMemoryInfo_v2(h, memory)).toBe(0);
      expect(Number(memory[1])).toBe(makeFakeNvmlState(8).devices[0]!.memoryTotalBytes);
      expect(s.nvmlShutdown()).toBe(0);
      expect(s.nvmlDeviceGetCount_v2(count)).toBe(1);
      expect(s.nvmlShutdown()).toBe(1);
    } finally {
      nv.close();
    }
  });

  it("the fake reports the needed count for process lists and delivers each XID once", async () => {
    const base = makeFakeNvmlState(2);
    writeFakeNvmlState(statePath, withDevice(base, 1, (g) => ({ ...g, processes: [{ pid: 11, usedGpuMemoryBytes: 1 }, { pid: 12, usedGpuMemoryBytes: null }, { pid: 13, usedGpuMemoryBytes: 3 }], xidEvents: [{ id: 7, xid: 48 }] })));
    await settle();
    const nv = dlopen(libraryPath, {
      nvmlInit_v2: { args: [], returns: T.i32 },
      nvmlShutdown: { args: [], returns: T.i32 },
      nvmlDeviceGetHandleByIndex_v2: { args: [T.u32, T.ptr], returns: T.i32 },
      nvmlDeviceGetComputeRunningProcesses_v3: { args: [T.ptr, T.ptr, T.ptr], returns: T.i32 },
      nvmlEventSetCreate: { args: [T.ptr], returns: T.i32 },
      nvmlDeviceRegisterEvents: { args: [T.ptr, T.u64, T.ptr], returns: T.i32 },
      nvmlEventSetWait_v2: { args: [T.ptr, T.ptr, T.u32], returns: T.i32 },
      nvmlEventSetFree: { args: [T.ptr], returns: T.i32 },
    });
    const s = nv.symbols;
    try {
      expect(s.nvmlInit_v2()).toBe(0);
      const handle = new BigUint64Array(1);
      s.nvmlDeviceGetHandleByIndex_v2(1, handle);
      const h = handle[0]!;
      const count = new Uint32Array(1);
      expect(s.nvmlDeviceGetComputeRunningProcesses_v3(h, count, null)).toBe(7);
      expect(count[0]).toBe(3);
      const infos = new BigUint64Array(3 * 3);
      expect(s.nvmlDeviceGetComputeRunningProcesses_v3(h, count, infos)).toBe(0);
      expect([Number(infos[0]! & 0xffffffffn), infos[1], infos[4], infos[2]! & 0xffffffffn]).toEqual([11, 1n, 0xffffffffffffffffn, 0xffffffffn]);
      const set = new BigUint64Array(1);
      expect(s.nvmlEventSetCreate(set)).toBe(0);
      expect(s.nvmlDeviceRegisterEvents(h, 8n, set[0]!)).toBe(0);
      const data = new BigUint64Array(4);
      expect(s.nvmlEventSetWait_v2(set[0]!, data, 50)).toBe(0);
      expect([data[0], data[1], data[2]]).toEqual([h, 8n, 48n]);
      expect(s.nvmlEventSetWait_v2(set[0]!, data, 20)).toBe(10); // TIMEOUT: id 7 was delivered already
      expect(s.nvmlEventSetFree(set[0]!)).toBe(0);
      s.nvmlShutdown();
    } finally {
      nv.close();
    }
  });

  it("reads every value of all 8 GPUs exactly as the state file says", async () => {
    const state = makeFakeNvmlState(8);
    writeFakeNvmlState(statePath, state);
    await settle();
    const nvml = NvmlLibrary.open(libraryPath);
    try {
      const reader = new NvmlDeviceReader(nvml, { logger, commandOf: () => "", worker: NO_WORKER });
      expect(reader.deviceCount).toBe(8);
      const { gpus, failures } = reader.read();
      expect(failures).toEqual([]);
      gpus.forEach((gpu, i) => expect(values(gpu)).toEqual(expectedReading(state, i)));
    } finally {
      nvml.shutdown();
    }
  });

  it("a changed state file changes the next read; NOT_SUPPORTED drops only that value; GPU_IS_LOST downs only that GPU", async () => {
    const state = makeFakeNvmlState(8);
    writeFakeNvmlState(statePath, state);
    await settle();
    const nvml = NvmlLibrary.open(libraryPath);
    try {
      const reader = new NvmlDeviceReader(nvml, { logger, commandOf: (pid) => (pid === process.pid ? "vllm-test" : ""), worker: NO_WORKER });
      reader.read();
      let next = withDevice(state, 2, (g) => ({ ...g, temperatureCelsius: 87, powerUsageMilliwatts: 612_345, processes: [{ pid: process.pid, usedGpuMemoryBytes: 42 * 1024 ** 3 }] }));
      next = withDevice(next, 4, (g) => ({ ...g, errors: { nvmlDeviceGetFanSpeed: "NVML_ERROR_NOT_SUPPORTED", nvmlDeviceGetTotalEccErrors: "NVML_ERROR_NOT_SUPPORTED" } }));
      next = withDevice(next, 5, (g) => ({ ...g, errors: { "*": "NVML_ERROR_GPU_IS_LOST" } }));
      writeFakeNvmlState(statePath, next);
      await settle();
      const { gpus, failures } = reader.read();
      expect(gpus[2]).toMatchObject({ temperatureCelsius: 87, powerWatts: 612.345, processes: [{ pid: process.pid, command: "vllm-test", usedGpuMemoryBytes: 42 * 1024 ** 3 }] });
      expect(values(gpus[4]!)).toEqual({
        ...expectedReading(next, 4),
        fanSpeedRatio: null,
        eccCorrectedVolatileTotal: null,
        eccUncorrectedVolatileTotal: null,
        eccCorrectedAggregateTotal: null,
        eccUncorrectedAggregateTotal: null,
      });
      expect(gpus[5]).toMatchObject({ index: 5, up: false, uuid: state.devices[5]!.uuid, temperatureCelsius: null, memoryUsedBytes: null });
      expect(failures.map((f) => [f.index, f.error.code])).toEqual([[5, 15]]);
      for (const i of [0, 1, 3, 6, 7]) expect(values(gpus[i]!)).toEqual(expectedReading(next, i));
      // The unsupported functions are logged once each, at debug, not every sample.
      reader.read();
      expect(logLines.filter((l) => l.includes("nvmlDeviceGetFanSpeed is not available on GPU 4"))).toHaveLength(1);
      // Back from the dead: the next read serves it again.
      writeFakeNvmlState(statePath, state);
      await settle();
      expect(reader.read().gpus[5]!.up).toBe(true);
    } finally {
      nvml.shutdown();
    }
  });

  it("skips a GPU whose handle NVML refuses with NO_PERMISSION (another container's), logging it once", async () => {
    const state = withDevice(makeFakeNvmlState(3), 1, (g) => ({ ...g, errors: { nvmlDeviceGetHandleByIndex_v2: "NVML_ERROR_NO_PERMISSION" } }));
    writeFakeNvmlState(statePath, state);
    await settle();
    const nvml = NvmlLibrary.open(libraryPath);
    try {
      const reader = new NvmlDeviceReader(nvml, { logger, commandOf: () => "", worker: NO_WORKER });
      reader.read();
      const { gpus, failures } = reader.read();
      expect(gpus.map((g) => [g.index, g.up])).toEqual([[0, true], [2, true]]);
      expect(failures).toEqual([]);
      expect(logLines.filter((l) => l.includes("GPU 1 is not accessible to this process"))).toHaveLength(1);
    } finally {
      nvml.shutdown();
    }
  });

  it("falls back to memory v1 and throttle reasons on a driver without the newer symbols", async () => {
    const legacyPath = await buildFakeNvml({ legacy: true });
    const legacyPointer = pointFakeAt(legacyPath, statePath);
    const state = withDevice(makeFakeNvmlState(1), 0, (g) => ({ ...g, clocksEventReasons: 0x24 }));
    writeFakeNvmlState(statePath, state);
    const nvml = NvmlLibrary.open(legacyPath);
    try {
      expect(nvml.missing).toEqual(expect.arrayContaining(["nvmlDeviceGetMemoryInfo_v2", "nvmlDeviceGetCurrentClocksEventReasons"]));
      const reader = new NvmlDeviceReader(nvml, { logger, commandOf: () => "", worker: NO_WORKER });
      const [gpu] = reader.read().gpus;
      const g = state.devices[0]!;
      // v1 counts reserved memory as used and has no reserved field.
      expect(gpu).toMatchObject({ up: true, memoryUsedBytes: g.memoryUsedBytes + g.memoryReservedBytes, memoryReservedBytes: null, clocksEventReasons: 0x24 });
    } finally {
      nvml.shutdown();
      legacyPointer.close();
    }
  });

  it("counts XID events from the Worker per (gpu, xid), each event once, and stops cleanly", async () => {
    const state = makeFakeNvmlState(8);
    writeFakeNvmlState(statePath, state);
    const source = openGpuSource({ libraryPath, procRoot: "/proc", logger });
    try {
      const xid = (gpus: readonly GpuReading[]) => gpus.map((g) => g.xidErrors);
      expect(xid((await source.read(AbortSignal.timeout(1000))).value).flat()).toEqual([]);
      writeFakeNvmlState(statePath, withDevice(state, 3, (g) => ({ ...g, xidEvents: [{ id: 1, xid: 79 }, { id: 2, xid: 79 }, { id: 3, xid: 13 }] })));
      let gpus: readonly GpuReading[] = [];
      for (let i = 0; i < 100; i++) {
        await Bun.sleep(50);
        gpus = (await source.read(AbortSignal.timeout(1000))).value;
        if (gpus[3]!.xidErrors.length === 2 && gpus[3]!.pcieTxBytesPerSecond !== null) break;
      }
      expect(gpus[3]!.xidErrors).toEqual([{ xid: 13, count: 1 }, { xid: 79, count: 2 }]);
      expect(gpus[3]!.lastXid).not.toBeNull();
      expect(gpus[3]!.pcieTxBytesPerSecond).toBe(state.devices[3]!.pcieTxKilobytesPerSecond * 1024);
      // Re-reading the same file (a rewrite with the same events) delivers nothing new.
      writeFakeNvmlState(statePath, withDevice(state, 3, (g) => ({ ...g, temperatureCelsius: 99, xidEvents: [{ id: 1, xid: 79 }, { id: 2, xid: 79 }, { id: 3, xid: 13 }] })));
      await Bun.sleep(400);
      const again = (await source.read(AbortSignal.timeout(1000))).value;
      expect(again[3]!.temperatureCelsius).toBe(99);
      expect(again[3]!.xidErrors).toEqual([{ xid: 13, count: 1 }, { xid: 79, count: 2 }]);
      for (const i of [0, 1, 2, 4, 5, 6, 7]) expect(again[i]!.xidErrors).toEqual([]);
    } finally {
      const started = performance.now();
      await source.close();
      // The worker's loop ends within one short wait step; close must not hang on it.
      expect(performance.now() - started).toBeLessThan(5_000);
    }
  });

  it("an NVML that fails to initialise is tried again, and its GPUs are served once it works", async () => {
    writeFakeNvmlState(statePath, { ...makeFakeNvmlState(2), errors: { nvmlInit_v2: "NVML_ERROR_DRIVER_NOT_LOADED" } });
    await settle();
    let nowMs = 0;
    const source = openGpuSource({ libraryPath, procRoot: "/proc", logger, worker: false, retryIntervalMs: 1_000, now: () => nowMs });
    try {
      const first = await source.read(AbortSignal.timeout(1000));
      expect(first.value).toEqual([]);
      expect(first.errors).toEqual([{ source: "gpu", target: "", code: "nvml_unavailable", message: expect.stringMatching(/nvmlInit_v2 returned Driver Not Loaded \(NVML code 9\)/) }]);
      writeFakeNvmlState(statePath, makeFakeNvmlState(2));
      await settle();
      nowMs = 999;
      expect((await source.read(AbortSignal.timeout(1000))).value).toEqual([]); // not yet time to retry
      nowMs = 1_000;
      const later = await source.read(AbortSignal.timeout(1000));
      expect(later.errors).toEqual([]);
      expect(later.value.map((g) => g.up)).toEqual([true, true]);
    } finally {
      await source.close();
    }
  });

  it("100,000 samples in a hot loop: no stale reads and bounded memory", async () => {
    const states = [makeFakeNvmlState(8), withDevice(makeFakeNvmlState(8), 0, (g) => ({ ...g, temperatureCelsius: 77, utilizationGpuPercent: 11, powerUsageMilliwatts: 101_000, clocksEventReasons: 0x1 }))];
    writeFakeNvmlState(statePath, states[0]!);
    await settle();
    const nvml = NvmlLibrary.open(libraryPath);
    try {
      const reader = new NvmlDeviceReader(nvml, { logger, commandOf: () => "", worker: NO_WORKER });
      const expected = states.map((s) => s.devices.map((_, i) => expectedReading(s, i)));
      let current = 0;
      let stale = 0;
      let rssAfterWarmup = 0;
      const SAMPLES = 100_000;
      for (let n = 0; n < SAMPLES; n++) {
        // Switch states now and then, so a read that returns an older value shows.
        if (n % 10_000 === 9_999) {
          current = 1 - current;
          writeFakeNvmlState(statePath, states[current]!);
          await settle();
        }
        const { gpus } = reader.read();
        for (let i = 0; i < gpus.length; i++) {
          const got = gpus[i]!;
          const want = expected[current]![i]!;
          if (
            got.temperatureCelsius !== want.temperatureCelsius || got.utilizationGpuRatio !== want.utilizationGpuRatio || got.powerWatts !== want.powerWatts ||
            got.memoryUsedBytes !== want.memoryUsedBytes || got.memoryReservedBytes !== want.memoryReservedBytes || got.clockSmMhz !== want.clockSmMhz ||
            got.maxClockVideoMhz !== want.maxClockVideoMhz || got.fanSpeedRatio !== want.fanSpeedRatio || got.energyMillijoulesTotal !== want.energyMillijoulesTotal ||
            got.clocksEventReasons !== want.clocksEventReasons || got.eccCorrectedAggregateTotal !== want.eccCorrectedAggregateTotal || got.remappedRowsCorrectableTotal !== want.remappedRowsCorrectableTotal
          ) stale++;
        }
        if (n === 20_000) {
          Bun.gc(true);
          rssAfterWarmup = process.memoryUsage.rss();
        }
      }
      Bun.gc(true);
      const growthBytes = process.memoryUsage.rss() - rssAfterWarmup;
      expect(stale).toBe(0);
      // 80,000 samples of 8 GPUs after warm-up: a per-sample leak of even 1 KiB would be 78 MiB.
      expect(growthBytes).toBeLessThan(32 * 1024 * 1024);
    } finally {
      nvml.shutdown();
    }
  }, 600_000);
});
