import { describe, expect, it } from "vitest";
import { parseKernelPageSize, readPageSize } from "./read-page-size.ts";

describe("parseKernelPageSize()", () => {
  it.each([
    ["558e-558f r--p 00000000 fe:00 1 /usr/bin/cat\nSize:                  8 kB\nKernelPageSize:        4 kB\nMMUPageSize:           4 kB\n", 4096],
    ["aaaa-bbbb r-xp 0 0 0 /usr/bin/bun\nKernelPageSize:       64 kB\n", 65536],
    ["no such line\n", null],
  ])("parses %j", (smaps, pageSize) => {
    expect(parseKernelPageSize(smaps)).toBe(pageSize);
  });
});

describe("readPageSize()", () => {
  it("reads a power-of-two page size of at least 4 KiB from this process", async () => {
    const pageSize = await readPageSize();
    expect(pageSize).toBeGreaterThanOrEqual(4096);
    expect(Math.log2(pageSize) % 1).toBe(0);
  });

  it("rejects when the file does not exist", async () => {
    await expect(readPageSize("/proc/self/no-such-file")).rejects.toThrow(/ENOENT/);
  });
});
