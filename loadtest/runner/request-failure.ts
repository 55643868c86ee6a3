/**
 * Typed request failures: one class per failure a caller treats differently (undici's habit), each
 * with a stable `code` equal to the report's error type. The runner turns them into records, never
 * into crashes.
 */
import type { ErrorType } from "../report/report-types.ts";

/** Base class: `code` is the report's error type. */
export class RequestError extends Error {
  constructor(
    readonly code: ErrorType,
    message: string,
    readonly status: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The connection could not be made or broke before response headers. */
export class ConnectError extends RequestError {
  override readonly name = "ConnectError";
  constructor(message: string, options?: { cause?: unknown }) {
    super("connect", message, null, options);
  }
}

/** A non-2xx response; the message carries the body's error message. */
export class HttpStatusError extends RequestError {
  override readonly name = "HttpStatusError";
  constructor(status: number, message: string) {
    super("http_status", message, status);
  }
}

/** No first content token within the TTFT timeout. */
export class TtftTimeoutError extends RequestError {
  override readonly name = "TtftTimeoutError";
  constructor(timeoutMs: number) {
    super("ttft_timeout", `no first token within ${timeoutMs} ms`);
  }
}

/** No chunk for the stall timeout once the stream had started. */
export class StreamStallError extends RequestError {
  override readonly name = "StreamStallError";
  constructor(timeoutMs: number) {
    super("stall", `no chunk for ${timeoutMs} ms`);
  }
}

/** A malformed SSE frame or chunk, or a stream with no valid chunk. */
export class ProtocolError extends RequestError {
  override readonly name = "ProtocolError";
  constructor(message: string, status: number | null = null) {
    super("protocol", message, status);
  }
}

/** The body ended or broke before `[DONE]`. */
export class DisconnectedError extends RequestError {
  override readonly name = "DisconnectedError";
  constructor(message: string, options?: { cause?: unknown }) {
    super("disconnected", message, null, options);
  }
}

/** Cut off by the harness (stop grace period over, whole-request timeout). */
export class AbortedError extends RequestError {
  override readonly name = "AbortedError";
  constructor(message: string) {
    super("aborted", message);
  }
}

/** A cause for a failure's message: an Error's message with its errno-style code, or the value as text. */
export function describeCause(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as Error & { code?: string }).code;
    return code ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}
