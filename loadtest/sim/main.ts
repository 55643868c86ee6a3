/**
 * CLI: `bun run sim -- --port 8000 [flags]` serves a simulated vLLM until SIGINT/SIGTERM.
 * Logs one logfmt line `msg="Serving simulated vLLM" url=...` once listening.
 * Exit 0 on a signal, 2 on a bad command line.
 */
import { createLogger } from "../../agent/log.ts";
import { parseSimArgs, renderSimHelp, SimUsageError } from "./parse-sim-args.ts";
import { SimulatorOptionsError } from "./simulator-options.ts";
import { startSimulator } from "./start-simulator.ts";

const log = createLogger("info");

async function main(): Promise<number> {
  let input;
  try {
    input = parseSimArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof SimUsageError)) throw error;
    process.stderr.write(`vigil-sim: ${error.message}\n`);
    return 2;
  }
  if (input === "help") {
    process.stdout.write(renderSimHelp());
    return 0;
  }
  let sim;
  try {
    sim = await startSimulator({ port: 8000, ...input });
  } catch (error) {
    if (!(error instanceof SimulatorOptionsError)) throw error;
    process.stderr.write(`vigil-sim: ${error.message}\n`);
    return 2;
  }
  log.info("Serving simulated vLLM", {
    url: sim.url,
    model: sim.options.model,
    max_num_seqs: sim.options.maxNumSeqs,
    num_gpu_blocks: sim.options.numGpuBlocks,
    prefix_caching: sim.options.enablePrefixCaching,
    time_scale: sim.options.timeScale,
    seed: sim.options.seed,
    gpu_state: sim.options.gpuStatePath,
  });
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await sim.stop();
  log.info("Stopped");
  return 0;
}

process.exitCode = await main();
