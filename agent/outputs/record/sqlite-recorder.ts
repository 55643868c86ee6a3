/**
 * SQLite through bun:sqlite, one row per sample and series, indexed by time. Each
 * sample is one transaction in WAL mode: a killed agent leaves every committed
 * sample readable, and a failed write (SQLITE_FULL) rolls back whole.
 *
 * Schema (vigil.record/v1):
 *   meta(key TEXT PRIMARY KEY, value TEXT)                 -- format, created_ms, agent_version
 *   series(id INTEGER PRIMARY KEY, key TEXT UNIQUE,        -- key: name{label="v",...}, labels sorted
 *          name TEXT, labels TEXT, family TEXT, type TEXT) -- labels: JSON object; type: counter|gauge|histogram|...
 *   samples(time_ms INTEGER, series_id INTEGER REFERENCES series(id), value REAL,  -- NULL value = NaN
 *           PRIMARY KEY (time_ms, series_id)) WITHOUT ROWID -- the key is the time index
 *
 *   SELECT s.key, v.time_ms, v.value FROM samples v JOIN series s ON s.id = v.series_id
 *   WHERE s.name = 'node_load1' AND v.time_ms BETWEEN ? AND ? ORDER BY v.time_ms;
 */
import { Database, type Statement } from "bun:sqlite";
import type { MetricFamily } from "../../exposition/family.ts";
import { type RecordedSample, parseSeriesKey } from "./recorded-sample.ts";
import { RecordWriteError } from "./record-errors.ts";
import type { Recorder } from "./recorder.ts";

export const SQLITE_RECORD_FORMAT = "vigil.record/v1";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS series (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, name TEXT NOT NULL, labels TEXT NOT NULL, family TEXT NOT NULL, type TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS series_name ON series(name);
CREATE TABLE IF NOT EXISTS samples (time_ms INTEGER NOT NULL, series_id INTEGER NOT NULL REFERENCES series(id), value REAL, PRIMARY KEY (time_ms, series_id)) WITHOUT ROWID;
`;

export class SqliteRecorder implements Recorder {
  readonly path: string;
  readonly #db: Database;
  readonly #seriesIds = new Map<string, number>();
  readonly #insertSeries: Statement;
  readonly #insertSample: Statement;
  readonly #writeSample: (sample: RecordedSample) => void;

  constructor(path: string, options: { version: string; now?: () => number }) {
    this.path = path;
    this.#db = new Database(path, { create: true, strict: true });
    this.#db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 1000;");
    this.#db.exec(SCHEMA);
    const meta = this.#db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)");
    meta.run("format", SQLITE_RECORD_FORMAT);
    meta.run("created_ms", String((options.now ?? Date.now)()));
    meta.run("agent_version", options.version);
    for (const row of this.#db.query<{ id: number; key: string }, []>("SELECT id, key FROM series").all()) this.#seriesIds.set(row.key, row.id);
    this.#insertSeries = this.#db.prepare("INSERT INTO series (key, name, labels, family, type) VALUES (?, ?, ?, ?, ?) RETURNING id");
    this.#insertSample = this.#db.prepare("INSERT OR REPLACE INTO samples (time_ms, series_id, value) VALUES (?, ?, ?)");
    this.#writeSample = this.#db.transaction((sample: RecordedSample) => {
      const added: string[] = [];
      try {
        for (const point of sample.points) {
          let id = this.#seriesIds.get(point.series);
          if (id === undefined) {
            const { name, labels } = parseSeriesKey(point.series);
            id = (this.#insertSeries.get(point.series, name, JSON.stringify(labels), point.family, point.type) as { id: number }).id;
            this.#seriesIds.set(point.series, id);
            added.push(point.series);
          }
          this.#insertSample.run(Math.round(sample.timeMs), id, Number.isNaN(point.value) ? null : point.value);
        }
      } catch (error) {
        // The transaction rolls back: forget the series ids it would have created.
        for (const series of added) this.#seriesIds.delete(series);
        throw error;
      }
    });
  }

  write(sample: RecordedSample, _families: readonly MetricFamily[]): void {
    try {
      this.#writeSample(sample);
    } catch (error) {
      const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : "write";
      throw new RecordWriteError(code, `Cannot write to the recording ${this.path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }

  close(): void {
    // Fold the WAL back so the .sqlite file alone is the whole recording.
    try {
      this.#db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    } finally {
      this.#db.close();
    }
  }
}
