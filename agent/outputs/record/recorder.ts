/** The contract of every recording format. */
import type { MetricFamily } from "../../exposition/family.ts";
import type { RecordedSample } from "./recorded-sample.ts";

/** A recording: opened at start (RecordPathError), written per sample (RecordWriteError), closed on stop. */
export interface Recorder {
  readonly path: string;
  /** Writes one sample; on failure throws and leaves what was written before intact. */
  write(sample: RecordedSample, families: readonly MetricFamily[]): void;
  close(): void;
}
