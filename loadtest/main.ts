/**
 * `bun run loadtest <scenario.ts> [flags]`: load a scenario, run it with the native runner, write
 * reports/<scenario>-<time>/report.json, print the summary, exit 0 / 1 / 2 / 99 / 130.
 */
import { UsageError } from "../agent/errors.ts";
import { VERSION } from "../agent/version.ts";
import { loadScenarioFile } from "./cli/load-scenario-file.ts";
import { type LoadtestCommand, parseArgs } from "./cli/parse-args.ts";
import { renderHelp } from "./cli/render-help.ts";
import { runLoadtest } from "./cli/run-loadtest.ts";
import { ScenarioError } from "./scenario/scenario-error.ts";

async function main(argv: readonly string[]): Promise<number> {
  let command: LoadtestCommand;
  try {
    command = parseArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`loadtest: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (command.kind === "help") {
    process.stdout.write(renderHelp());
    return 0;
  }
  if (command.kind === "version") {
    process.stdout.write(`vigil loadtest ${VERSION}\n`);
    return 0;
  }
  try {
    const scenario = await loadScenarioFile(command.scenarioPath, command.overrides);
    return await runLoadtest(scenario, command, argv);
  } catch (error) {
    if (error instanceof ScenarioError || error instanceof UsageError) {
      process.stderr.write(`loadtest: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`loadtest: failed: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
