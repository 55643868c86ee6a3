/**
 * The CLI's run: fingerprint the target, generate the load with the chosen runner (native, autocannon,
 * k6, or a k6 result file to ingest), build and write the report, print the summary. Returns the exit code.
 */
import { dirname, isAbsolute, join, resolve } from "node:path";
import { UsageError } from "../../agent/errors.ts";
import { buildReport, withRunnerInfo } from "../report/build-report.ts";
import { fingerprintEnvironment, fingerprintTarget } from "../report/environment-fingerprint.ts";
import type { EnvironmentFingerprint, Report } from "../report/report-types.ts";
import { jsonReportWriter, reportDirectory, reportId, writeReport } from "../report/write-report.ts";
import { attachTelemetry } from "../correlate/attach-telemetry.ts";
import { collectTelemetry } from "../correlate/collect-telemetry.ts";
import { htmlReportWriter } from "../report/html/html-report-writer.ts";
import { autocannonLoad, runAutocannon } from "../runners/autocannon/run-autocannon.ts";
import { k6Load } from "../runners/k6/k6-load.ts";
import { ingestK6Files } from "../runners/k6/ingest-k6.ts";
import { runK6 } from "../runners/k6/run-k6.ts";
import type { NormalizedScenario } from "../scenario/normalized-scenario.ts";
import { renderSummaryTable, summaryJson } from "../terminal/summary-table.ts";
import { parseDataset } from "../workload/read-dataset.ts";
import { createRequestSource, type RequestSource } from "../workload/request-source.ts";
import type { LoadtestCommand } from "./parse-args.ts";
import { mergeRuns } from "../compare/merge-runs.ts";
import { BaselineRefusedError, writeBaseline } from "../compare/write-baseline.ts";
import { runNative } from "./run-native.ts";
import { onInterrupt } from "./on-interrupt.ts";

/** A parsed `run` command. */
export type RunCommand = Extract<LoadtestCommand, { kind: "run" }>;

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

/** The scenario's request source factory (one fresh, seeded source per repetition). */
async function requestSources(scenario: NormalizedScenario): Promise<(asRun?: NormalizedScenario) => RequestSource> {
  const prompts = scenario.workload.prompts;
  if (prompts.kind !== "dataset") return (asRun = scenario) => createRequestSource(asRun);
  const path = isAbsolute(prompts.path) ? prompts.path : resolve(dirname(scenario.file), prompts.path);
  if (!(await Bun.file(path).exists())) throw new UsageError(`workload.prompts.path: cannot read ${path}: no such file`);
  const dataset = parseDataset(await Bun.file(path).text(), path);
  return (asRun = scenario) => createRequestSource(asRun, dataset);
}

/** Runs the loaded scenario as the CLI does. */
export async function runLoadtest(scenario: NormalizedScenario, command: RunCommand, argv: readonly string[]): Promise<number> {
  const startedAtEpochMs = Date.now();
  const id = reportId(scenario.name, startedAtEpochMs);
  const directory = reportDirectory(command.outRoot, id);
  const ingesting = command.ingestK6.length > 0;
  // A scenario the runner cannot run is refused before the target is contacted.
  if (!ingesting && command.runner === "autocannon") autocannonLoad(scenario);
  if (!ingesting && command.runner === "k6") k6Load(scenario);
  // An ingested k6 file was measured elsewhere: the target is not contacted, and no API key is needed.
  const headers = ingesting ? { "content-type": "application/json" } : requestHeaders(scenario, process.env);
  const target = ingesting
    ? { url: scenario.target.url, models: null, version: null, errors: [`not contacted: the report is ingested from k6 results (${command.ingestK6.join(", ")})`] }
    : await fingerprintTarget(scenario.target.url, { headers });
  const environment = await fingerprintEnvironment(target);
  const reports = await measure(scenario, command, { argv, id, directory, headers, environment });
  if (typeof reports === "number") return reports;
  return finish(mergeRuns(reports), scenario, command, directory);
}

interface MeasureContext {
  readonly argv: readonly string[];
  readonly id: string;
  readonly directory: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly environment: EnvironmentFingerprint;
}

/** One report per repetition from the chosen runner, or an exit code when there is nothing to report (k6 not installed). */
async function measure(scenario: NormalizedScenario, command: RunCommand, context: MeasureContext): Promise<Report[] | number> {
  const base = { scenario, environment: context.environment, argv: context.argv, id: context.id };
  if (command.ingestK6.length > 0) {
    const ingested = await ingestK6Files(command.ingestK6, scenario);
    return [withRunnerInfo(buildReport({ ...base, result: ingested.result, runner: "k6" }), ingested.info, { findings: ingested.findings, limitsReason: ingested.limitsReason })];
  }
  const sources = await requestSources(scenario);
  switch (command.runner) {
    case "native":
      return (await runNative(scenario, command, { sources, headers: context.headers, requestIdPrefix: context.id, directory: context.directory })).map((result) => buildReport({ ...base, result }));
    case "autocannon": {
      const reports: Report[] = [];
      const controller = new AbortController();
      using _interrupt = onInterrupt(() => {
        process.stderr.write("\nloadtest: stopping autocannon; the report covers what was measured\n");
        controller.abort();
      });
      for (let repetition = 0; repetition < command.repeat && !controller.signal.aborted; repetition++) {
        const run = await runAutocannon(scenario, { source: sources(), headers: context.headers, requestIdPrefix: context.id, now: () => performance.now(), wallNow: Date.now, signal: controller.signal });
        reports.push(withRunnerInfo(buildReport({ ...base, result: run.result, runner: "autocannon" }), run.info, { findings: run.findings }));
      }
      return reports;
    }
    case "k6": {
      const interrupts = new EventTarget();
      using _interrupt = onInterrupt((count) => {
        process.stderr.write(count === 1 ? "\nloadtest: stopping k6 (graceful stop; Ctrl-C again aborts it); the report covers what it wrote\n" : "\nloadtest: aborting k6\n");
        interrupts.dispatchEvent(new Event("interrupt"));
      });
      const outcome = await runK6(scenario, { directory: context.directory, sources, runId: context.id, scenarioPath: command.scenarioPath, env: process.env, interrupts });
      if (outcome.kind === "script-only") {
        process.stdout.write(`${outcome.message}\n`);
        return 0;
      }
      if (outcome.kind === "failed") {
        process.stderr.write(`${outcome.message}\n`);
        return 1;
      }
      const report = buildReport({ ...base, scenario: outcome.scenario, result: outcome.result, runner: "k6" });
      // k6 evaluated the same thresholds: its 99 stands even where Vigil's evaluation differs.
      // k6 failing otherwise (bad config, script exception) fails the run even when its partial results pass.
      const exitCode = outcome.k6ExitCode === 99 ? 99 : outcome.k6ExitCode !== 0 && report.run.exitCode === 0 && report.run.status !== "interrupted" ? 1 : undefined;
      return [withRunnerInfo(report, outcome.info, { exitCode, findings: outcome.findings, limitsReason: outcome.limitsReason })];
    }
  }
}

/** Telemetry, files, baseline and the summary: the same for every runner. */
async function finish(merged: Report, scenario: NormalizedScenario, command: RunCommand, directory: string): Promise<number> {
  let report = merged;
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
