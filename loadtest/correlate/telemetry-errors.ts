/** Typed failures of reading telemetry; the harness records them in `telemetry.errors` and keeps going. */

/** A telemetry source could not be reached or answered badly. */
export class TelemetryFetchError extends Error {
  override readonly name = "TelemetryFetchError";
  readonly code = "telemetry_fetch";
  constructor(
    message: string,
    readonly url: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A `--prometheus` / `--agent` value that cannot be used. */
export class TelemetryOptionError extends Error {
  override readonly name = "TelemetryOptionError";
  readonly code = "telemetry_option";
}
