import { mkdtempSync, readFileSync } from "node:fs";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AppendFile, type AppendFs } from "./append-file.ts";
import { RecordWriteError } from "./record-errors.ts";

/** Real fs, but writes fail with ENOSPC (after writing `partialBytes` of the record) while `full` is set. */
function fillableFs(): AppendFs & { full: boolean; partialBytes: number } {
  const fake = {
    full: false,
    partialBytes: 5,
    openSync: (path: string, flags: string) => fs.openSync(path, flags),
    writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number {
      if (!fake.full) return fs.writeSync(fd, buffer, offset, length);
      if (offset === 0 && fake.partialBytes > 0) return fs.writeSync(fd, buffer, 0, Math.min(length, fake.partialBytes));
      throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    },
    ftruncateSync: (fd: number, length: number) => fs.ftruncateSync(fd, length),
    fstatSync: (fd: number) => fs.fstatSync(fd),
    fsyncSync: (fd: number) => fs.fsyncSync(fd),
    closeSync: (fd: number) => fs.closeSync(fd),
  };
  return fake;
}

describe("AppendFile", () => {
  it("cuts a record that failed half way (disk full) back out, and appends again once space returns", () => {
    const path = join(mkdtempSync(join(tmpdir(), "vigil-append-")), "r.jsonl");
    const fake = fillableFs();
    const file = new AppendFile(path, { fs: fake });
    file.append('{"a":1}\n');
    fake.full = true;
    expect(() => file.append('{"a":2}\n')).toThrow(RecordWriteError);
    try {
      file.append('{"a":3}\n');
    } catch (error) {
      expect((error as RecordWriteError).code).toBe("ENOSPC");
    }
    expect(readFileSync(path, "utf8")).toBe('{"a":1}\n');
    fake.full = false;
    file.append('{"a":4}\n');
    file.close();
    expect(readFileSync(path, "utf8")).toBe('{"a":1}\n{"a":4}\n');
  });

  it("continues an existing file", () => {
    const path = join(mkdtempSync(join(tmpdir(), "vigil-append-")), "r.jsonl");
    fs.writeFileSync(path, "x\n");
    const file = new AppendFile(path);
    expect(file.size).toBe(2);
    file.append("y\n");
    file.close();
    expect(readFileSync(path, "utf8")).toBe("x\ny\n");
  });
});
