/**
 * `vigil-agent export RECORDING --format csv|json|prom [--since T] [--until T] [--rates] [--out FILE]`:
 * turns a recording (any --record format) into a file for analysis. T is RFC 3339
 * (2026-12-01T10:00:00Z) or Unix seconds. Exit 0 ok, 1 unreadable recording, 2 usage.
 */
import { writeFileSync } from "node:fs";
import { UsageError } from "../errors.ts";
import { exportRates } from "./export-rates.ts";
import { RecordingReadError, readRecording } from "./read-recording.ts";
import { type ExportFormat, writeExport } from "./write-export.ts";

export const EXPORT_HELP = `Usage: vigil-agent export RECORDING --format csv|json|prom [options]

Turns a recording made with --record (.jsonl, .csv, .sqlite, .prom) into a file for analysis.

  --format csv|json|prom   csv: one column per series; json: vigil.export/v1; prom: OpenMetrics
                           with timestamps (promtool tsdb create-blocks-from openmetrics backfills it)
  --since TIME             keep samples at or after TIME (RFC 3339 or Unix seconds)
  --until TIME             keep samples at or before TIME
  --rates                  counters -> per-second rates per interval (resets handled);
                           histograms -> per-interval p50/p90/p99, rate and mean
  --out FILE               write to FILE instead of stdout
  --help                   print this help
`;

export interface ExportOptions {
  readonly recording: string;
  readonly format: ExportFormat;
  readonly sinceMs: number | null;
  readonly untilMs: number | null;
  readonly rates: boolean;
  readonly out: string | null;
}

/** Parses the export arguments; throws UsageError naming the bad one. */
export function parseExportArgs(argv: readonly string[]): ExportOptions | "help" {
  let recording: string | null = null;
  let format: ExportFormat | null = null;
  let sinceMs: number | null = null;
  let untilMs: number | null = null;
  let rates = false;
  let out: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[++i];
      if (next === undefined) throw new UsageError(`export: ${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case "--help":
        return "help";
      case "--format": {
        const v = value();
        if (v !== "csv" && v !== "json" && v !== "prom") throw new UsageError(`export: --format must be csv, json or prom: got '${v}'`);
        format = v;
        break;
      }
      case "--since":
        sinceMs = parseTime(value(), "--since");
        break;
      case "--until":
        untilMs = parseTime(value(), "--until");
        break;
      case "--rates":
        rates = true;
        break;
      case "--out":
        out = value();
        break;
      default:
        if (arg.startsWith("--")) throw new UsageError(`export: unknown flag ${flag} (see vigil-agent export --help)`);
        if (recording !== null) throw new UsageError(`export: one recording at a time: got '${recording}' and '${arg}'`);
        recording = arg;
    }
  }
  if (recording === null) throw new UsageError("export: name the recording, e.g. vigil-agent export run.sqlite --format csv");
  if (format === null) throw new UsageError("export: --format csv|json|prom is required");
  if (sinceMs !== null && untilMs !== null && sinceMs > untilMs) throw new UsageError("export: --since is after --until");
  return { recording, format, sinceMs, untilMs, rates, out };
}

function parseTime(text: string, flag: string): number {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new UsageError(`export: ${flag} must be RFC 3339 (2026-12-01T10:00:00Z) or Unix seconds: got '${text}'`);
  return ms;
}

/** The subcommand: returns the exit code. */
export async function runExport(argv: readonly string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Promise<number> {
  // `export ... | head`: a reader that stops early is not an error.
  io.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
  let options: ExportOptions | "help";
  try {
    options = parseExportArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`vigil-agent: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (options === "help") {
    io.stdout.write(EXPORT_HELP);
    return 0;
  }
  let recording;
  try {
    recording = readRecording(options.recording);
  } catch (error) {
    if (error instanceof RecordingReadError) {
      io.stderr.write(`vigil-agent: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  if (recording.tornRecords > 0) io.stderr.write(`vigil-agent: skipped ${recording.tornRecords} incomplete record(s) at the end of ${options.recording} (the recorder was stopped mid-write)\n`);
  const { sinceMs, untilMs } = options;
  const samples = (options.rates ? exportRates(recording.samples) : recording.samples).filter((s) => (sinceMs === null || s.timeMs >= sinceMs) && (untilMs === null || s.timeMs <= untilMs));
  const text = writeExport(samples, options.format);
  if (options.out) {
    try {
      writeFileSync(options.out, text);
    } catch (error) {
      io.stderr.write(`vigil-agent: Cannot write ${options.out}: ${error instanceof Error ? error.message : String(error)}\n`);
      return 1;
    }
  } else {
    await new Promise<void>((resolve, reject) => io.stdout.write(text, (error) => (error ? reject(error) : resolve())));
  }
  return 0;
}
