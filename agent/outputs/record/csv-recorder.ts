/**
 * CSV with one column per series and a header fixed by the first sample (or by the
 * file's existing header when appending), so every row has the same columns:
 * `time,time_ms,<series...>` with series sorted. A series missing from a sample is an
 * empty cell; a series that appears later is not recorded (logged once by the caller
 * through `newSeries`): CSV cannot grow columns. Use .jsonl or .sqlite for that.
 */
import { readFileSync } from "node:fs";
import type { MetricFamily } from "../../exposition/family.ts";
import { AppendFile, type AppendFs } from "./append-file.ts";
import { type RecordedSample, formatRecordedValue } from "./recorded-sample.ts";
import type { Recorder } from "./recorder.ts";

export const CSV_TIME_COLUMNS = ["time", "time_ms"] as const;

export class CsvRecorder implements Recorder {
  readonly path: string;
  readonly #file: AppendFile;
  #columns: string[] | null = null;
  /** The header's series as a set: the per-sample check for late series stays O(series). */
  #columnSet = new Set<string>();
  /** Series seen after the header was fixed, so each is reported once. */
  readonly #skipped = new Set<string>();
  readonly #onNewSeries: (series: string) => void;

  constructor(path: string, options: { fs?: AppendFs; onNewSeries?: (series: string) => void } = {}) {
    this.path = path;
    this.#file = new AppendFile(path, options);
    this.#onNewSeries = options.onNewSeries ?? (() => undefined);
    if (this.#file.size > 0) {
      const firstLine = readFileSync(path, "utf8").split("\n", 1)[0] ?? "";
      this.#columns = parseCsvLine(firstLine).slice(CSV_TIME_COLUMNS.length);
      this.#columnSet = new Set(this.#columns);
    }
  }

  write(sample: RecordedSample, _families: readonly MetricFamily[]): void {
    const values = new Map(sample.points.map((p) => [p.series, p.value]));
    let text = "";
    if (this.#columns === null) {
      const columns = [...values.keys()].sort();
      text += `${[...CSV_TIME_COLUMNS, ...columns].map(csvCell).join(",")}\n`;
      // Fixed only once the header is on disk (below): a failed first write tries again.
      text += csvRow(sample.timeMs, columns, values);
      this.#file.append(text);
      this.#columns = columns;
      this.#columnSet = new Set(columns);
      return;
    }
    for (const series of values.keys()) {
      if (this.#skipped.has(series) || this.#columnSet.has(series)) continue;
      this.#skipped.add(series);
      this.#onNewSeries(series);
    }
    this.#file.append(csvRow(sample.timeMs, this.#columns, values));
  }

  close(): void {
    this.#file.close();
  }
}

function csvRow(timeMs: number, columns: readonly string[], values: ReadonlyMap<string, number>): string {
  const cells = [new Date(timeMs).toISOString(), String(timeMs)];
  for (const column of columns) {
    const value = values.get(column);
    cells.push(value === undefined ? "" : formatRecordedValue(value));
  }
  return `${cells.map(csvCell).join(",")}\n`;
}

/** RFC 4180: quote cells with a comma, quote or newline, doubling the quotes. */
export function csvCell(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Splits one RFC 4180 line into cells (no embedded newlines: series keys have none). */
export function parseCsvLine(line: string): string[] {
  const cells: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let cell = "";
      i++;
      for (;;) {
        const quote = line.indexOf('"', i);
        if (quote === -1) throw new Error(`unterminated quoted cell in CSV line: ${line.slice(0, 80)}`);
        cell += line.slice(i, quote);
        if (line[quote + 1] === '"') {
          cell += '"';
          i = quote + 2;
        } else {
          i = quote + 1;
          break;
        }
      }
      cells.push(cell);
      i++; // the comma
    } else {
      const comma = line.indexOf(",", i);
      const end = comma === -1 ? line.length : comma;
      cells.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return cells;
}
