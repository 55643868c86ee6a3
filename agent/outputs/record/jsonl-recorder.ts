/**
 * JSON Lines: one self-describing object per sample,
 * `{"timeMs":1764629000000,"types":{"node_load1":"gauge"},"values":{"node_load1":0.42}}`.
 * Non-finite values are written as the strings "NaN", "+Inf", "-Inf" (JSON has none).
 */
import type { MetricFamily } from "../../exposition/family.ts";
import { AppendFile, type AppendFs } from "./append-file.ts";
import { type RecordedSample, formatRecordedValue } from "./recorded-sample.ts";
import type { Recorder } from "./recorder.ts";

export class JsonlRecorder implements Recorder {
  readonly path: string;
  readonly #file: AppendFile;

  constructor(path: string, options: { fs?: AppendFs } = {}) {
    this.path = path;
    this.#file = new AppendFile(path, options);
  }

  write(sample: RecordedSample, _families: readonly MetricFamily[]): void {
    this.#file.append(`${jsonlLine(sample)}\n`);
  }

  close(): void {
    this.#file.close();
  }
}

/** One sample as one JSON line (no newline). */
export function jsonlLine(sample: RecordedSample): string {
  const types: Record<string, string> = {};
  const values: Record<string, number | string> = {};
  for (const point of sample.points) {
    types[point.family] = point.type;
    values[point.series] = Number.isFinite(point.value) ? point.value : formatRecordedValue(point.value);
  }
  return JSON.stringify({ timeMs: sample.timeMs, types, values });
}
