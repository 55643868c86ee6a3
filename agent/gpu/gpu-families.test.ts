import { describe, expect, it } from "vitest";
import type { MetricFamily } from "../exposition/family.ts";
import { writeTextExposition } from "../exposition/write-exposition.ts";
import { gpuFamilies } from "./gpu-families.ts";
import { gpuTestReading } from "./gpu-test-reading.ts";

const find = (families: MetricFamily[], name: string) => families.find((f) => f.name === name);
const value = (families: MetricFamily[], name: string, labels: Record<string, string> = {}) =>
  find(families, name)?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

describe("gpuFamilies()", () => {
  it("converts to base units: W, J, Hz, ratios, bytes", () => {
    const families = gpuFamilies([gpuTestReading(0)]);
    expect(value(families, "vigil_gpu_power_watts")).toBe(362.345);
    expect(value(families, "vigil_gpu_energy_joules_total")).toBe(123_456.789);
    expect(value(families, "vigil_gpu_clock_hertz", { clock: "sm" })).toBe(1_755_000_000);
    expect(value(families, "vigil_gpu_utilization_ratio")).toBe(0.55);
    expect(value(families, "vigil_gpu_memory_used_bytes")).toBe(60 * 1024 ** 3 + 512 * 1024);
    expect(value(families, "vigil_gpu_clock_event_reason", { reason: "power_cap" })).toBe(1);
    expect(value(families, "vigil_gpu_clock_event_reason", { reason: "gpu_idle" })).toBe(0);
    expect(value(families, "vigil_gpu_retired_pages_pending")).toBe(1);
    expect(find(families, "vigil_gpu_energy_joules_total")?.type).toBe("counter");
  });

  it("labels every series with gpu and uuid, and puts the identity on vigil_gpu_info", () => {
    const families = gpuFamilies([gpuTestReading(0), gpuTestReading(1)]);
    for (const family of families) for (const sample of family.samples) expect(sample.labels).toMatchObject({ gpu: expect.any(String), uuid: expect.stringMatching(/^GPU-/) });
    expect(find(families, "vigil_gpu_info")?.samples[1]?.labels).toEqual({
      gpu: "1", uuid: "GPU-1", name: "NVIDIA H100 80GB HBM3", pci_bus_id: "00000000:11:00.0", driver_version: "580.95.05", nvml_version: "13.580.95.05", cuda_version: "13.0",
    });
  });

  it("omits a value the GPU does not report, and serves a down GPU as up 0 with nothing else but its identity and XIDs", () => {
    const families = gpuFamilies([gpuTestReading(0, { fanSpeedRatio: null }), gpuTestReading(1, { up: false, temperatureCelsius: null, powerWatts: null, processes: [] })]);
    expect(find(families, "vigil_gpu_fan_speed_ratio")?.samples.map((s) => s.labels.gpu)).toEqual(["1"]);
    expect(value(families, "vigil_gpu_up", { gpu: "1" })).toBe(0);
    expect(find(families, "vigil_gpu_temperature_celsius")?.samples.map((s) => s.labels.gpu)).toEqual(["0"]);
  });

  it("counts XIDs per (gpu, xid) and shows per-process memory with the command", () => {
    const families = gpuFamilies([gpuTestReading(0)]);
    expect(find(families, "vigil_gpu_xid_errors_total")?.samples.map((s) => [s.labels.xid, s.value])).toEqual([["13", 1], ["79", 2]]);
    // A process whose memory NVML cannot report has no series.
    expect(find(families, "vigil_gpu_process_memory_used_bytes")?.samples).toEqual([
      { name: "vigil_gpu_process_memory_used_bytes", labels: { gpu: "0", uuid: "GPU-0", pid: "4242", command: "python3" }, value: 58 * 1024 ** 3 },
    ]);
  });

  it("renders no families without GPUs, and text the writer accepts with them", () => {
    expect(gpuFamilies([])).toEqual([]);
    const text = writeTextExposition(gpuFamilies([gpuTestReading(0)]));
    expect(text).toContain("# TYPE vigil_gpu_energy_joules_total counter\n");
    expect(text).toContain('vigil_gpu_power_watts{gpu="0",uuid="GPU-0"} 362.345\n');
  });
});
