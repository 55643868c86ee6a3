/**
 * Errors of the host source. A sub-collector that fails becomes one error entry
 * (`{ target, code, message }`) and the rest of the sample is still served, the
 * way node_exporter keeps serving when one collector fails (collector.go).
 */
import type { SourceError } from "../sample.ts";

/**
 * An error entry of the host source: SourceError without the `source` field, which is
 * always "host". `target` is the sub-collector; `code` is "parse" (unexpected /proc
 * text), "read" (an errno from the file system), "aborted" (past the sample's
 * deadline), "page_size" (page size unknown, 4096 assumed) or "internal" (anything else).
 */
export type HostSourceError = Omit<SourceError, "source">;

/**
 * Text read from /proc did not have the shape proc(5) documents.
 *
 * @example throw new ProcParseError("/proc/loadavg", "expected 5 fields, got 2");
 */
export class ProcParseError extends Error {
  readonly code = "parse";
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`Cannot parse ${file}: ${detail}`);
    this.name = "ProcParseError";
  }
}

/** A sub-collector did not finish before the sample's deadline (the AbortSignal given to `read()`). */
export class HostReadAbortedError extends Error {
  readonly code = "aborted";
  constructor(collector: string, options?: ErrorOptions) {
    super(`Cannot finish the ${collector} collector: the sample was aborted`, options);
    this.name = "HostReadAbortedError";
  }
}

/** The errno code (`ENOENT`, `EACCES`, ...) of a file-system error, or undefined. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null || !("code" in error)) return undefined;
  const code = (error as { code: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

/**
 * True when a /proc/<pid> read failed because the process exited or is not ours to read.
 * proc(5): files under /proc/<pid> vanish with the process (ENOENT, or ESRCH when it exits
 * mid-read), and /proc/<pid>/fd needs ptrace read access (EACCES/EPERM).
 */
export function isGoneOrForbidden(error: unknown): boolean {
  const code = errnoCode(error);
  return code === "ENOENT" || code === "ESRCH" || code === "EACCES" || code === "EPERM";
}

/** Turns anything thrown by a sub-collector into its error entry. */
export function toHostError(target: string, error: unknown): HostSourceError {
  if (error instanceof ProcParseError || error instanceof HostReadAbortedError) {
    return { target, code: error.code, message: error.message };
  }
  const message = error instanceof Error ? error.message : String(error);
  // "read" for I/O failures (ENOENT, EACCES, EIO ...): the errno is in the message.
  return { target, code: errnoCode(error) === undefined ? "internal" : "read", message: `Cannot read the ${target} collector: ${message}` };
}
