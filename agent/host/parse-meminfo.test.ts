import { describe, expect, it } from "vitest";
import { readFixture } from "../../test/fixtures/proc/fixtures.ts";
import { ProcParseError } from "./host-errors.ts";
import { parseMeminfo } from "./parse-meminfo.ts";

describe("parseMeminfo()", () => {
  it.each([
    ["MemTotal:       24684092 kB", { field: "MemTotal", value: 24684092 * 1024, unit: "bytes" }],
    ["Active(anon):       1520 kB", { field: "Active_anon", value: 1520 * 1024, unit: "bytes" }],
    ["Inactive(file):    84432 kB", { field: "Inactive_file", value: 84432 * 1024, unit: "bytes" }],
    ["HugePages_Total:       8", { field: "HugePages_Total", value: 8, unit: "count" }],
    ["VmallocTotal:   34359738367 kB", { field: "VmallocTotal", value: 34359738367 * 1024, unit: "bytes" }],
    ["Hugepagesize:       2048 kB", { field: "Hugepagesize", value: 2048 * 1024, unit: "bytes" }],
  ])("parses %j", (line, entry) => {
    expect(parseMeminfo(`${line}\n`)).toEqual([entry]);
  });

  it("parses every line of a real /proc/meminfo", async () => {
    const text = await readFixture("vm/meminfo");
    const entries = parseMeminfo(text);
    expect(entries).toHaveLength(text.trim().split("\n").length);
    expect(entries.find((entry) => entry.field === "MemAvailable")?.value).toBe(24214132 * 1024);
    expect(entries.filter((entry) => entry.unit === "count").map((entry) => entry.field)).toEqual(["HugePages_Total", "HugePages_Free", "HugePages_Rsvd", "HugePages_Surp"]);
  });

  it("skips blank lines, as node_exporter does for some CentOS kernels", async () => {
    expect(parseMeminfo(await readFixture("edge/meminfo-hugepages")).map((entry) => entry.field)).toEqual([
      "MemTotal",
      "Active_anon",
      "Inactive_file",
      "HugePages_Total",
      "HugePages_Free",
      "Hugepagesize",
    ]);
  });

  it("keeps the last value of a repeated field", () => {
    expect(parseMeminfo("MemFree: 1 kB\nMemFree: 2 kB\n")).toEqual([{ field: "MemFree", value: 2048, unit: "bytes" }]);
  });

  it.each([
    ["garbage", "edge/meminfo-garbage", /line 1: "this is not meminfo"/],
    ["an empty file", null, /no fields/],
  ])("throws ProcParseError on %s", async (_, fixture, message) => {
    const text = fixture === null ? "" : await readFixture(fixture);
    expect(() => parseMeminfo(text)).toThrow(ProcParseError);
    expect(() => parseMeminfo(text)).toThrow(message);
  });

  it("rejects a line with a unit other than kB", () => {
    expect(() => parseMeminfo("MemTotal: 1 MB\n")).toThrow(ProcParseError);
  });
});
