import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readCsv } from "../../export/read-recording.ts";
import { CsvRecorder, parseCsvLine } from "./csv-recorder.ts";
import type { RecordedSample } from "./recorded-sample.ts";

const sample = (timeMs: number, values: Record<string, number>): RecordedSample => ({
  timeMs,
  points: Object.entries(values).map(([series, value]) => ({ series, family: series.split("{")[0] as string, type: "gauge", value })),
});

describe("CsvRecorder", () => {
  it("keeps the header of the first sample, leaves missing cells empty, and reports late series", () => {
    const path = join(mkdtempSync(join(tmpdir(), "vigil-csv-")), "r.csv");
    const late: string[] = [];
    const recorder = new CsvRecorder(path, { onNewSeries: (s) => late.push(s) });
    recorder.write(sample(1000, { 'a{x="1,2"}': 1, b: 2 }), []);
    recorder.write(sample(2000, { b: NaN, c: 3 }), []);
    recorder.close();
    const lines = readFileSync(path, "utf8").trimEnd().split("\n");
    expect(lines[0]).toBe('time,time_ms,"a{x=""1,2""}",b');
    expect(parseCsvLine(lines[2] as string)).toEqual(["1970-01-01T00:00:02.000Z", "2000", "", "NaN"]);
    expect(late).toEqual(["c"]);

    // Appending to the file reuses its header.
    const again = new CsvRecorder(path);
    again.write(sample(3000, { b: 4, 'a{x="1,2"}': 5 }), []);
    again.close();
    const { samples, tornRecords } = readCsv(readFileSync(path, "utf8"));
    expect(tornRecords).toBe(0);
    expect(samples.map((s) => Object.fromEntries(s.points.map((p) => [p.series, p.value])))).toEqual([{ 'a{x="1,2"}': 1, b: 2 }, { b: NaN }, { 'a{x="1,2"}': 5, b: 4 }]);
  });
});
