/** Typed failures of the recorders: one at start (the path), one per sample (the write). */

/** The recording cannot be opened: the agent refuses to start and says why. */
export class RecordPathError extends Error {
  override readonly name = "RecordPathError";
  readonly code = "record_path";
}

/** One sample could not be written (disk full, I/O error); what was written before is intact. */
export class RecordWriteError extends Error {
  override readonly name = "RecordWriteError";
  constructor(
    /** errno code when the file system gave one (ENOSPC, EIO, ...), else "write". */
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The errno code of a Node-style error, or a fallback. */
export function errnoOf(error: unknown, fallback = "write"): string {
  return typeof error === "object" && error !== null && "code" in error && typeof error.code === "string" ? error.code : fallback;
}

/** `ENOSPC: no space left on device` style text for log lines. */
export function describeFsError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
