import { describe, expect, it } from "vitest";
import { readFixture } from "../../test/fixtures/proc/fixtures.ts";
import { ProcParseError } from "./host-errors.ts";
import { parseLoadavg } from "./parse-loadavg.ts";

describe("parseLoadavg()", () => {
  it("reads the three load averages of a real /proc/loadavg", async () => {
    expect(parseLoadavg(await readFixture("vm/loadavg"))).toEqual({ load1: 1.05, load5: 0.39, load15: 0.14 });
  });

  it.each([
    ["0.00 0.00 0.00 0/0 0", { load1: 0, load5: 0, load15: 0 }],
    ["123.45 67.89 10.11 300/4000 99999\n", { load1: 123.45, load5: 67.89, load15: 10.11 }],
  ])("parses %j", (text, expected) => {
    expect(parseLoadavg(text)).toEqual(expected);
  });

  it.each([[""], ["0.1 0.2"], ["a b c 1/2 3"]])("throws ProcParseError on %j", (text) => {
    expect(() => parseLoadavg(text)).toThrow(ProcParseError);
  });
});
