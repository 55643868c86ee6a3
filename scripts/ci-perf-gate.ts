/**
 * The CI performance gate: runs scenarios/smoke.ts against the simulator (its own process, fixed
 * seed, deterministic modelled timings) and compares the report with the committed baseline
 * reports/baseline/smoke.json. Exit 0 no regression, 1 regression (or the run failed), 2 usage or
 * incompatible reports. Writes JUnit to reports/ci/perf-gate.xml, Markdown to $GITHUB_STEP_SUMMARY
 * when set, and the comparison page to reports/ci/perf-gate.html.
 *
 *   bun scripts/ci-perf-gate.ts                      # the gate (what .ci/run does)
 *   bun scripts/ci-perf-gate.ts --write-baseline     # re-record the baseline on purpose (5 runs)
 *   bun scripts/ci-perf-gate.ts --write-baseline --repeat 8
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCompare } from "../loadtest/compare/run-compare.ts";
import { baselinePath } from "../loadtest/compare/write-baseline.ts";
import { spawnSimulator } from "../loadtest/testing/spawn-simulator.ts";

/**
 * The simulator the baseline was recorded against. Changing these changes what the gate measures:
 * re-record the baseline in the same commit. Prefix caching is off because every run sends the same
 * seeded prompts; step times are tens of ms so scheduler jitter on a 2-core CI box stays small.
 */
export const SMOKE_SIMULATOR_FLAGS = ["--seed", "1", "--no-enable-prefix-caching", "--step-base-ms", "10", "--prefill-ms-per-token", "0.5", "--decode-ms-per-seq", "0.5"] as const;

const ROOT = new URL("..", import.meta.url).pathname;
const SCENARIO = "scenarios/smoke.ts";

const argv = process.argv.slice(2);
if (argv.includes("--help") || argv.includes("-h")) {
  process.stdout.write("Usage: bun scripts/ci-perf-gate.ts [--write-baseline [--repeat N]]\n");
  process.exit(0);
}
const writeBaseline = argv.includes("--write-baseline");
const repeatAt = argv.indexOf("--repeat");
const repeat = repeatAt === -1 ? 5 : Number(argv[repeatAt + 1]);
const unknown = argv.filter((a, i) => a !== "--write-baseline" && a !== "--repeat" && !(repeatAt !== -1 && i === repeatAt + 1));
if (unknown.length > 0 || !Number.isInteger(repeat) || repeat < 1 || (repeatAt !== -1 && !writeBaseline)) {
  process.stderr.write(`ci-perf-gate: bad arguments ${JSON.stringify(argv)}: expected [--write-baseline [--repeat N]] (N >= 1)\n`);
  process.exit(2);
}

const out = await mkdtemp(join(tmpdir(), "vigil-perf-gate-"));
let exitCode = 0;
try {
  await using sim = await spawnSimulator(SMOKE_SIMULATOR_FLAGS);
  const loadtest = Bun.spawn(
    [process.execPath, "loadtest/main.ts", SCENARIO, "--target", sim.url, "--out", out, "--quiet", ...(writeBaseline ? ["--repeat", String(repeat), "--baseline"] : [])],
    { cwd: ROOT, stdout: "pipe", stderr: "inherit" },
  );
  const summary = await new Response(loadtest.stdout).text();
  const loadtestExit = await loadtest.exited;
  if (loadtestExit !== 0) {
    process.stderr.write(`${summary}ci-perf-gate: the smoke run failed (loadtest exit ${loadtestExit}), so there is nothing to compare\n`);
    exitCode = 1;
  } else if (writeBaseline) {
    process.stdout.write(summary);
  } else {
    const [folder] = await readdir(out);
    const outcome = await runCompare([
      join(ROOT, baselinePath("smoke")),
      join(out, folder as string),
      "--junit", join(ROOT, "reports/ci/perf-gate.xml"),
      "--html", join(ROOT, "reports/ci/perf-gate.html"),
      ...(process.env.GITHUB_STEP_SUMMARY ? ["--markdown", process.env.GITHUB_STEP_SUMMARY] : []),
    ]);
    process.stdout.write(outcome.stdout);
    if (outcome.stderr) process.stderr.write(`ci-perf-gate: ${outcome.stderr}\n`);
    exitCode = outcome.exitCode;
  }
} finally {
  await rm(out, { recursive: true, force: true });
}
process.exitCode = exitCode;
