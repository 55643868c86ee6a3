/**
 * An append-only file that never keeps half a record: a write that fails part way
 * (ENOSPC) is cut back to the last complete record, so a later write that succeeds
 * continues a well-formed file. The file-system calls are injectable so the
 * disk-full path is testable without a full disk.
 */
import * as fs from "node:fs";
import { RecordWriteError, errnoOf } from "./record-errors.ts";

/** The node:fs calls used; tests pass a fake that fails on demand. */
export interface AppendFs {
  openSync(path: string, flags: string): number;
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  ftruncateSync(fd: number, length: number): void;
  fstatSync(fd: number): { size: number };
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
}

export class AppendFile {
  readonly #fs: AppendFs;
  readonly #fd: number;
  readonly #path: string;
  #size: number;

  /** Opens (creating) `path` for appending; throws the file system's error when it cannot. */
  constructor(path: string, options: { fs?: AppendFs } = {}) {
    this.#fs = options.fs ?? (fs as unknown as AppendFs);
    this.#path = path;
    this.#fd = this.#fs.openSync(path, "a");
    this.#size = this.#fs.fstatSync(this.#fd).size;
  }

  /** Bytes of complete records in the file. */
  get size(): number {
    return this.#size;
  }

  /** Appends one record, or throws RecordWriteError with the file as it was before. */
  append(text: string): void {
    const bytes = Buffer.from(text, "utf8");
    let written = 0;
    try {
      while (written < bytes.length) written += this.#fs.writeSync(this.#fd, bytes, written, bytes.length - written);
      this.#size += bytes.length;
    } catch (error) {
      if (written > 0) {
        try {
          this.#fs.ftruncateSync(this.#fd, this.#size);
        } catch {
          // Truncating needs no space; if even that fails the reader skips the torn last line.
        }
      }
      const code = errnoOf(error);
      throw new RecordWriteError(code, `Cannot append to the recording ${this.#path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }

  close(): void {
    try {
      this.#fs.fsyncSync(this.#fd);
    } finally {
      this.#fs.closeSync(this.#fd);
    }
  }
}
