import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ProcFileReader } from "./proc-file-reader.ts";

describe("ProcFileReader", () => {
  let root = "";
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "vigil-proc-reader-"));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("reads this machine's /proc/loadavg twice through one descriptor", () => {
    using reader = new ProcFileReader("/proc");
    expect(reader.read("loadavg")).toMatch(/^\d+\.\d+ \d+\.\d+ \d+\.\d+ \d+\/\d+ \d+\n$/);
    expect(reader.read("loadavg")).toMatch(/^\d+\.\d+ /);
  });

  it("reads the current text of a file rewritten in place, shorter than before", async () => {
    using reader = new ProcFileReader(root);
    await writeFile(join(root, "stat"), "cpu 1 2 3 4 5\nbtime 9\n");
    expect(reader.read("stat")).toBe("cpu 1 2 3 4 5\nbtime 9\n");
    await writeFile(join(root, "stat"), "cpu 7\n");
    expect(reader.read("stat")).toBe("cpu 7\n");
  });

  it("reads a file larger than its first buffer whole, and a small one after it", async () => {
    using reader = new ProcFileReader(root);
    const big = `${"x".repeat(99)}\n`.repeat(1000); // 100 kB, several times the first buffer
    await writeFile(join(root, "mountinfo"), big);
    await writeFile(join(root, "loadavg"), "0.1 0.2 0.3 1/2 3\n");
    expect(reader.read("mountinfo")).toBe(big);
    expect(reader.read("loadavg")).toBe("0.1 0.2 0.3 1/2 3\n");
  });

  it("keeps UTF-8 text as it is", async () => {
    using reader = new ProcFileReader(root);
    await writeFile(join(root, "hostname"), "héllo\n");
    expect(reader.read("hostname")).toBe("héllo\n");
  });

  it("throws ENOENT for a missing file, and reads it once it exists", async () => {
    using reader = new ProcFileReader(root);
    expect(() => reader.read("pressure/cpu")).toThrow(expect.objectContaining({ code: "ENOENT" }));
    await writeFile(join(root, "loadavg"), "1 2 3 1/1 1\n");
    expect(reader.read("loadavg")).toBe("1 2 3 1/1 1\n");
  });
});
