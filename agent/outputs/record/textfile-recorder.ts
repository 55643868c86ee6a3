/**
 * A node_exporter textfile (`--collector.textfile.directory`): the latest sample's
 * families as text 0.0.4, without timestamps (node_exporter 1.5 skips a file with
 * them), written to a temporary file in the same directory, fsynced and renamed so
 * node_exporter never reads half a file. Removed on shutdown: stale values must not
 * outlive the agent.
 */
import * as fs from "node:fs";
import type { MetricFamily } from "../../exposition/family.ts";
import { writeTextExposition } from "../../exposition/write-exposition.ts";
import type { RecordedSample } from "./recorded-sample.ts";
import { RecordWriteError, errnoOf } from "./record-errors.ts";
import type { Recorder } from "./recorder.ts";

export class TextfileRecorder implements Recorder {
  readonly path: string;
  readonly #include: (family: string) => boolean;
  readonly #tmp: string;

  constructor(path: string, options: { include: (family: string) => boolean }) {
    this.path = path;
    this.#include = options.include;
    // node_exporter reads only *.prom, so the temporary name must not end in .prom.
    this.#tmp = `${path}.${process.pid}.tmp`;
    // Probe now: an unwritable directory fails at start, not at the first sample.
    fs.writeFileSync(this.#tmp, "");
    fs.unlinkSync(this.#tmp);
  }

  write(_sample: RecordedSample, families: readonly MetricFamily[]): void {
    const body = writeTextExposition(families.filter((f) => this.#include(f.name)).map((f) => ({ ...f, samples: f.samples.map(({ timestampMs: _, ...s }) => s) })));
    let fd: number | null = null;
    try {
      fd = fs.openSync(this.#tmp, "w");
      fs.writeSync(fd, body);
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      fd = null;
      fs.renameSync(this.#tmp, this.path);
    } catch (error) {
      if (fd !== null) fs.closeSync(fd);
      fs.rmSync(this.#tmp, { force: true });
      throw new RecordWriteError(errnoOf(error), `Cannot write the textfile ${this.path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }

  close(): void {
    fs.rmSync(this.path, { force: true });
    fs.rmSync(this.#tmp, { force: true });
  }
}
