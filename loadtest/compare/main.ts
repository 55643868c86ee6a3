/** `bun run compare <baseline> <candidate>`: the CLI around runCompare (exit 0 pass, 1 regression, 2 usage/incompatible). */
import { runCompare } from "./run-compare.ts";

const outcome = await runCompare(process.argv.slice(2));
if (outcome.stdout) process.stdout.write(outcome.stdout);
if (outcome.stderr) process.stderr.write(`${outcome.stderr}\n`);
process.exitCode = outcome.exitCode;
