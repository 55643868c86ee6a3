/**
 * Typed errors of the agent: one class per failure a caller treats differently,
 * each with a stable `code` (undici's habit).
 */

/** A wrong flag, environment variable or value: the CLI prints the message and exits 2. */
export class UsageError extends Error {
  readonly code = "usage";
  override readonly name = "UsageError";
}

/** A scrape of a vLLM target failed; `code` says how (timeout, connect, http_status, body_too_large, parse, series_limit). */
export class VllmScrapeError extends Error {
  override readonly name = "VllmScrapeError";
  constructor(
    readonly code: "timeout" | "connect" | "http_status" | "body_too_large" | "parse" | "series_limit",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
