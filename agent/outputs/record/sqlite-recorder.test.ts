import { Database } from "bun:sqlite";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readSqlite } from "../../export/read-recording.ts";
import { SqliteRecorder } from "./sqlite-recorder.ts";

describe("SqliteRecorder", () => {
  it("stores one row per sample and series in the documented schema, queryable by name and time", () => {
    const path = join(mkdtempSync(join(tmpdir(), "vigil-sqlite-")), "r.sqlite");
    const recorder = new SqliteRecorder(path, { version: "9.9.9", now: () => 42 });
    for (const [timeMs, value] of [[1000, 1], [2000, 2], [3000, NaN]] as const) {
      recorder.write({ timeMs, points: [
        { series: 'node_cpu_seconds_total{cpu="0",mode="idle"}', family: "node_cpu_seconds_total", type: "counter", value },
        { series: "node_load1", family: "node_load1", type: "gauge", value: 0.5 },
      ] }, []);
    }
    recorder.close();
    const db = new Database(path, { readonly: true });
    expect(db.query("SELECT key, value FROM meta ORDER BY key").all()).toEqual([
      { key: "agent_version", value: "9.9.9" },
      { key: "created_ms", value: "42" },
      { key: "format", value: "vigil.record/v1" },
    ]);
    expect(db.query("SELECT name, labels, family, type FROM series ORDER BY id").all()).toEqual([
      { name: "node_cpu_seconds_total", labels: '{"cpu":"0","mode":"idle"}', family: "node_cpu_seconds_total", type: "counter" },
      { name: "node_load1", labels: "{}", family: "node_load1", type: "gauge" },
    ]);
    const rows = db.query("SELECT v.time_ms, v.value FROM samples v JOIN series s ON s.id = v.series_id WHERE s.name = ? AND v.time_ms BETWEEN ? AND ? ORDER BY v.time_ms").all("node_cpu_seconds_total", 1500, 3000);
    expect(rows).toEqual([{ time_ms: 2000, value: 2 }, { time_ms: 3000, value: null }]);
    db.close();
    expect(readSqlite(path).samples.map((s) => s.points.length)).toEqual([2, 2, 2]);
  });
});
