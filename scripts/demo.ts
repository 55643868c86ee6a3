/**
 * The README demo, one command on a machine without a GPU:
 *   1. the vLLM simulator (in this process) with GPU emulation writing the fake NVML's state file,
 *   2. the agent (dist/vigil-agent when built, else from source) scraping it, with the fake
 *      libnvidia-ml.so.1 (a "simulated GPU"; without gcc the demo runs without GPU metrics and says so),
 *   3. `bun loadtest/main.ts scenarios/demo.ts` ramping past the simulator's capacity, correlated
 *      with the agent, writing report.json and report.html,
 * then prints the report's path and stops everything it started. Bounded: it gives up after
 * --timeout seconds (default 240).
 *
 *   npm run demo            (or: bun scripts/demo.ts [--out DIR] [--timeout 240] [--duration 40s])
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSimulator } from "../loadtest/sim/start-simulator.ts";
import { buildFakeNvml } from "../test/fake-nvml/build-fake-nvml.ts";

const root = new URL("..", import.meta.url).pathname;
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
};
const outRoot = arg("out") ?? join(root, "reports");
const timeoutS = Number(arg("timeout") ?? 240);
const duration = arg("duration");
const say = (line: string) => process.stderr.write(`demo: ${line}\n`);

const stateDir = mkdtempSync(join(tmpdir(), "vigil-demo-"));
const statePath = join(stateDir, "gpu-state.txt");
const started: { stop(): Promise<unknown> }[] = [];
let exitCode = 1;
const deadline = setTimeout(() => {
  say(`gave up after ${timeoutS} s; stopping everything`);
  void stopAll().then(() => process.exit(1));
}, timeoutS * 1000);

try {
  let nvmlLibrary: string | null = null;
  try {
    nvmlLibrary = await buildFakeNvml();
  } catch (error) {
    say(`no simulated GPU (${(error as Error).message.split("\n")[0]}); the report will show GPU telemetry as missing`);
  }
  // About 3 req/s of capacity: 8 sequences at once, ~22 ms decode steps, a KV cache of ~8 requests.
  const sim = await startSimulator({ port: 0, seed: 1, maxNumSeqs: 8, numGpuBlocks: 200, decodeMsPerSeq: 2, gpuStatePath: nvmlLibrary ? statePath : undefined });
  started.push(sim);
  say(`simulator (vLLM-compatible${nvmlLibrary ? ", simulated GPU" : ""}) at ${sim.url}`);

  const binary = join(root, "dist/vigil-agent");
  const agentCommand = existsSync(binary) ? [binary] : [process.execPath, join(root, "agent/main.ts")];
  const agentArgs = ["--listen", "127.0.0.1:0", "--vllm", sim.url, "--interval", "1s", ...(nvmlLibrary ? ["--nvml-library", nvmlLibrary] : [])];
  const agent = Bun.spawn([...agentCommand, ...agentArgs], { cwd: root, stdout: "ignore", stderr: "pipe", env: { ...process.env, VIGIL_FAKE_NVML_STATE: statePath } });
  started.push({ stop: async () => { if (agent.exitCode === null) agent.kill("SIGTERM"); await agent.exited; } });
  const agentUrl = await waitForServing(agent.stderr);
  say(`agent (${existsSync(binary) ? "compiled" : "from source"}) at ${agentUrl}, scraping the simulator every 1 s`);

  const loadtestArgs = [join(root, "scenarios/demo.ts"), "--target", sim.url, "--agent", agentUrl, "--out", outRoot, "--quiet", ...(duration ? ["--duration", duration] : [])];
  say(`bun loadtest/main.ts ${loadtestArgs.map((a) => a.replace(root, "")).join(" ")}`);
  const loadtest = Bun.spawn([process.execPath, join(root, "loadtest/main.ts"), ...loadtestArgs], { cwd: root, stdout: "pipe", stderr: "inherit" });
  started.push({ stop: async () => { if (loadtest.exitCode === null) loadtest.kill("SIGINT"); await loadtest.exited; } });
  const [output, code] = await Promise.all([new Response(loadtest.stdout).text(), loadtest.exited]);
  process.stdout.write(output);
  const reportJson = /(\S*report\.json)/.exec(output)?.[1];
  // 99 = thresholds failed: expected here, the ramp is meant to overload the server.
  if ((code === 0 || code === 99) && reportJson) {
    const html = reportJson.replace(/report\.json$/, "report.html");
    process.stdout.write(`\nReport: ${html}\n        (open it in a browser; it works offline)\n`);
    exitCode = 0;
  } else say(`the load test exited with ${code}`);
} catch (error) {
  say(`failed: ${(error as Error).message}`);
} finally {
  clearTimeout(deadline);
  await stopAll();
  process.exit(exitCode);
}

async function stopAll(): Promise<void> {
  for (const item of started.reverse()) await item.stop().catch((error: unknown) => say(`stop failed: ${(error as Error).message}`));
  started.length = 0;
  rmSync(stateDir, { recursive: true, force: true });
}

/** Resolves with the agent's base URL from its "Serving metrics" log line; copies nothing else. */
async function waitForServing(stream: ReadableStream<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  const reader = stream.getReader();
  let buffered = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`the agent exited before it started serving:\n${buffered}`);
    buffered += decoder.decode(value, { stream: true });
    const match = /msg="Serving metrics" url=(\S+)\/metrics/.exec(buffered);
    if (match) {
      // Keep draining so the agent never blocks on a full pipe.
      void (async () => {
        while (!(await reader.read()).done);
      })();
      return match[1] as string;
    }
  }
}
