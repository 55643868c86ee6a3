/** The live progress line on stderr (TTY only): elapsed, rate, in flight, TTFT p50/p95, errors. */
import { percentileOf } from "../stats/histograms.ts";
import type { MetricsRecorder } from "../stats/metrics-recorder.ts";

/** Snapshot of progress the line shows. */
export interface Progress {
  readonly elapsedMs: number;
  readonly completed: number;
  readonly failed: number;
  readonly inFlight: number;
  /** Completed per second over the last interval. */
  readonly ratePerS: number;
  readonly ttftP50Ms: number | null;
  readonly ttftP95Ms: number | null;
}

/** Reads a progress snapshot from the recorder (whole-run TTFT so far). */
export function progressOf(recorder: MetricsRecorder, options: { readonly elapsedMs: number; readonly inFlight: number; readonly ratePerS: number }): Progress {
  return {
    elapsedMs: options.elapsedMs,
    completed: recorder.completed,
    failed: recorder.failed,
    inFlight: options.inFlight,
    ratePerS: options.ratePerS,
    ttftP50Ms: percentileOf(recorder.histograms.ttftMs, "ttftMs", 50),
    ttftP95Ms: percentileOf(recorder.histograms.ttftMs, "ttftMs", 95),
  };
}

/**
 * One line, no newline (the caller rewrites it with `\r`).
 * @example renderLiveLine(progress) // "  12.0s  9.8 req/s  in flight 10  TTFT p50 41.2 p95 80.1 ms  ok 118  errors 0"
 */
export function renderLiveLine(progress: Progress): string {
  const ms = (v: number | null) => (v === null ? "-" : v.toFixed(1));
  return `${(progress.elapsedMs / 1000).toFixed(1).padStart(7)}s  ${progress.ratePerS.toFixed(1)} req/s  in flight ${progress.inFlight}  TTFT p50 ${ms(progress.ttftP50Ms)} p95 ${ms(progress.ttftP95Ms)} ms  ok ${progress.completed}  errors ${progress.failed}`;
}
