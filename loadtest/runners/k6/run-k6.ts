/**
 * `--runner k6`: writes the k6 script of the scenario (k6-script.ts) with its request bodies into the
 * report folder, then, when `k6` is on PATH, runs `k6 run --out json=k6-results.ndjson.gz` and ingests
 * the results (ingest-k6.ts). Without k6 it stops after writing, with the exact commands to run k6
 * elsewhere (another pipeline, k6-operator) and to ingest its results later.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Finding, RunnerInfo } from "../../report/report-types.ts";
import type { ScenarioRunResult } from "../../run-scenario.ts";
import type { NormalizedScenario } from "../../scenario/normalized-scenario.ts";
import type { RequestSource } from "../../workload/request-source.ts";
import { detectK6, type K6Binary } from "./detect-k6.ts";
import { ingestK6Files } from "./ingest-k6.ts";
import { k6Load } from "./k6-load.ts";
import { K6_RESULTS_FILE, k6RequestData, renderK6Script, REQUESTS_FILE } from "./k6-script.ts";

/** What `--runner k6` did. */
export type K6Outcome =
  | { readonly kind: "script-only"; readonly message: string }
  | { readonly kind: "failed"; readonly message: string }
  | {
      readonly kind: "ran";
      readonly k6ExitCode: number;
      /** The scenario as k6 ran it (`workload.stream` false when the binary has no xk6-sse). */
      readonly scenario: NormalizedScenario;
      readonly result: ScenarioRunResult;
      readonly info: RunnerInfo;
      readonly findings: readonly Finding[];
      readonly limitsReason: string;
    };

/** Options of a k6 run. */
export interface K6RunOptions {
  /** The report folder: the script, its request bodies and k6's results go there. */
  readonly directory: string;
  /** Fresh seeded request source of a scenario (the same prompts as the native runner). */
  readonly sources: (scenario: NormalizedScenario) => RequestSource;
  readonly runId: string;
  /** The scenario file as the user named it (for the script's comments and the printed commands). */
  readonly scenarioPath: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Fires an `interrupt` event on each Ctrl-C. k6 runs in its own process group, so it hears of a Ctrl-C
   * only from us, once per press (k6: first, graceful stop; second, abort), whether the SIGINT came from
   * the terminal or from `kill -INT` to this process alone. The report is then marked interrupted.
   */
  readonly interrupts?: EventTarget;
}

/** k6's exit code for a run stopped by a signal (errext/exitcodes). */
const K6_EXTERNAL_ABORT = 105;

/** The scenario with non-streamed requests, as `--no-stream` makes it (a k6 without xk6-sse cannot time chunks). */
function withoutStream(scenario: NormalizedScenario): NormalizedScenario {
  return { ...scenario, workload: { ...scenario.workload, stream: false } };
}

/** Writes a script and its bodies; returns the script path. */
async function writeScript(scenario: NormalizedScenario, folder: string, fileName: string, streaming: boolean, options: K6RunOptions): Promise<string> {
  await mkdir(folder, { recursive: true });
  const script = renderK6Script(scenario, { streaming, runId: options.runId, scenarioPath: options.scenarioPath });
  await Bun.write(join(folder, REQUESTS_FILE), `${JSON.stringify(k6RequestData(scenario, options.sources(scenario)))}\n`);
  const path = join(folder, fileName);
  await Bun.write(path, script);
  return path;
}

/** Runs (or, without k6, writes) the scenario as a k6 test. @throws UsageError for a sweep. */
export async function runK6(scenario: NormalizedScenario, options: K6RunOptions): Promise<K6Outcome> {
  const load = k6Load(scenario); // refuses a sweep before anything is written
  const env = options.env ?? process.env;
  const k6 = await detectK6("k6", env);
  if (k6 === null) return writeScriptsOnly(scenario, options);
  const streaming = scenario.workload.stream && k6.sse;
  const asRun = scenario.workload.stream && !streaming ? withoutStream(scenario) : scenario;
  const scriptPath = await writeScript(asRun, options.directory, "script.js", streaming, options);
  const ndjsonPath = join(options.directory, K6_RESULTS_FILE);
  const k6Exit = await runBinary(k6, scriptPath, ndjsonPath, options);
  const exitCode = k6Exit.code;
  if (!(await Bun.file(ndjsonPath).exists())) return { kind: "failed", message: `loadtest: k6 exited ${exitCode} and wrote no results (${ndjsonPath}); the script is ${scriptPath}` };
  const interrupted = k6Exit.interrupted || k6Exit.code === K6_EXTERNAL_ABORT;
  const ingested = await ingestK6Files([ndjsonPath], asRun, { version: k6.version, exitCode, interrupted });
  const findings: Finding[] = [...ingested.findings, ...load.notes.map((note) => ({ severity: "info" as const, code: "runner-approximation", message: `--runner k6: ${note}.` }))];
  if (scenario.workload.stream && !streaming) findings.push({ severity: "info", code: "k6-no-sse", message: `${k6.version} has no xk6-sse extension: k6 sent non-streamed requests (build k6 with xk6-sse for TTFT/ITL, or use the native runner).` });
  if (exitCode !== 0 && exitCode !== 99 && !interrupted) findings.push({ severity: "error", code: "k6-exit", message: `k6 exited ${exitCode} (k6 exit codes: 104 invalid config, 107 script exception, 108 test.abort()); the report covers the results it wrote.` });
  return { kind: "ran", k6ExitCode: exitCode, scenario: asRun, result: ingested.result, info: ingested.info, findings, limitsReason: ingested.limitsReason };
}

/**
 * `k6 run --out json=...` in the script's folder (so `open("./requests.json")` finds the bodies), in its
 * own process group, k6's output on stderr. Each interrupt is passed on as one SIGINT; if this process
 * exits first, k6 is stopped with it.
 */
async function runBinary(k6: K6Binary, scriptPath: string, ndjsonPath: string, options: K6RunOptions): Promise<{ readonly code: number; readonly interrupted: boolean }> {
  const child = Bun.spawn([k6.command, "run", "--out", `json=${ndjsonPath}`, scriptPath], { cwd: options.directory, stdin: "ignore", stdout: 2, stderr: 2, env: { ...(options.env ?? process.env) }, detached: true });
  let interrupted = false;
  const forward = () => {
    interrupted = true;
    child.kill("SIGINT");
  };
  const orphan = () => child.kill("SIGKILL");
  options.interrupts?.addEventListener("interrupt", forward);
  process.on("exit", orphan);
  try {
    return { code: await child.exited, interrupted };
  } finally {
    options.interrupts?.removeEventListener("interrupt", forward);
    process.off("exit", orphan);
  }
}

/** No k6 on PATH: the scripts and the commands, exit 0. */
async function writeScriptsOnly(scenario: NormalizedScenario, options: K6RunOptions): Promise<K6Outcome> {
  const plain = scenario.workload.stream ? withoutStream(scenario) : scenario;
  const scriptPath = await writeScript(plain, options.directory, "script.js", false, options);
  const lines = [`loadtest: k6 is not on PATH; wrote the k6 script ${scriptPath} (non-streamed requests) and its request bodies (${REQUESTS_FILE}).`];
  if (scenario.workload.stream) {
    const ssePath = await writeScript(scenario, join(options.directory, "sse"), "script.js", true, options);
    lines.push(`  For TTFT/ITL with a k6 built with xk6-sse: ${ssePath}`);
  }
  const command = `cd ${options.directory} && k6 run --out json=${K6_RESULTS_FILE} script.js`;
  lines.push("Run it where k6 is installed, then build the report from its results:", `  ${command}`, `  bun run loadtest --ingest-k6 ${join(options.directory, K6_RESULTS_FILE)} ${options.scenarioPath}`);
  return { kind: "script-only", message: lines.join("\n") };
}
