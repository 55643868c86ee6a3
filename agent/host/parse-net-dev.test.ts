import { describe, expect, it } from "vitest";
import { readFixture } from "../../test/fixtures/proc/fixtures.ts";
import { ProcParseError } from "./host-errors.ts";
import { parseNetDev } from "./parse-net-dev.ts";

describe("parseNetDev()", () => {
  it("reads every device of a real /proc/net/dev with trimmed names", async () => {
    const readings = parseNetDev(await readFixture("vm/net/dev"));
    expect(readings.map((reading) => reading.device)).toEqual(["lo", "ifb0", "ifb1", "eth0"]);
    expect(readings[3]).toEqual({
      device: "eth0",
      receiveBytesTotal: 207350520,
      receivePacketsTotal: 5258,
      receiveErrsTotal: 0,
      receiveDropTotal: 0,
      transmitBytesTotal: 337414,
      transmitPacketsTotal: 3222,
      transmitErrsTotal: 0,
      transmitDropTotal: 0,
    });
  });

  it("reads a line with no space after the colon and names with dashes", async () => {
    const readings = parseNetDev(await readFixture("edge/net-dev-packed"));
    expect(readings.map((reading) => reading.device)).toEqual(["lo", "eth0", "br-0a1b"]);
    expect(readings[1]).toMatchObject({ receiveBytesTotal: 12345678901, receivePacketsTotal: 5103, receiveErrsTotal: 1, receiveDropTotal: 2, transmitErrsTotal: 3, transmitDropTotal: 4 });
  });

  it("returns no devices for headers only", () => {
    const [first = "", second = ""] = "Inter-| a\n face |b\n".split("\n");
    expect(parseNetDev(`${first}\n${second}\n`)).toEqual([]);
  });

  it.each([
    ["no headers", "eth0: 1 2 3\n"],
    ["a short line", "Inter-|\n face |\n eth0: 1 2 3\n"],
    ["a non-numeric counter", "Inter-|\n face |\n eth0: 1 2 3 4 5 6 7 8 9 10 11 x 13 14 15 16\n"],
    ["a line with no colon", "Inter-|\n face |\n eth0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"],
  ])("throws ProcParseError on %s", (_, text) => {
    expect(() => parseNetDev(text)).toThrow(ProcParseError);
  });
});
