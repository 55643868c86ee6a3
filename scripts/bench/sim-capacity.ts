/**
 * The simulator's own capacity on this machine, so harness benchmarks know when the
 * simulator (not the harness) is the bottleneck:
 *   bun scripts/bench/sim-capacity.ts [--seconds 4] [--levels 1,16,64,256,1024] [--max-tokens 16]
 *
 * The simulator runs as its own process in zero-latency mode (--zero-latency, so only
 * its own CPU cost is measured) with --max-num-seqs above the highest level; wrk (C,
 * keep-alive, one Lua-free POST) drives streamed /v1/completions with short outputs
 * (max_tokens 16, ignore_eos, include_usage) at each concurrency level. Reported per
 * level: streamed requests/s, tokens/s, errors. "Sustained" = the highest level with no
 * socket error and no non-2xx answer, and the best requests/s seen. The machine is shared
 * and wrk shares its cores: read the figures as lower bounds. Writes
 * reports/bench/sim-capacity.json. Well under a minute with the defaults.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";

const root = new URL("../..", import.meta.url).pathname;
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : (process.argv[i + 1] ?? fallback);
};
const SECONDS = Number(arg("seconds", "4"));
const LEVELS = arg("levels", "1,16,64,256,1024").split(",").map(Number);
const MAX_TOKENS = Number(arg("max-tokens", "16"));

interface LevelResult {
  readonly concurrentStreams: number;
  readonly streamedRequestsPerSecond: number;
  readonly outputTokensPerSecond: number;
  readonly latencyP50Ms: number | null;
  readonly latencyP99Ms: number | null;
  readonly socketErrors: number;
  readonly non2xx: number;
}

function wrkNumber(text: string, pattern: RegExp): number {
  return Number(pattern.exec(text)?.[1] ?? 0);
}

/** wrk prints latencies as 1.23ms / 456.00us / 1.02s. */
function wrkLatencyMs(text: string, percentile: string): number | null {
  const match = new RegExp(`^\\s+${percentile}%\\s+([\\d.]+)(us|ms|s)\\s*$`, "m").exec(text);
  if (!match) return null;
  const value = Number(match[1]);
  return match[2] === "us" ? value / 1000 : match[2] === "s" ? value * 1000 : value;
}

async function startSim(maxNumSeqs: number): Promise<{ url: string; proc: ReturnType<typeof Bun.spawn> }> {
  const proc = Bun.spawn([process.execPath, "loadtest/sim/main.ts", "--port", "0", "--zero-latency", "--max-num-seqs", String(maxNumSeqs), "--record-limit", "1000"], { cwd: root, stdout: "ignore", stderr: "pipe" });
  const reader = (proc.stderr as ReadableStream<Uint8Array>).getReader();
  let log = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`simulator exited before serving:\n${log}`);
    log += new TextDecoder().decode(value);
    const match = /url=(\S+)/.exec(log);
    if (match) {
      // Keep draining stderr so the simulator never blocks on a full pipe.
      void (async () => {
        for (;;) if ((await reader.read()).done) return;
      })();
      return { url: match[1] as string, proc };
    }
  }
}

async function main(): Promise<void> {
  if (!Bun.which("wrk")) throw new Error("wrk not found on PATH: run scripts/setup-test-deps.sh");
  const maxLevel = Math.max(...LEVELS);
  const sim = await startSim(Math.max(256, maxLevel * 2));
  const script = `${tmpdir()}/vigil-sim-capacity-${process.pid}.lua`;
  const body = JSON.stringify({ prompt: "The simulator capacity benchmark prompt of a few tokens.", max_tokens: MAX_TOKENS, ignore_eos: true, stream: true, stream_options: { include_usage: true } });
  writeFileSync(script, `wrk.method = "POST"\nwrk.body = ${JSON.stringify(body)}\nwrk.headers["Content-Type"] = "application/json"\n`);
  const levels: LevelResult[] = [];
  try {
    // Warm-up: JIT and first-connection costs are not capacity.
    Bun.spawnSync(["wrk", "-t1", "-c4", "-d1s", "-s", script, `${sim.url}/v1/completions`]);
    for (const level of LEVELS) {
      const threads = Math.min(2, level);
      const run = Bun.spawnSync(["wrk", `-t${threads}`, `-c${level}`, `-d${SECONDS}s`, "--latency", "--timeout", "10s", "-s", script, `${sim.url}/v1/completions`], { stdout: "pipe", stderr: "pipe" });
      const out = run.stdout.toString() + run.stderr.toString();
      const requestsPerSecond = wrkNumber(out, /Requests\/sec:\s+([\d.]+)/);
      const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
      const socketErrors = errors ? errors.slice(1, 5).reduce((sum, value) => sum + Number(value), 0) : 0;
      levels.push({
        concurrentStreams: level,
        streamedRequestsPerSecond: Math.round(requestsPerSecond),
        outputTokensPerSecond: Math.round(requestsPerSecond * MAX_TOKENS),
        latencyP50Ms: wrkLatencyMs(out, "50"),
        latencyP99Ms: wrkLatencyMs(out, "99"),
        socketErrors,
        non2xx: wrkNumber(out, /Non-2xx or 3xx responses:\s+(\d+)/),
      });
      process.stderr.write(`${level} streams: ${Math.round(requestsPerSecond)} req/s, errors ${socketErrors}\n`);
    }
  } finally {
    sim.proc.kill("SIGTERM");
    await sim.proc.exited;
  }
  const clean = levels.filter((level) => level.socketErrors === 0 && level.non2xx === 0 && level.streamedRequestsPerSecond > 0);
  const result = {
    benchmark: "sim-capacity",
    date: new Date().toISOString(),
    machine: { cpus: navigator.hardwareConcurrency, platform: process.platform, bun: Bun.version },
    setup: { mode: "zero-latency (--zero-latency)", endpoint: "/v1/completions", stream: true, maxTokens: MAX_TOKENS, ignoreEos: true, includeUsage: true, groundTruthComment: true, client: "wrk (same machine)", secondsPerLevel: SECONDS },
    levels,
    sustained: {
      maxConcurrentStreams: clean.length === 0 ? 0 : Math.max(...clean.map((level) => level.concurrentStreams)),
      peakStreamedRequestsPerSecond: clean.length === 0 ? 0 : Math.max(...clean.map((level) => level.streamedRequestsPerSecond)),
      peakOutputTokensPerSecond: clean.length === 0 ? 0 : Math.max(...clean.map((level) => level.outputTokensPerSecond)),
    },
    note: "Lower bounds: wrk shares this machine's cores with the simulator. A harness run that gets close to peakStreamedRequestsPerSecond measures the simulator, not the target model.",
  };
  mkdirSync(`${root}reports/bench`, { recursive: true });
  writeFileSync(`${root}reports/bench/sim-capacity.json`, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result.sustained)}\n`);
}

await main();
