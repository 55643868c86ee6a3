/**
 * The CLI's run: fingerprint the target, run the scenario with Ctrl-C handling and the live line,
 * build and write the report, print the summary. Returns the exit code.
 */
import { mkdir } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { UsageError } from "../../agent/errors.ts";
import { buildReport } from "../report/build-report.ts";
import { fingerprintEnvironment, fingerprintTarget } from "../report/environment-fingerprint.ts";
import { openNdjsonWriter } from "../report/ndjson-writer.ts";
import { jsonReportWriter, reportDirectory, reportId, writeReport } from "../report/write-report.ts";
import { attachTelemetry } from "../correlate/attach-telemetry.ts";
import { collectTelemetry } from "../correlate/collect-telemetry.ts";
import { htmlReportWriter } from "../report/html/html-report-writer.ts";
import type { LoadRunner } from "../runner/load-runner.ts";
import { runScenario } from "../run-scenario.ts";
import type { NormalizedScenario } from "../scenario/normalized-scenario.ts";
import type { MetricsRecorder } from "../stats/metrics-recorder.ts";
import { progressOf, renderLiveLine } from "../terminal/live-line.ts";
import { renderSummaryTable, summaryJson } from "../terminal/summary-table.ts";
import { parseDataset } from "../workload/read-dataset.ts";
import { createRequestSource } from "../workload/request-source.ts";
import type { LoadtestCommand } from "./parse-args.ts";
import { mergeRuns } from "../compare/merge-runs.ts";
import { BaselineRefusedError, writeBaseline } from "../compare/write-baseline.ts";

/** Headers of every request: JSON body, the scenario's own, and the API key when configured. */
export function requestHeaders(scenario: NormalizedScenario, env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const headers: Record<string, string> = { "content-type": "application/json", ...scenario.target.headers };
  if (scenario.target.apiKeyEnv !== null) {
    const key = env[scenario.target.apiKeyEnv];
    if (key === undefined || key === "") throw new UsageError(`target.apiKeyEnv names ${scenario.target.apiKeyEnv}, which is not set in the environment`);
    headers.authorization = `Bearer ${key}`;
  }
  return headers;
}

/** Runs the loaded scenario as the CLI does. */
export async function runLoadtest(scenario: NormalizedScenario, command: Extract<LoadtestCommand, { kind: "run" }>, argv: readonly string[]): Promise<number> {
  const headers = requestHeaders(scenario, process.env);
  const prompts = scenario.workload.prompts;
  let dataset = undefined;
  if (prompts.kind === "dataset") {
    const path = isAbsolute(prompts.path) ? prompts.path : resolve(dirname(scenario.file), prompts.path);
    if (!(await Bun.file(path).exists())) throw new UsageError(`workload.prompts.path: cannot read ${path}: no such file`);
    dataset = parseDataset(await Bun.file(path).text(), path);
  }
  const source = createRequestSource(scenario, dataset);
  const target = await fingerprintTarget(scenario.target.url, { headers });
  const environment = await fingerprintEnvironment(target);
  const startedAtEpochMs = Date.now();
  const id = reportId(scenario.name, startedAtEpochMs);
  const directory = reportDirectory(command.outRoot, id);
  let originMs = performance.now();
  let ndjson: ReturnType<typeof openNdjsonWriter> | null = null;
  if (command.ndjson) {
    await mkdir(directory, { recursive: true });
    ndjson = openNdjsonWriter(join(directory, "requests.ndjson"), () => originMs);
  }
  const live = process.stderr.isTTY && !command.quiet;
  let runner: LoadRunner | null = null;
  let recorder: MetricsRecorder | null = null;
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write(`\nloadtest: stopping; in-flight requests get ${scenario.gracefulStopMs / 1000}s (Ctrl-C again to abort them)\n`);
      runner?.stop();
    } else runner?.abortAll("aborted by a second Ctrl-C");
  };
  process.on("SIGINT", onSigint);
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
  const results: Awaited<ReturnType<typeof runScenario>>[] = [];
  try {
    for (let repetition = 0; repetition < command.repeat && (repetition === 0 || interrupts === 0); repetition++) {
      results.push(await runScenario(scenario, {
        source: repetition === 0 ? source : createRequestSource(scenario, dataset),
        send: { baseUrl: scenario.target.url, headers, stream: scenario.workload.stream, fetch, now: () => performance.now() },
        wallNow: Date.now,
        requestIdPrefix: id,
        onRecord: ndjson ? (record) => ndjson?.write(record) : undefined,
        onRunner: (r, rec) => {
          runner = r;
          recorder = rec;
          originMs = rec.options.originMs;
        },
      }));
    }
  } finally {
    if (ticker) clearInterval(ticker);
    process.off("SIGINT", onSigint);
    if (live) process.stderr.write("\r\x1b[2K");
    await ndjson?.close();
  }
  let report = mergeRuns(results.map((result) => buildReport({ scenario, result, environment, argv, id })));
  // Issue 6: join the agent's (or Prometheus') telemetry for the run window, then write the HTML beside the JSON.
  if (command.prometheus || scenario.agent) {
    const telemetry = await collectTelemetry(report, { agentUrl: scenario.agent ?? undefined, prometheusUrl: command.prometheus ?? undefined, prometheusSelector: command.prometheusSelector });
    report = attachTelemetry(report, telemetry);
  }
  await writeReport(report, directory, [jsonReportWriter, htmlReportWriter]);
  const reportPath = join(directory, "report.json");
  if (command.baseline) {
    try {
      process.stderr.write(`loadtest: baseline written to ${await writeBaseline(report)} (${report.runs.length} run${report.runs.length === 1 ? "" : "s"})\n`);
    } catch (error) {
      if (!(error instanceof BaselineRefusedError)) throw error;
      process.stderr.write(`loadtest: ${error.message}\n`);
    }
  }
  const table = renderSummaryTable(report, reportPath);
  if (command.json) {
    process.stdout.write(`${JSON.stringify(summaryJson(report, reportPath), null, 2)}\n`);
    process.stderr.write(table);
  } else process.stdout.write(table);
  return report.run.exitCode;
}
