import { describe, expect, it } from "vitest";
import { makeFakeGpu, makeFakeNvmlState } from "./make-fake-nvml-state.ts";
import { FakeNvmlStateError, renderFakeNvmlState } from "./state-file.ts";

describe("renderFakeNvmlState()", () => {
  it("writes the key=value lines the C fake parses", () => {
    const state = makeFakeNvmlState(2);
    const text = renderFakeNvmlState({
      ...state,
      errors: { nvmlInit_v2: "NVML_ERROR_LIB_RM_VERSION_MISMATCH" },
      devices: [
        { ...state.devices[0]!, processes: [{ pid: 42, usedGpuMemoryBytes: null }], xidEvents: [{ id: 9, xid: 79 }], errors: { "*": "NVML_ERROR_GPU_IS_LOST" } },
        state.devices[1]!,
      ],
    });
    const lines = text.split("\n");
    for (const line of [
      "simulated=1",
      "driver_version=580.95.05",
      "cuda_driver_version=13000",
      "error.nvmlInit_v2=NVML_ERROR_LIB_RM_VERSION_MISMATCH",
      "device_count=2",
      `gpu.0.uuid=${state.devices[0]!.uuid}`,
      "gpu.0.power_usage_mw=350000",
      "gpu.0.process.0.pid=42",
      "gpu.0.process.0.used_gpu_memory_bytes=-1",
      "gpu.0.xid.9=79",
      "gpu.0.error.*=NVML_ERROR_GPU_IS_LOST",
      "gpu.1.temperature_celsius=41",
    ]) expect(lines).toContain(line);
    expect(text.endsWith("\n")).toBe(true);
  });

  it.each([
    ["a fractional value", { ...makeFakeGpu(0), temperatureCelsius: 40.5 }, /devices\[0\]\.temperatureCelsius must be a non-negative integer: current value is 40.5/],
    ["a newline in a name", { ...makeFakeGpu(0), name: "a\nb" }, /devices\[0\]\.name must be one line/],
    ["an unknown return code", { ...makeFakeGpu(0), errors: { nvmlDeviceGetFanSpeed: "NVML_ERROR_BOGUS" as never } }, /must be an NVML return-code name: current value is "NVML_ERROR_BOGUS"/],
    ["a non-positive XID id", { ...makeFakeGpu(0), xidEvents: [{ id: 0, xid: 79 }] }, /XID event id must be a positive integer: current value is 0/],
  ])("rejects %s, naming the field and value", (_what, gpu, message) => {
    expect(() => renderFakeNvmlState({ ...makeFakeNvmlState(0), devices: [gpu] })).toThrow(FakeNvmlStateError);
    expect(() => renderFakeNvmlState({ ...makeFakeNvmlState(0), devices: [gpu] })).toThrow(message);
  });
});
