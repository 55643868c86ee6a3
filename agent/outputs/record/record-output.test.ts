import { describe, expect, it } from "vitest";
import type { MetricFamily } from "../../exposition/family.ts";
import { createLogger } from "../../log.ts";
import type { Sample } from "../../sample.ts";
import type { RecordedSample } from "./recorded-sample.ts";
import { RecordOutput } from "./record-output.ts";
import { RecordWriteError } from "./record-errors.ts";
import type { Recorder } from "./recorder.ts";

const sample = (timeMs: number): Sample => ({ timeMs, durationMs: 1, gpus: [], host: null, vllm: [], sources: [], errors: [] });
const families = async (s: Sample): Promise<MetricFamily[]> => [{ name: "node_load1", help: "", type: "gauge", samples: [{ name: "node_load1", labels: {}, value: s.timeMs }] }];

/** A recorder whose disk can be filled. */
class FillableRecorder implements Recorder {
  readonly path = "/fake/r.jsonl";
  full = false;
  readonly written: RecordedSample[] = [];
  write(s: RecordedSample): void {
    if (this.full) throw new RecordWriteError("ENOSPC", `Cannot append to the recording ${this.path}: ENOSPC: no space left on device`);
    this.written.push(s);
  }
  close(): void {}
}

describe("RecordOutput", () => {
  it("counts and logs a full disk once, then resumes by itself", async () => {
    const lines: string[] = [];
    const recorder = new FillableRecorder();
    const output = new RecordOutput({ recorder, include: () => true, families, logger: createLogger("info", { write: (l) => lines.push(l) }) });
    const settle = () => new Promise((resolve) => setTimeout(resolve, 5));
    output.onSample(sample(1));
    await settle();
    recorder.full = true;
    for (const t of [2, 3, 4]) {
      output.onSample(sample(t));
      await settle();
    }
    expect(output.stats).toMatchObject({ sent: 1, errors: 3, dropped: 3, up: false });
    recorder.full = false;
    output.onSample(sample(5));
    await output.stop();
    expect(recorder.written.map((s) => s.timeMs)).toEqual([1, 5]);
    expect(recorder.written[1]?.points).toEqual([{ series: "node_load1", family: "node_load1", type: "gauge", value: 5 }]);
    expect(lines.filter((l) => l.includes("no space left"))).toHaveLength(1);
    expect(lines.filter((l) => l.includes("resumed"))).toHaveLength(1);
  });

  it("bounds the samples waiting to be written, dropping the oldest", async () => {
    const recorder = new FillableRecorder();
    const output = new RecordOutput({ recorder, include: () => true, families, logger: createLogger("error"), maxPending: 2 });
    for (const t of [1, 2, 3, 4, 5]) output.onSample(sample(t));
    await output.stop();
    expect(recorder.written.map((s) => s.timeMs)).toEqual([4, 5]);
    expect(output.stats.dropped).toBe(3);
  });
});
