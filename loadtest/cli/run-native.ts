/**
 * The native runner as the CLI drives it: `--repeat` repetitions, Ctrl-C (stop, then abort), the live
 * line on a TTY, and the optional requests.ndjson. Returns one run result per repetition.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { openNdjsonWriter } from "../report/ndjson-writer.ts";
import { describeClient } from "../report/describe-client.ts";
import { closeTransport, createTransport } from "../runner/create-transport.ts";
import type { LoadRunner } from "../runner/load-runner.ts";
import { runScenario, type ScenarioRunResult } from "../run-scenario.ts";
import type { NormalizedScenario } from "../scenario/normalized-scenario.ts";
import type { MetricsRecorder } from "../stats/metrics-recorder.ts";
import { progressOf, renderLiveLine } from "../terminal/live-line.ts";
import type { RequestSource } from "../workload/request-source.ts";
import { onInterrupt } from "./on-interrupt.ts";
import type { RunCommand } from "./run-loadtest.ts";

/** What the native run needs besides the scenario. */
export interface NativeRunContext {
  /** A fresh seeded request source per repetition. */
  readonly sources: () => RequestSource;
  readonly headers: Readonly<Record<string, string>>;
  readonly requestIdPrefix: string;
  /** The report folder (requests.ndjson goes there). */
  readonly directory: string;
}

/** Runs the scenario `command.repeat` times (fewer after Ctrl-C). */
export async function runNative(scenario: NormalizedScenario, command: RunCommand, context: NativeRunContext): Promise<ScenarioRunResult[]> {
  let originMs = performance.now();
  let ndjson: ReturnType<typeof openNdjsonWriter> | null = null;
  if (command.ndjson) {
    await mkdir(context.directory, { recursive: true });
    ndjson = openNdjsonWriter(join(context.directory, "requests.ndjson"), () => originMs);
  }
  const live = process.stderr.isTTY && !command.quiet;
  let runner: LoadRunner | null = null;
  let recorder: MetricsRecorder | null = null;
  let interrupts = 0;
  using _interrupt = onInterrupt((count) => {
    interrupts = count;
    if (count === 1) {
      process.stderr.write(`\nloadtest: stopping; in-flight requests get ${scenario.gracefulStopMs / 1000}s (Ctrl-C again to abort them)\n`);
      runner?.stop();
    } else runner?.abortAll("aborted by a second Ctrl-C");
  });
  let lastCompleted = 0;
  const ticker = live
    ? setInterval(() => {
        if (!runner || !recorder) return;
        const rate = recorder.completed - lastCompleted;
        lastCompleted = recorder.completed;
        process.stderr.write(`\r\x1b[2K${renderLiveLine(progressOf(recorder, { elapsedMs: performance.now() - originMs, inFlight: runner.inFlight, ratePerS: rate }))}`);
      }, 1000)
    : undefined;
  // --repeat N (issue 7): N runs of the same plan, merged into one report whose runs[] keeps each.
  const results: ScenarioRunResult[] = [];
  const transport = createTransport(scenario.target.url, context.headers, command.httpClient);
  // An https:// target on fetch is expected; kernel stamps asked for and missing is worth a line.
  if (transport.info.client === "http1" && transport.info.fallbackReason !== null && !command.quiet) process.stderr.write(`loadtest: ${describeClient(transport.info)}\n`);
  try {
    for (let repetition = 0; repetition < command.repeat && (repetition === 0 || interrupts === 0); repetition++) {
      results.push(await runScenario(scenario, {
        source: context.sources(),
        send: { baseUrl: scenario.target.url, headers: context.headers, stream: scenario.workload.stream, transport, now: () => performance.now() },
        wallNow: Date.now,
        requestIdPrefix: context.requestIdPrefix,
        onRecord: ndjson ? (record) => ndjson?.write(record) : undefined,
        onRunner: (r, rec) => {
          runner = r;
          recorder = rec;
          originMs = rec.options.originMs;
        },
      }));
    }
  } finally {
    closeTransport(transport);
    if (ticker) clearInterval(ticker);
    if (live) process.stderr.write("\r\x1b[2K");
    await ndjson?.close();
  }
  return results;
}
