/**
 * Reads a recording in any of the agent's formats back into RecordedSamples, sorted
 * by time. A torn last record (the agent was killed mid-write) is skipped and
 * counted, never an error: everything before it is intact.
 */
import { Database } from "bun:sqlite";
import { readFileSync, statSync } from "node:fs";
import { extname } from "node:path";
import type { MetricType } from "../exposition/family.ts";
import { parseExposition } from "../exposition/parse-exposition.ts";
import { CSV_TIME_COLUMNS, parseCsvLine } from "../outputs/record/csv-recorder.ts";
import { type RecordedPoint, type RecordedSample, inferFamily, parseRecordedValue, parseSeriesKey, seriesKey } from "../outputs/record/recorded-sample.ts";

/** A file that is not a recording, or one broken before its last record. */
export class RecordingReadError extends Error {
  override readonly name = "RecordingReadError";
  readonly code = "recording";
}

export interface Recording {
  readonly samples: RecordedSample[];
  /** Records skipped because they were incomplete (a killed writer's last line). */
  readonly tornRecords: number;
}

/** Reads `path`, choosing the format by its extension (.jsonl, .csv, .sqlite/.db, .prom/.txt/.om). */
export function readRecording(path: string): Recording {
  const extension = extname(path).toLowerCase();
  let recording: Recording;
  try {
    if (extension === ".jsonl" || extension === ".ndjson") recording = readJsonl(readFileSync(path, "utf8"), path);
    else if (extension === ".csv") recording = readCsv(readFileSync(path, "utf8"), path);
    else if (extension === ".sqlite" || extension === ".db") recording = readSqlite(path);
    else if (extension === ".prom" || extension === ".txt" || extension === ".om") recording = readExposition(readFileSync(path, "utf8"), statSync(path).mtimeMs);
    else throw new RecordingReadError(`Cannot read ${path}: the extension must be .jsonl, .csv, .sqlite, .db or .prom`);
  } catch (error) {
    if (error instanceof RecordingReadError) throw error;
    throw new RecordingReadError(`Cannot read the recording ${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  recording.samples.sort((a, b) => a.timeMs - b.timeMs);
  return recording;
}

/** Finds a series' family among the families a record names (histogram series carry a suffix). */
function familyOf(name: string, types: Readonly<Record<string, string>>): { family: string; type: MetricType } {
  if (types[name]) return { family: name, type: types[name] as MetricType };
  for (const suffix of ["_bucket", "_sum", "_count", "_created", "_total"]) {
    const base = name.slice(0, -suffix.length);
    if (name.endsWith(suffix) && types[base]) return { family: base, type: types[base] as MetricType };
  }
  return { family: name, type: "untyped" };
}

export function readJsonl(text: string, path = "recording"): Recording {
  const lines = text.split("\n");
  // A complete record ends with "\n": the piece after the last newline is torn (or empty).
  const tail = lines.pop() ?? "";
  let tornRecords = tail.trim() === "" ? 0 : 1;
  const samples: RecordedSample[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === "") return;
    let record: { timeMs: number; types?: Record<string, string>; values?: Record<string, number | string | null> };
    try {
      record = JSON.parse(line);
    } catch (error) {
      // Only the last line can be torn by a kill; a bad line in the middle means the file is not ours.
      if (index === lines.length - 1) {
        tornRecords++;
        return;
      }
      throw new RecordingReadError(`Cannot read ${path}: line ${index + 1} is not JSON`, { cause: error });
    }
    if (typeof record.timeMs !== "number") throw new RecordingReadError(`Cannot read ${path}: line ${index + 1} has no numeric timeMs`);
    const types = record.types ?? {};
    const points: RecordedPoint[] = Object.entries(record.values ?? {}).map(([series, value]) => {
      const { name } = parseSeriesKey(series);
      return { series, ...familyOf(name, types), value: parseRecordedValue(value) };
    });
    samples.push({ timeMs: record.timeMs, points });
  });
  return { samples, tornRecords };
}

export function readCsv(text: string, path = "recording"): Recording {
  const lines = text.split("\n");
  const tail = lines.pop() ?? "";
  let tornRecords = tail.trim() === "" ? 0 : 1;
  const header = lines.shift();
  if (header === undefined) return { samples: [], tornRecords };
  const cells = parseCsvLine(header);
  if (cells[0] !== CSV_TIME_COLUMNS[0] || cells[1] !== CSV_TIME_COLUMNS[1]) throw new RecordingReadError(`Cannot read ${path}: the header must start with ${CSV_TIME_COLUMNS.join(",")}`);
  const columns = cells.slice(CSV_TIME_COLUMNS.length);
  const names = columns.map((series) => parseSeriesKey(series).name);
  const histogramBases = new Set(names.filter((n) => n.endsWith("_bucket")).map((n) => n.slice(0, -"_bucket".length)));
  const meta = names.map((name) => inferFamily(name, histogramBases));
  const samples: RecordedSample[] = [];
  for (const line of lines) {
    if (line.trim() === "") continue;
    const row = parseCsvLine(line);
    if (row.length !== cells.length) {
      tornRecords++;
      continue;
    }
    const points: RecordedPoint[] = [];
    columns.forEach((series, i) => {
      const cell = row[i + CSV_TIME_COLUMNS.length] as string;
      if (cell === "") return;
      const { family, type } = meta[i] as { family: string; type: MetricType };
      points.push({ series, family, type, value: parseRecordedValue(cell) });
    });
    samples.push({ timeMs: Number(row[1]), points });
  }
  return { samples, tornRecords };
}

export function readSqlite(path: string): Recording {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db
      .query<{ time_ms: number; key: string; family: string; type: string; value: number | null }, []>(
        "SELECT v.time_ms, s.key, s.family, s.type, v.value FROM samples v JOIN series s ON s.id = v.series_id ORDER BY v.time_ms, s.key",
      )
      .all();
    const samples: RecordedSample[] = [];
    let current: { timeMs: number; points: RecordedPoint[] } | null = null;
    for (const row of rows) {
      if (!current || current.timeMs !== row.time_ms) {
        current = { timeMs: row.time_ms, points: [] };
        samples.push(current);
      }
      current.points.push({ series: row.key, family: row.family, type: row.type as MetricType, value: row.value === null ? NaN : row.value });
    }
    return { samples, tornRecords: 0 };
  } finally {
    db.close();
  }
}

/** A textfile (one sample, time = the file's mtime) or our own `--format prom` export (timestamps). */
export function readExposition(text: string, mtimeMs: number): Recording {
  const byTime = new Map<number, RecordedPoint[]>();
  for (const family of parseExposition(text)) {
    // OpenMetrics counters are named without _total; the recording's families keep it, as text 0.0.4 does.
    const familyName = family.type === "counter" && !family.name.endsWith("_total") && family.samples.every((s) => s.name !== family.name) ? `${family.name}_total` : family.name;
    for (const sample of family.samples) {
      const timeMs = sample.timestampMs ?? mtimeMs;
      let points = byTime.get(timeMs);
      if (!points) byTime.set(timeMs, (points = []));
      points.push({ series: seriesKey(sample.name, sample.labels), family: familyName, type: family.type, value: sample.value });
    }
  }
  return { samples: [...byTime.entries()].map(([timeMs, points]) => ({ timeMs, points })), tornRecords: 0 };
}
