/**
 * Feeds samples to a Recorder off the sampling path: onSample() only queues (at most
 * `maxPending` samples; beyond that the oldest is dropped and counted), the write
 * happens on a later turn of the event loop. A failing write (disk full) is counted
 * and logged once when it starts and once when it ends; recording resumes by itself.
 */
import type { RecordConfig } from "../../config/agent-config.ts";
import type { MetricFamily } from "../../exposition/family.ts";
import type { Logger } from "../../log.ts";
import type { Sample } from "../../sample.ts";
import { OutputStats } from "../output-stats.ts";
import { CsvRecorder } from "./csv-recorder.ts";
import { JsonlRecorder } from "./jsonl-recorder.ts";
import { metricFilter } from "./metric-filter.ts";
import { recordedSampleOf } from "./recorded-sample.ts";
import { RecordPathError, RecordWriteError } from "./record-errors.ts";
import type { Recorder } from "./recorder.ts";
import { SqliteRecorder } from "./sqlite-recorder.ts";
import { TextfileRecorder } from "./textfile-recorder.ts";

export interface RecordOutputOptions {
  readonly recorder: Recorder;
  readonly include: (family: string) => boolean;
  /** The families /metrics would render for a sample (the same single name table). */
  readonly families: (sample: Sample) => Promise<MetricFamily[]>;
  readonly logger: Logger;
  readonly maxPending?: number;
}

/** Opens the recorder for `config`, or throws RecordPathError with a line an operator can act on. */
export function openRecorder(config: RecordConfig, options: { version: string; logger: Logger }): Recorder {
  const include = metricFilter(config.metrics);
  try {
    switch (config.format) {
      case "jsonl":
        return new JsonlRecorder(config.path);
      case "csv": {
        // Once per recording, not per series: a vLLM that comes up late brings hundreds at once.
        let warned = false;
        return new CsvRecorder(config.path, {
          onNewSeries: (series) => {
            if (warned) return;
            warned = true;
            options.logger.warn("Series appeared after the CSV header was written; they are not recorded (use .jsonl or .sqlite to keep every series)", { first: series, file: config.path });
          },
        });
      }
      case "sqlite":
        return new SqliteRecorder(config.path, { version: options.version });
      case "textfile":
        return new TextfileRecorder(config.path, { include });
    }
  } catch (error) {
    throw new RecordPathError(`Cannot record to ${config.path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

export class RecordOutput {
  readonly stats = new OutputStats("record");
  readonly #options: RecordOutputOptions;
  readonly #pending: Sample[] = [];
  #running: Promise<void> | null = null;
  #failing: string | null = null;
  #closed = false;

  constructor(options: RecordOutputOptions) {
    this.#options = options;
  }

  onSample(sample: Sample): void {
    if (this.#closed) return;
    this.#pending.push(sample);
    const maxPending = this.#options.maxPending ?? 16;
    while (this.#pending.length > maxPending) {
      this.#pending.shift();
      this.stats.dropped += 1;
    }
    this.stats.queued = this.#pending.length;
    // setTimeout, not a microtask: the scrape that triggered this sample is answered first.
    this.#running ??= new Promise<void>((resolve) => setTimeout(resolve, 0)).then(() => this.#drain()).finally(() => {
      this.#running = null;
    });
  }

  /** Writes what is queued, then closes the file. */
  async stop(): Promise<void> {
    this.#closed = true;
    await this.#running;
    await this.#drain();
    try {
      this.#options.recorder.close();
    } catch (error) {
      this.#options.logger.warn(`Cannot close the recording ${this.#options.recorder.path}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async #drain(): Promise<void> {
    while (this.#pending.length > 0) {
      const sample = this.#pending.shift() as Sample;
      this.stats.queued = this.#pending.length;
      const families = await this.#options.families(sample);
      try {
        this.#options.recorder.write(recordedSampleOf(sample.timeMs, families, this.#options.include), families);
        this.stats.sent += 1;
        this.stats.up = true;
        if (this.#failing !== null) {
          this.#options.logger.info(`Recording to ${this.#options.recorder.path} resumed`, { dropped_total: this.stats.dropped });
          this.#failing = null;
        }
      } catch (error) {
        this.stats.errors += 1;
        this.stats.dropped += 1;
        this.stats.up = false;
        const code = error instanceof RecordWriteError ? error.code : "write";
        if (this.#failing !== code) {
          this.#failing = code;
          this.#options.logger.warn(`${error instanceof Error ? error.message : String(error)}; samples are dropped until writing works again`, { code });
        }
      }
    }
  }
}
