import { describe, expect, it } from "vitest";
import type { Sample } from "../sample.ts";
import { toTimelinePoint } from "../timeline/timeline-point.ts";
import { gpuTestReading } from "./gpu-test-reading.ts";

describe("toTimelinePoint() for GPUs", () => {
  it("keeps a compact per-GPU summary, not the whole reading", () => {
    const sample: Sample = { timeMs: 1, durationMs: 1, gpus: [gpuTestReading(0), gpuTestReading(1, { up: false, powerWatts: null })], host: null, vllm: [], sources: [], errors: [] };
    const point = toTimelinePoint(sample);
    expect(point.gpus[0]).toEqual({
      index: 0, uuid: "GPU-0", up: true, utilizationGpuRatio: 0.55, memoryUsedBytes: 60 * 1024 ** 3 + 512 * 1024, memoryTotalBytes: 80 * 1024 ** 3,
      powerWatts: 362.345, powerLimitWatts: 700, temperatureCelsius: 61, clockSmMhz: 1755, clockMemoryMhz: 2619, clockGraphicsMhz: 1755, clocksEventReasons: 0x24,
    });
    expect(point.gpus[1]).toMatchObject({ index: 1, up: false, powerWatts: null });
  });
});
