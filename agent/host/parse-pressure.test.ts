import { describe, expect, it } from "vitest";
import { readFixture } from "../../test/fixtures/proc/fixtures.ts";
import { ProcParseError } from "./host-errors.ts";
import { parsePressure, toPressureReading } from "./parse-pressure.ts";

describe("parsePressure()", () => {
  it.each([
    ["vm/pressure/cpu", { someSeconds: 24.770103, fullSeconds: 0 }],
    ["vm/pressure/io", { someSeconds: 2.919521, fullSeconds: 2.610693 }],
    ["edge/pressure-cpu-some-only", { someSeconds: 2.5, fullSeconds: null }],
    ["edge/pressure-io", { someSeconds: 1.5, fullSeconds: 0.75 }],
  ])("reads %s (total= µs -> seconds)", async (fixture, expected) => {
    const totals = parsePressure(await readFixture(fixture), "x");
    expect(totals.someSeconds).toBeCloseTo(expected.someSeconds, 9);
    if (expected.fullSeconds === null) expect(totals.fullSeconds).toBeNull();
    else expect(totals.fullSeconds).toBeCloseTo(expected.fullSeconds, 9);
  });

  it.each([
    ["garbage", "pressure: high\n"],
    ["only a full line", "full avg10=0.00 avg60=0.00 avg300=0.00 total=5\n"],
    ["an empty file", ""],
  ])("throws ProcParseError on %s", (_, text) => {
    expect(() => parsePressure(text, "memory")).toThrow(ProcParseError);
  });
});

describe("toPressureReading()", () => {
  it("maps cpu some to waiting, io and memory some/full to waiting/stalled", () => {
    const reading = toPressureReading({
      cpu: { someSeconds: 1, fullSeconds: 9 },
      io: { someSeconds: 2, fullSeconds: 3 },
      memory: { someSeconds: 4, fullSeconds: null },
    });
    expect(reading).toEqual({ cpuWaitingSecondsTotal: 1, ioWaitingSecondsTotal: 2, ioStalledSecondsTotal: 3, memoryWaitingSecondsTotal: 4, memoryStalledSecondsTotal: 0 });
  });
});
