/**
 * Cost of sampling 8 GPUs through the NVML binding, against the fake libnvidia-ml.so.1:
 *   bun scripts/bench/gpu-sample.ts [--samples 20000] [--gpus 8]
 *
 * Measures, in this process: NvmlDeviceReader.read() for all GPUs (wall and CPU per
 * sample), the vigil_gpu_* families plus their text rendering, and as a peer in the
 * same run the bare cost of the same number of FFI calls into the fake
 * (nvmlDeviceGetTemperature in a loop), so the binding's own overhead shows as a ratio.
 * Writes reports/bench/gpu-sample.json. The fake's mutex and state check are part of
 * every figure; real NVML calls cost more (µs each, ioctl-bound) and vary by driver.
 */
import { dlopen, FFIType as T } from "bun:ffi";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gpuFamilies } from "../../agent/gpu/gpu-families.ts";
import { NvmlDeviceReader } from "../../agent/gpu/nvml-device-reader.ts";
import { NvmlLibrary } from "../../agent/gpu/nvml-library.ts";
import { writeTextExposition } from "../../agent/exposition/write-exposition.ts";
import { createLogger } from "../../agent/log.ts";
import { buildFakeNvml } from "../../test/fake-nvml/build-fake-nvml.ts";
import { makeFakeNvmlState } from "../../test/fake-nvml/make-fake-nvml-state.ts";
import { writeFakeNvmlState } from "../../test/fake-nvml/state-file.ts";

const root = new URL("../..", import.meta.url).pathname;
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const SAMPLES = arg("samples", 20_000);
const GPUS = arg("gpus", 8);
const WARMUP = Math.min(2_000, Math.floor(SAMPLES / 5));

function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

function timed(label: string, iterations: number, body: () => void) {
  for (let i = 0; i < WARMUP; i++) body();
  const cpuStart = cpuMicros();
  const wallStart = performance.now();
  for (let i = 0; i < iterations; i++) body();
  const wallMs = performance.now() - wallStart;
  const cpuMs = (cpuMicros() - cpuStart) / 1000;
  return { label, iterations, wallMsPerIteration: wallMs / iterations, cpuMsPerIteration: cpuMs / iterations };
}

const dir = mkdtempSync(join(tmpdir(), "vigil-bench-gpu-"));
const statePath = join(dir, "state.txt");
try {
  const libraryPath = await buildFakeNvml();
  const state = makeFakeNvmlState(GPUS);
  // One process per GPU, as a vLLM tensor-parallel rank would be.
  writeFakeNvmlState(statePath, { ...state, devices: state.devices.map((g, i) => ({ ...g, processes: [{ pid: 1000 + i, usedGpuMemoryBytes: 50 * 1024 ** 3 }] })) });
  const pointer = dlopen(libraryPath, {
    vigilFakeNvmlSetStatePath: { args: [T.cstring], returns: T.void },
    nvmlDeviceGetHandleByIndex_v2: { args: [T.u32, T.ptr], returns: T.i32 },
    nvmlDeviceGetTemperature: { args: [T.ptr, T.i32, T.ptr], returns: T.i32 },
  });
  pointer.symbols.vigilFakeNvmlSetStatePath(Buffer.from(`${statePath}\0`));
  const nvml = NvmlLibrary.open(libraryPath);
  const reader = new NvmlDeviceReader(nvml, { logger: createLogger("error"), commandOf: () => "python3", worker: { xidErrors: () => [], lastXid: () => null, pcie: () => null } });

  // Count the NVML calls one sample makes, with a counting proxy over the bound symbols.
  let calls = 0;
  const countAll = <S extends object>(symbols: S) => {
    for (const [name, fn] of Object.entries(symbols)) {
      if (typeof fn !== "function") continue;
      (symbols as Record<string, unknown>)[name] = (...args: unknown[]) => {
        calls++;
        return (fn as (...a: unknown[]) => unknown)(...args);
      };
    }
  };
  const countingNvml = NvmlLibrary.open(libraryPath);
  countAll(countingNvml.core);
  countAll(countingNvml.optional);
  const countingReader = new NvmlDeviceReader(countingNvml, { logger: createLogger("error"), commandOf: () => "python3", worker: { xidErrors: () => [], lastXid: () => null, pcie: () => null } });
  countingReader.read();
  calls = 0;
  countingReader.read();
  const nvmlCallsPerSample = calls;
  countingNvml.shutdown();

  let last = reader.read().gpus;
  const read = timed("read", SAMPLES, () => {
    last = reader.read().gpus;
  });
  const render = timed("families+text", Math.floor(SAMPLES / 4), () => {
    writeTextExposition(gpuFamilies(last));
  });
  const handle = new BigUint64Array(1);
  pointer.symbols.nvmlDeviceGetHandleByIndex_v2(0, handle);
  const h = handle[0]!;
  const out = new Uint32Array(1);
  const bare = timed("bare-ffi", SAMPLES, () => {
    for (let i = 0; i < nvmlCallsPerSample; i++) pointer.symbols.nvmlDeviceGetTemperature(h, 0, out);
  });
  nvml.shutdown();
  pointer.close();

  const result = {
    benchmark: "gpu-sample",
    runtime: `bun ${Bun.version}`,
    gpus: GPUS,
    samples: SAMPLES,
    nvmlCallsPerSample,
    readWallMsPerSample: read.wallMsPerIteration,
    readCpuMsPerSample: read.cpuMsPerIteration,
    familiesAndTextCpuMsPerSample: render.cpuMsPerIteration,
    bareFfiCpuMsForSameCallCount: bare.cpuMsPerIteration,
    readOverBareFfiRatio: read.cpuMsPerIteration / bare.cpuMsPerIteration,
    targetCpuMsPerSample: 1,
    note: "Against the fake libnvidia-ml (test/fake-nvml); real NVML calls are slower and driver-dependent. Shared noisy machine: quote ratios.",
  };
  mkdirSync(`${root}reports/bench`, { recursive: true });
  writeFileSync(`${root}reports/bench/gpu-sample.json`, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
