import { describe, expect, it } from "vitest";
import { clockEventReasonNames } from "./clock-event-reasons.ts";

describe("clockEventReasonNames()", () => {
  it.each([
    [0, []],
    [0x1, ["gpu_idle"]],
    [0x24, ["power_cap", "sw_thermal"]],
    [0x1ff, ["gpu_idle", "clocks_setting", "power_cap", "hw_slowdown", "sync_boost", "sw_thermal", "hw_thermal", "hw_power_brake", "display_clocks"]],
  ])("names the bits of %i", (mask, names) => {
    expect(clockEventReasonNames(mask)).toEqual(names);
  });
});
