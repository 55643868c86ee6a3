import { describe, expect, it } from "vitest";
import { writeOpenMetrics } from "../exposition/write-exposition.ts";
import { dcgmFamilies } from "./dcgm-families.ts";
import { gpuTestReading } from "./gpu-test-reading.ts";

describe("dcgmFamilies()", () => {
  const families = dcgmFamilies([gpuTestReading(0), gpuTestReading(1, { up: false, temperatureCelsius: null })], { hostname: "node-7" });
  const sample = (name: string, gpu = "0") => families.find((f) => f.name === name)?.samples.find((s) => s.labels.gpu === gpu);

  it("uses dcgm-exporter's label set and order", () => {
    expect(Object.entries(sample("DCGM_FI_DEV_GPU_UTIL")!.labels)).toEqual([
      ["gpu", "0"], ["UUID", "GPU-0"], ["pci_bus_id", "00000000:10:00.0"], ["device", "nvidia0"], ["modelName", "NVIDIA H100 80GB HBM3"], ["Hostname", "node-7"], ["DCGM_FI_DRIVER_VERSION", "580.95.05"],
    ]);
  });

  it.each([
    ["DCGM_FI_DEV_GPU_UTIL", 55],
    ["DCGM_FI_DEV_MEM_COPY_UTIL", 29],
    ["DCGM_FI_DEV_FB_USED", 60 * 1024], // MiB, whole
    ["DCGM_FI_DEV_FB_FREE", 19 * 1024],
    ["DCGM_FI_DEV_FB_RESERVED", 1024],
    ["DCGM_FI_DEV_POWER_USAGE", 362.345],
    ["DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", 123_456_789], // mJ
    ["DCGM_FI_DEV_SM_CLOCK", 1755],
    ["DCGM_FI_DEV_GPU_TEMP", 61],
    ["DCGM_FI_DEV_FAN_SPEED", 33],
    ["DCGM_FI_DEV_ROW_REMAP_FAILURE", 1],
    ["DCGM_FI_DEV_XID_ERRORS", 79],
  ])("%s is %d in DCGM's unit", (name, value) => {
    expect(sample(name)?.value).toBe(value);
  });

  it("keeps DCGM's counter names (no _total) in both formats by serving them untyped", () => {
    expect(families.find((f) => f.name === "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION")?.type).toBe("untyped");
    expect(writeOpenMetrics(families)).toMatch(/^DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION\{gpu="0",/m);
    expect(families.find((f) => f.name === "DCGM_FI_DEV_GPU_UTIL")?.type).toBe("gauge");
  });

  it("labels the last XID with its code and text, and leaves out values a GPU lacks", () => {
    expect(sample("DCGM_FI_DEV_XID_ERRORS")?.labels).toMatchObject({ err_code: "79", err_msg: "GPU has fallen off the bus" });
    expect(sample("DCGM_FI_DEV_GPU_TEMP", "1")).toBeUndefined();
    expect(families.some((f) => f.name.startsWith("vigil_gpu_") && f.name !== "vigil_gpu_xid_errors_total" && f.name !== "vigil_gpu_process_memory_used_bytes")).toBe(false);
  });
});
