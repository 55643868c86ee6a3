import { describe, expect, it } from "vitest";
import { readFixture } from "../../test/fixtures/proc/fixtures.ts";
import { ProcParseError } from "./host-errors.ts";
import { parseProcessStat } from "./parse-process-stat.ts";

const bootTimeSeconds = 1_795_396_789;

describe("parseProcessStat()", () => {
  it.each([
    [
      "a real Bun process",
      "vm/4242/stat",
      // utime 0 + stime 1 ticks; 4 threads; starttime 707367; vsize 6712725504; rss 3841 pages
      { pid: 4242, comm: "bun", cpuSecondsTotal: 0.01, threads: 4, startTimeSeconds: 7073.67 + bootTimeSeconds, virtualMemoryBytes: 6712725504, residentMemoryBytes: 3841 * 4096 },
    ],
    [
      "a comm with parentheses",
      "edge/process-stat-parens",
      { pid: 4242, comm: "a) (b)", cpuSecondsTotal: 3, threads: 12, startTimeSeconds: 7073.67 + bootTimeSeconds, virtualMemoryBytes: 6712725504, residentMemoryBytes: 3841 * 4096 },
    ],
    [
      "a comm with spaces",
      "edge/process-stat-spaces",
      { pid: 77, comm: "tmux: server", cpuSecondsTotal: 0.46, threads: 1, startTimeSeconds: 12 + bootTimeSeconds, virtualMemoryBytes: 9437184, residentMemoryBytes: 1024 * 4096 },
    ],
  ])("parses %s", async (_, fixture, expected) => {
    const stat = parseProcessStat(await readFixture(fixture), { bootTimeSeconds });
    expect(stat).toEqual({ ...expected, cpuSecondsTotal: expect.closeTo(expected.cpuSecondsTotal, 9), startTimeSeconds: expect.closeTo(expected.startTimeSeconds, 6) });
  });

  it("multiplies rss by the page size it is given", async () => {
    const stat = parseProcessStat(await readFixture("edge/process-stat-spaces"), { bootTimeSeconds, pageSizeBytes: 65536 });
    expect(stat.residentMemoryBytes).toBe(1024 * 65536);
  });

  it.each([
    ["no comm", "4242 S 1 2 3"],
    ["a truncated line", "4242 (bun) S 1 2 3"],
    ["a non-numeric pid", "abc (bun) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22"],
  ])("throws ProcParseError on %s", (_, text) => {
    expect(() => parseProcessStat(text, { bootTimeSeconds })).toThrow(ProcParseError);
  });
});
