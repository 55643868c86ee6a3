/**
 * The native runner's own capacity, measured beside peers in the same run on this machine:
 *   bun scripts/bench/harness-capacity.ts [--seconds 3] [--rounds 2] [--connections 50] [--streams 2000] [--timing-streams 50]
 *
 * 1. Plain non-streaming POSTs per second against one tiny HTTP server (its own process):
 *    the harness (constant-vus, stream off) vs autocannon (npm, under node) vs wrk (Debian).
 * 2. Streamed requests per second against the simulator with zero modelled latency (closed loop).
 * 3. Concurrent open streams: `--streams` VUs against the simulator pacing 20 tokens at one
 *    engine step per 50 ms (decode cost 0 per sequence), and the harness's added timing error:
 *    per chunk, |(receive - simulator write) - that request's median (receive - write)|, p50/p99
 *    (the median removes the clock offset between the processes and the constant network delay).
 *    The same error is measured again with `--timing-streams` (default 50) streams.
 * Writes reports/bench/harness-capacity.json. Quote ratios; the machine is shared and noisy.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runForTest } from "../../loadtest/testing/run-for-test.ts";
import { spawnSimulator } from "../../loadtest/testing/spawn-simulator.ts";

const root = new URL("../..", import.meta.url).pathname;
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const SECONDS = arg("seconds", 3);
const CONNECTIONS = arg("connections", 50);
const STREAMS = arg("streams", 2000);
const TIMING_STREAMS = arg("timing-streams", 50);
const ROUNDS = arg("rounds", 2);
const BODY = JSON.stringify({ model: "m", prompt: "hello", max_tokens: 1 });
const MODEL = "meta-llama/Llama-3.1-8B-Instruct";

const TINY_SERVER = `
const body = JSON.stringify({ id: "cmpl-1", object: "text_completion", model: "m", choices: [{ index: 0, text: "x", finish_reason: "length" }], usage: { prompt_tokens: 2, completion_tokens: 1, total_tokens: 3 } });
const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: async (req) => { await req.arrayBuffer(); return new Response(body, { headers: { "content-type": "application/json" } }); } });
console.log(server.url.href);
`;

async function startTinyServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = Bun.spawn([process.execPath, "-e", TINY_SERVER], { stdout: "pipe", stderr: "inherit" });
  const reader = child.stdout.getReader();
  const { value } = await reader.read();
  const url = new TextDecoder().decode(value).trim().replace(/\/$/, "");
  return {
    url,
    stop: async () => {
      child.kill("SIGTERM");
      await child.exited;
    },
  };
}

async function harnessPlain(url: string): Promise<number> {
  const run = await runForTest({
    target: { url, model: "m", api: "completions" },
    workload: { prompts: { kind: "synthetic", inputTokens: 2 }, outputTokens: 1, stream: false },
    load: { executor: "constant-vus", vus: CONNECTIONS, duration: SECONDS * 1000 },
    warmup: 1000,
    gracefulStop: "5s",
  });
  if (run.report.counts.failed > 0) throw new Error(`harness plain run had ${run.report.counts.failed} failures: ${JSON.stringify(run.report.errors.byType)}`);
  return run.report.throughput.requestsPerS;
}

function autocannonPlain(url: string): number {
  const out = Bun.spawnSync(["node", `${root}node_modules/autocannon/autocannon.js`, "-c", String(CONNECTIONS), "-d", String(SECONDS), "-m", "POST", "-H", "content-type=application/json", "-b", BODY, "-j", `${url}/v1/completions`], { stdout: "pipe", stderr: "pipe" });
  const result = JSON.parse(out.stdout.toString()) as { requests: { average: number }; errors: number; non2xx: number };
  if (result.errors > 0 || result.non2xx > 0) throw new Error(`autocannon saw ${result.errors} errors, ${result.non2xx} non-2xx`);
  return result.requests.average;
}

function wrkPlain(url: string): number | null {
  if (!Bun.which("wrk")) return null;
  const script = join(tmpdir(), `vigil-wrk-${process.pid}.lua`);
  writeFileSync(script, `wrk.method = "POST"\nwrk.body = ${JSON.stringify(BODY)}\nwrk.headers["Content-Type"] = "application/json"\n`);
  const out = Bun.spawnSync(["wrk", "-t1", `-c${CONNECTIONS}`, `-d${SECONDS}s`, "-s", script, `${url}/v1/completions`], { stdout: "pipe", stderr: "pipe" }).stdout.toString();
  const match = /Requests\/sec:\s+([\d.]+)/.exec(out);
  return match ? Number(match[1]) : null;
}

async function streamedRate(): Promise<{ requestsPerS: number; outputTokensPerS: number; failed: number }> {
  await using sim = await spawnSimulator(["--zero-latency", "--max-num-seqs", "1024", "--record-limit", "0"]);
  const run = await runForTest({
    target: { url: sim.url, model: MODEL, api: "completions" },
    workload: { prompts: { kind: "synthetic", inputTokens: 16 }, outputTokens: 16 },
    load: { executor: "constant-vus", vus: 64, duration: SECONDS * 1000 },
    warmup: 1000,
  });
  return { requestsPerS: run.report.throughput.requestsPerS, outputTokensPerS: run.report.throughput.outputTokensPerS, failed: run.report.counts.failed };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? Number.NaN : (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number);
}

async function openStreams(STREAMS: number) {
  await using sim = await spawnSimulator(["--max-num-seqs", String(STREAMS + 64), "--step-base-ms", "50", "--decode-ms-per-seq", "0", "--prefill-ms-per-token", "0", "--max-num-batched-tokens", "1000000", "--record-limit", String(STREAMS * 4)]);
  let peakInFlight = 0;
  const run = await runForTest(
    {
      target: { url: sim.url, model: MODEL, api: "completions" },
      workload: { prompts: { kind: "synthetic", inputTokens: 8 }, outputTokens: 20 },
      load: { executor: "constant-vus", vus: STREAMS, duration: SECONDS * 1000 },
      timeouts: { ttft: "30s", stall: "10s" },
      gracefulStop: "20s",
    },
    { onRunner: (runner) => { const t = setInterval(() => { peakInFlight = Math.max(peakInFlight, runner.inFlight); }, 50); t.unref(); } },
  );
  const truths = new Map((await sim.records()).map((r) => [r.clientRequestId, r]));
  const errors: number[] = [];
  const interior: number[] = [];
  for (const record of run.records) {
    const writes = truths.get(record.requestId)?.choices[0]?.writeTimesMs;
    if (!writes || writes.length !== record.contentChunks || record.failure) continue;
    // Clock offset of this request = median of (receive - write); the error is each chunk's distance from it.
    const offsets = Array.from({ length: writes.length }, (_, i) => (record.chunkTimesMs[i] as number) - (writes[i] as number)).sort((a, b) => a - b);
    const offset = offsets[Math.floor(offsets.length / 2)] as number;
    for (const value of offsets) errors.push(Math.abs(value - offset));
    // The simulator stamps the first chunk before the response headers are flushed and the last ones
    // before it builds its ground-truth comment, so those stamps are early by its own work: interior
    // chunks isolate the receive path.
    for (let i = 1; i < writes.length - 2; i++) interior.push(Math.abs((record.chunkTimesMs[i] as number) - (writes[i] as number) - offset));
  }
  errors.sort((a, b) => a - b);
  interior.sort((a, b) => a - b);
  const windowsInFlight = run.report.windows.windows.map((w) => w.inFlightMean);
  return {
    vus: STREAMS,
    peakConcurrentOpenStreams: peakInFlight,
    meanOpenStreamsBusiestWindow: Math.max(...windowsInFlight),
    completed: run.report.counts.completed,
    failed: run.report.counts.failed,
    errorsByType: Object.fromEntries(Object.entries(run.report.errors.byType).map(([k, v]) => [k, v?.count])),
    streamedRequestsPerS: run.report.throughput.requestsPerS,
    timingErrorChunks: errors.length,
    timingErrorP50Ms: percentile(errors, 50),
    timingErrorP99Ms: percentile(errors, 99),
    timingErrorMaxMs: errors[errors.length - 1] ?? null,
    interiorChunks: interior.length,
    interiorTimingErrorP50Ms: percentile(interior, 50),
    interiorTimingErrorP99Ms: percentile(interior, 99),
    scheduleNote: "error = |(receive_i - write_i) - median over the request of (receive - write)| per chunk; simulator write times as truth",
  };
}

const tiny = await startTinyServer();
let plain;
try {
  // Interleaved rounds, best of each: the machine is shared, so one sequential pass says more about
  // the neighbours than about the peers.
  const samples = { harness: [] as number[], autocannon: [] as number[], wrk: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    samples.harness.push(await harnessPlain(tiny.url));
    samples.autocannon.push(autocannonPlain(tiny.url));
    const wrk = wrkPlain(tiny.url);
    if (wrk !== null) samples.wrk.push(wrk);
  }
  const harness = Math.max(...samples.harness);
  const autocannon = Math.max(...samples.autocannon);
  const wrk = samples.wrk.length > 0 ? Math.max(...samples.wrk) : null;
  plain = { connections: CONNECTIONS, seconds: SECONDS, rounds: ROUNDS, samples, harnessRequestsPerS: harness, autocannonRequestsPerS: autocannon, wrkRequestsPerS: wrk, harnessVsAutocannon: harness / autocannon, harnessVsWrk: wrk ? harness / wrk : null, target: 0.8 };
} finally {
  await tiny.stop();
}
const streamed = await streamedRate();
const open = await openStreams(STREAMS);
// The same timing-error measure with fewer streams, where chunks of one step do not queue behind thousands of others.
const openSmall = await openStreams(TIMING_STREAMS);
const result = {
  benchmark: "harness-capacity",
  date: new Date().toISOString(),
  host: { cpus: navigator.hardwareConcurrency, bun: Bun.version },
  plainNonStreaming: plain,
  streamedZeroLatency: streamed,
  openStreams: open,
  openStreamsTiming: openSmall,
  targets: { plainVsAutocannonAtLeast: 0.8, openStreamsAtLeast: 2000, timingErrorP99BelowMs: 2 },
  verdict: {
    plainVsAutocannon: (plain?.harnessVsAutocannon ?? 0) >= 0.8,
    openStreams: open.peakConcurrentOpenStreams >= 2000,
    timingErrorP99AtCapacity: open.timingErrorP99Ms < 2,
    interiorTimingErrorP99AtCapacity: open.interiorTimingErrorP99Ms < 2,
    interiorTimingErrorP99AtTimingStreams: openSmall.interiorTimingErrorP99Ms < 2,
  },
};
mkdirSync(`${root}reports/bench`, { recursive: true });
writeFileSync(`${root}reports/bench/harness-capacity.json`, `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
