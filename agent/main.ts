#!/usr/bin/env bun
/**
 * vigil-agent: the entry point of the compiled binary. Parses flags, then either
 * samples once (--once) or serves until SIGINT/SIGTERM. Exit 0 ok, 1 failure, 2 usage.
 */
import { Agent } from "./agent.ts";
import { parseConfig } from "./config/parse-config.ts";
import { renderHelp } from "./config/render-help.ts";
import { UsageError } from "./errors.ts";
import { createLogger } from "./log.ts";
import { VERSION } from "./version.ts";
import { runDoctor } from "./doctor/run-doctor.ts";
import { runExport } from "./export/run-export.ts";
import { RecordPathError } from "./outputs/record/record-errors.ts";

async function main(argv: readonly string[]): Promise<number> {
  // Subcommands come before flag parsing: they take their own arguments.
  if (argv[0] === "export") return runExport(argv.slice(1), { stdout: process.stdout, stderr: process.stderr });
  if (argv[0] === "doctor") return runDoctor(argv.slice(1), { stdout: process.stdout, stderr: process.stderr, env: process.env, version: VERSION });
  let request;
  try {
    request = parseConfig(argv, process.env);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`vigil-agent: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (request.kind === "help") {
    process.stdout.write(renderHelp(VERSION));
    return 0;
  }
  if (request.kind === "version") {
    process.stdout.write(`vigil-agent ${VERSION} (bun ${Bun.version})\n`);
    return 0;
  }
  const { config } = request;
  const logger = createLogger(config.logLevel);
  let agent: Agent;
  try {
    agent = new Agent(config, { logger, version: VERSION });
  } catch (error) {
    if (error instanceof RecordPathError) {
      logger.error(error.message);
      return 1;
    }
    throw error;
  }

  if (config.once) {
    const sample = await agent.sampleOnce();
    const output =
      config.onceFormat === "json" ? `${JSON.stringify(sample, null, 2)}\n` : await agent.render(sample, config.onceFormat === "openmetrics" ? "openmetrics" : "text");
    await Bun.write(Bun.stdout, output);
    await agent.stop();
    return 0;
  }

  // Handlers go in before the server starts: a signal sent as soon as "Serving metrics" is logged must stop us cleanly.
  const stopped = new Promise<void>((resolve) => {
    const onSignal = (signal: string) => {
      logger.info("Stopping", { signal });
      resolve();
    };
    process.once("SIGINT", () => onSignal("SIGINT"));
    process.once("SIGTERM", () => onSignal("SIGTERM"));
  });
  try {
    agent.start();
  } catch (error) {
    logger.error(`Cannot listen on ${config.listenHost}:${config.listenPort}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  await stopped;
  await agent.stop();
  return 0;
}

// Exit explicitly: a keep-alive socket to vLLM must not hold the process open after shutdown.
process.exit(await main(process.argv.slice(2)));
