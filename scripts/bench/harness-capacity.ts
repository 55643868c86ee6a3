/**
 * The native runner's own capacity, measured beside peers in the same run on this machine:
 *   bun scripts/bench/harness-capacity.ts [--seconds 3] [--rounds 3] [--connections 50] [--stream-counts 50,500,2000]
 *     [--streams-against sim,pacer] [--http-client native|bun-sockets|fetch] [--out FILE]
 *
 * 1. Plain non-streaming POSTs per second against one tiny HTTP server (its own process): the harness
 *    (constant-vus, stream off), a bare Bun fetch loop (same concurrency, no harness bookkeeping: the
 *    floor the harness sits on), autocannon (npm, under node) and wrk (Debian). One discarded warm-up
 *    round, then `--rounds` interleaved rounds (harness, bare fetch, autocannon, wrk, harness, ...);
 *    every peer runs as a fresh process each round; medians and every sample are reported.
 * 2. Streamed requests per second against the simulator with zero modelled latency (closed loop).
 * 3. Concurrent open streams at each of `--stream-counts` VUs against the simulator pacing 20 tokens at
 *    one engine step per 50 ms (decode cost 0 per sequence), and the harness's added timing error: per
 *    chunk, |(receive - simulator write) - that request's median (receive - write)| (the median removes
 *    the clock offset between the processes and the constant network delay).
 * 4. The same streams against stream-pacer.ts, whose write stamps are taken right after each send()
 *    (the simulator's stamps carry its own flush jitter), beside a peer in the same run: a bare socket
 *    client that only stamps its reads, the floor any client on this machine and runtime sits on.
 * `--streams-against sim,pacer` picks the stream servers of 2-4 (default both).
 * With taskset and 2+ CPUs, servers (tiny server, simulator) run on CPU 0 and every load generator
 * (this process, so the harness, and the peers) on CPU 1. Writes reports/bench/harness-capacity.json.
 * Quote ratios of peers measured in the same run; the machine is shared and noisy.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { kernelStamps } from "../../loadtest/runner/http1/kernel-stamped-connector.ts";
import { runForTest } from "../../loadtest/testing/run-for-test.ts";
import { spawnSimulator } from "../../loadtest/testing/spawn-simulator.ts";

const root = new URL("../..", import.meta.url).pathname;
const script = new URL(import.meta.url).pathname;
const argValue = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
};
const arg = (name: string, fallback: number) => Number(argValue(name) ?? fallback);
const SECONDS = arg("seconds", 3);
const CONNECTIONS = arg("connections", 50);
const ROUNDS = arg("rounds", 3);
const STREAM_COUNTS = (argValue("stream-counts") ?? "50,500,2000").split(",").map(Number);
/** The native runner's client (`--http-client bun-sockets|fetch` measures those paths instead). */
const HTTP_CLIENT = (["bun-sockets", "fetch"] as const).find((name) => name === argValue("http-client")) ?? "native";
/** Which stream servers the open-stream phase runs against: the simulator, the pacer, or both. */
const STREAMS_AGAINST = new Set((argValue("streams-against") ?? "sim,pacer").split(","));
const OUT = argValue("out") ?? `${root}reports/bench/harness-capacity.json`;
/** Open-stream runs begin with this warm-up (every connection opened, code warm); its requests are not counted. */
const STREAM_WARMUP_MS = 1500;
const BODY = JSON.stringify({ model: "m", prompt: "hello", max_tokens: 1 });
const MODEL = "meta-llama/Llama-3.1-8B-Instruct";
const TARGETS = { plainVsAutocannonAtLeast: 0.8, openStreamsAtLeast: 2000, timingErrorP99BelowMs: 2 };

// ---- CPU pinning ------------------------------------------------------------------

const SERVER_CPU = 0;
const GENERATOR_CPU = 1;
// os.cpus() counts the machine's CPUs; navigator.hardwareConcurrency only the ones this process may use (1 once pinned).
const canPin = Bun.which("taskset") !== null && cpus().length >= 2;
/** `argv` pinned to `cpu` when taskset is there, else unchanged. */
const pinned = (cpu: number, argv: readonly string[]): string[] => (canPin ? ["taskset", "-c", String(cpu), ...argv] : [...argv]);

// ---- child modes: one plain round of the harness or of the bare fetch loop ----------

const childMode = argValue("child");
if (childMode === "stamp") {
  console.log(JSON.stringify(await bareStampStreams(argValue("url") as string, Number(argValue("streams")))));
  process.exit(0);
}
if (childMode !== undefined) {
  const url = argValue("url") as string;
  const requestsPerS = childMode === "harness" ? await harnessPlain(url) : await bareFetchPlain(url);
  console.log(JSON.stringify({ requestsPerS }));
  process.exit(0);
}

/**
 * The floor under the harness's timing error: `streams` raw sockets to the pacer, each sending the
 * next request when its stream ends (closed loop, as constant-vus), whose data callback does nothing
 * but stamp the read (wall clock) once per token chunk in it. No HTTP parsing, no JSON, no books.
 */
async function bareStampStreams(url: string, streams: number): Promise<{ requests: Array<{ id: string; warmup: boolean; stampsMs: number[] }> }> {
  const { hostname, port } = new URL(url);
  const body = JSON.stringify({ model: MODEL, prompt: "x", max_tokens: 20, stream: true });
  const requests: Array<{ id: string; warmup: boolean; stampsMs: number[] }> = [];
  const startMs = performance.now();
  const endMs = startMs + STREAM_WARMUP_MS + SECONDS * 1000;
  const TOKEN_MARK = ' tok"';
  let running = 0;
  await new Promise<void>((resolve) => {
    const send = (socket: Bun.Socket<{ current: { stampsMs: number[] } | null }>) => {
      if (performance.now() >= endMs) {
        socket.end();
        if (--running === 0) resolve();
        return;
      }
      const id = `stamp-${requests.length}`;
      const request = { id, warmup: performance.now() - startMs < STREAM_WARMUP_MS, stampsMs: [] as number[] };
      requests.push(request);
      socket.data.current = request;
      socket.write(`POST /v1/completions HTTP/1.1\r\nhost: ${hostname}\r\ncontent-type: application/json\r\nx-request-id: ${id}\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
    };
    for (let i = 0; i < streams; i++) {
      running++;
      void Bun.connect<{ current: { stampsMs: number[] } | null }>({
        hostname,
        port: Number(port),
        data: { current: null },
        socket: {
          open: (socket) => send(socket),
          // The read as a Buffer, searched as bytes: no decoding.
          data: (socket, bytes) => {
            const stampMs = performance.timeOrigin + performance.now();
            const current = socket.data.current;
            if (current === null) return;
            for (let at = bytes.indexOf(TOKEN_MARK); at !== -1; at = bytes.indexOf(TOKEN_MARK, at + 1)) current.stampsMs.push(stampMs);
            if (bytes.includes("[DONE]")) send(socket);
          },
          close: () => undefined,
        },
      });
    }
  });
  return { requests };
}

/** The harness as a user runs it: constant-vus, stream off, records not kept, no in-process warm-up (the peers get none either). */
async function harnessPlain(url: string): Promise<number> {
  const run = await runForTest(
    {
      target: { url, model: "m", api: "completions" },
      workload: { prompts: { kind: "synthetic", inputTokens: 2 }, outputTokens: 1, stream: false },
      load: { executor: "constant-vus", vus: CONNECTIONS, duration: SECONDS * 1000 },
      gracefulStop: "5s",
    },
    { keepRecords: false, httpClient: HTTP_CLIENT },
  );
  if (run.report.counts.failed > 0) throw new Error(`harness plain run had ${run.report.counts.failed} failures: ${JSON.stringify(run.report.errors.byType)}`);
  return run.report.throughput.requestsPerS;
}

/** `CONNECTIONS` loops of fetch + text(), counting completed requests: what Bun fetch does with no harness around it. */
async function bareFetchPlain(url: string): Promise<number> {
  const target = `${url}/v1/completions`;
  const headers = { "content-type": "application/json" };
  const startMs = performance.now();
  const endMs = startMs + SECONDS * 1000;
  let completed = 0;
  const loop = async () => {
    while (performance.now() < endMs) {
      const response = await fetch(target, { method: "POST", headers, body: BODY });
      await response.text();
      if (!response.ok) throw new Error(`bare fetch got HTTP ${response.status}`);
      completed++;
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, loop));
  return completed / ((performance.now() - startMs) / 1000);
}

// ---- the orchestrator pins itself to the generator CPU, then runs everything ---------

if (canPin && process.env.VIGIL_BENCH_PINNED !== "1") {
  const self = Bun.spawn(pinned(GENERATOR_CPU, [process.execPath, script, ...process.argv.slice(2)]), { env: { ...process.env, VIGIL_BENCH_PINNED: "1" }, stdio: ["inherit", "inherit", "inherit"] });
  process.exit(await self.exited);
}

const TINY_SERVER = `
const body = JSON.stringify({ id: "cmpl-1", object: "text_completion", model: "m", choices: [{ index: 0, text: "x", finish_reason: "length" }], usage: { prompt_tokens: 2, completion_tokens: 1, total_tokens: 3 } });
const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: async (req) => { await req.arrayBuffer(); return new Response(body, { headers: { "content-type": "application/json" } }); } });
console.log(server.url.href);
`;

async function startTinyServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = Bun.spawn(pinned(SERVER_CPU, [process.execPath, "-e", TINY_SERVER]), { stdout: "pipe", stderr: "inherit" });
  const { value } = await child.stdout.getReader().read();
  const url = new TextDecoder().decode(value).trim().replace(/\/$/, "");
  return {
    url,
    stop: async () => {
      child.kill("SIGTERM");
      await child.exited;
    },
  };
}

function inChild(mode: "harness" | "bare", url: string): number {
  const out = Bun.spawnSync(pinned(GENERATOR_CPU, [process.execPath, script, "--child", mode, "--url", url, "--seconds", String(SECONDS), "--connections", String(CONNECTIONS)]), { stdout: "pipe", stderr: "pipe" });
  if (out.exitCode !== 0) throw new Error(`${mode} round failed: ${out.stderr.toString()}`);
  return (JSON.parse(out.stdout.toString().trim().split("\n").pop() as string) as { requestsPerS: number }).requestsPerS;
}

function autocannonPlain(url: string): number {
  const out = Bun.spawnSync(pinned(GENERATOR_CPU, ["node", `${root}node_modules/autocannon/autocannon.js`, "-c", String(CONNECTIONS), "-d", String(SECONDS), "-m", "POST", "-H", "content-type=application/json", "-b", BODY, "-j", `${url}/v1/completions`]), { stdout: "pipe", stderr: "pipe" });
  const result = JSON.parse(out.stdout.toString()) as { requests: { average: number }; errors: number; non2xx: number };
  if (result.errors > 0 || result.non2xx > 0) throw new Error(`autocannon saw ${result.errors} errors, ${result.non2xx} non-2xx`);
  return result.requests.average;
}

function wrkPlain(url: string): number | null {
  if (!Bun.which("wrk")) return null;
  const lua = join(tmpdir(), `vigil-wrk-${process.pid}.lua`);
  writeFileSync(lua, `wrk.method = "POST"\nwrk.body = ${JSON.stringify(BODY)}\nwrk.headers["Content-Type"] = "application/json"\n`);
  const out = Bun.spawnSync(pinned(GENERATOR_CPU, ["wrk", "-t1", `-c${CONNECTIONS}`, `-d${SECONDS}s`, "-s", lua, `${url}/v1/completions`]), { stdout: "pipe", stderr: "pipe" }).stdout.toString();
  const match = /Requests\/sec:\s+([\d.]+)/.exec(out);
  return match ? Number(match[1]) : null;
}

const PEERS = {
  harness: (url: string): number | null => inChild("harness", url),
  bareFetch: (url: string): number | null => inChild("bare", url),
  autocannon: (url: string): number | null => autocannonPlain(url),
  wrk: (url: string): number | null => wrkPlain(url),
};
type Peer = keyof typeof PEERS;

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? Number.NaN : (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number);
}

async function plainRounds() {
  const tiny = await startTinyServer();
  try {
    const peers = Object.keys(PEERS) as Peer[];
    const warmup: Partial<Record<Peer, number | null>> = {};
    for (const peer of peers) warmup[peer] = PEERS[peer](tiny.url);
    const samples = Object.fromEntries(peers.map((peer) => [peer, [] as number[]])) as Record<Peer, number[]>;
    for (let round = 0; round < ROUNDS; round++) {
      for (const peer of peers) {
        const value = PEERS[peer](tiny.url);
        if (value !== null) samples[peer].push(value);
      }
    }
    const medians = Object.fromEntries(peers.map((peer) => [peer, median(samples[peer])])) as Record<Peer, number | null>;
    const ratio = (a: number | null, b: number | null) => (a === null || b === null ? null : a / b);
    // Same-round ratios: each round's harness against that round's peer, so a noisy neighbour hits both.
    const pairedRatio = (peer: Peer) => median(samples.harness.map((value, i) => value / (samples[peer][i] ?? Number.NaN)).filter(Number.isFinite));
    return {
      connections: CONNECTIONS,
      seconds: SECONDS,
      rounds: ROUNDS,
      scheduleNote: `one discarded warm-up round per peer, then ${ROUNDS} interleaved rounds (${peers.join(", ")}, repeat); each peer a fresh process per round with no warm-up of its own; medians over rounds`,
      warmupRoundDiscarded: warmup,
      samplesRequestsPerS: samples,
      medianRequestsPerS: medians,
      harnessVsAutocannon: ratio(medians.harness, medians.autocannon),
      harnessVsWrk: ratio(medians.harness, medians.wrk),
      harnessVsBareFetch: ratio(medians.harness, medians.bareFetch),
      bareFetchVsAutocannon: ratio(medians.bareFetch, medians.autocannon),
      pairedRatioMedians: { harnessVsAutocannon: pairedRatio("autocannon"), harnessVsWrk: pairedRatio("wrk"), harnessVsBareFetch: pairedRatio("bareFetch") },
    };
  } finally {
    await tiny.stop();
  }
}

async function streamedRate(): Promise<{ requestsPerS: number; outputTokensPerS: number; failed: number }> {
  await using sim = await spawnSimulator(["--zero-latency", "--max-num-seqs", "1024", "--record-limit", "0"], { prefix: pinned(SERVER_CPU, []) });
  const run = await runForTest({
    target: { url: sim.url, model: MODEL, api: "completions" },
    workload: { prompts: { kind: "synthetic", inputTokens: 16 }, outputTokens: 16 },
    load: { executor: "constant-vus", vus: 64, duration: SECONDS * 1000 },
    warmup: 1000,
  }, { httpClient: HTTP_CLIENT });
  return { requestsPerS: run.report.throughput.requestsPerS, outputTokensPerS: run.report.throughput.outputTokensPerS, failed: run.report.counts.failed };
}

/** `streams` VUs each holding one 20-token stream at a time, after a warm-up. */
function openStreamsScenario(url: string, streams: number) {
  return {
    target: { url, model: MODEL, api: "completions" },
    workload: { prompts: { kind: "synthetic", inputTokens: 8 }, outputTokens: 20 },
    load: { executor: "constant-vus", vus: streams, duration: SECONDS * 1000 },
    timeouts: { ttft: "30s", stall: "10s" },
    warmup: STREAM_WARMUP_MS,
    gracefulStop: "20s",
  } as const;
}

async function openStreams(streams: number) {
  await using sim = await spawnSimulator(
    ["--max-num-seqs", String(streams + 64), "--step-base-ms", "50", "--decode-ms-per-seq", "0", "--prefill-ms-per-token", "0", "--max-num-batched-tokens", "1000000", "--record-limit", String(streams * 4)],
    { prefix: pinned(SERVER_CPU, []) },
  );
  let peakInFlight = 0;
  const run = await runForTest(
    openStreamsScenario(sim.url, streams),
    {
      httpClient: HTTP_CLIENT,
      onRunner: (runner) => {
        const t = setInterval(() => {
          peakInFlight = Math.max(peakInFlight, runner.inFlight);
        }, 50);
        t.unref();
      },
    },
  );
  const truths = new Map((await sim.records()).map((r) => [r.clientRequestId, r.choices[0]?.writeTimesMs]));
  const timing = timingErrors(run.records, (id) => truths.get(id));
  const windowsInFlight = run.report.windows.windows.map((w) => w.inFlightMean);
  return {
    vus: streams,
    peakConcurrentOpenStreams: peakInFlight,
    meanOpenStreamsBusiestWindow: Math.max(...windowsInFlight),
    completed: run.report.counts.completed,
    failed: run.report.counts.failed,
    errorsByType: Object.fromEntries(Object.entries(run.report.errors.byType).map(([k, v]) => [k, v?.count])),
    streamedRequestsPerS: run.report.throughput.requestsPerS,
    ...timing,
  };
}

/** What the error needs of a request: the harness's records have it, and so do the bare client's. */
interface TimedRequest {
  readonly requestId: string;
  readonly warmup: boolean;
  readonly contentChunks: number;
  readonly chunkTimesMs: ArrayLike<number>;
  readonly failure: unknown;
}

/**
 * Per chunk: error = |(receive - write) - that request's median (receive - write)|, the median
 * removing the clock offset and the constant transfer delay. With `absolute`, write stamps are wall
 * clock (the pacer's) and the plain delay receive - write is reported too.
 */
function timingErrors(records: readonly TimedRequest[], writesOf: (requestId: string) => readonly number[] | undefined, absolute = false) {
  const errors: number[] = [];
  const interior: number[] = [];
  const delays: number[] = [];
  const byChunkIndex: number[][] = [];
  for (const record of records) {
    const writes = writesOf(record.requestId);
    if (record.warmup || !writes || writes.length !== record.contentChunks || record.failure) continue;
    const raw = Array.from({ length: writes.length }, (_, i) => (record.chunkTimesMs[i] as number) - (writes[i] as number));
    const offset = [...raw].sort((a, b) => a - b)[Math.floor(raw.length / 2)] as number;
    raw.forEach((value, i) => {
      errors.push(Math.abs(value - offset));
      (byChunkIndex[i] ??= []).push(Math.abs(value - offset));
      if (absolute) delays.push(value + performance.timeOrigin);
    });
    // The first chunk goes out with the response headers and the last ones beside the simulator's
    // ground-truth comment and [DONE]: interior chunks isolate the steady receive path.
    for (let i = 1; i < raw.length - 2; i++) interior.push(Math.abs((raw[i] as number) - offset));
  }
  errors.sort((a, b) => a - b);
  interior.sort((a, b) => a - b);
  delays.sort((a, b) => a - b);
  return {
    timingErrorChunks: errors.length,
    timingErrorP50Ms: percentile(errors, 50),
    timingErrorP99Ms: percentile(errors, 99),
    timingErrorMaxMs: errors[errors.length - 1] ?? null,
    interiorChunks: interior.length,
    interiorTimingErrorP50Ms: percentile(interior, 50),
    interiorTimingErrorP99Ms: percentile(interior, 99),
    timingErrorP99ByChunkIndexMs: byChunkIndex.map((values) => Number(percentile(values.sort((a, b) => a - b), 99).toFixed(3))),
    ...(absolute ? { receiveDelayP50Ms: percentile(delays, 50), receiveDelayP99Ms: percentile(delays, 99), receiveDelayMaxMs: delays[delays.length - 1] ?? null } : {}),
  };
}

/** The pacer (stream-pacer.ts) on the server CPU, its URL once listening. */
async function startPacer(): Promise<{ url: string; records: () => Promise<Record<string, { writeTimesMs: number[]; partialWrites: number }>>; stop: () => Promise<void> }> {
  const child = Bun.spawn(pinned(SERVER_CPU, [process.execPath, `${root}scripts/bench/stream-pacer.ts`, "--step-ms", "50"]), { stdout: "ignore", stderr: "pipe" });
  const reader = child.stderr.getReader();
  let seen = "";
  while (!/url=(\S+)/.test(seen)) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`stream pacer exited: ${seen}`);
    seen += new TextDecoder().decode(value);
  }
  const url = (/url=(\S+)/.exec(seen) as RegExpExecArray)[1] as string;
  return {
    url,
    records: async () => (await (await fetch(`${url}/records`)).json()) as Record<string, { writeTimesMs: number[]; partialWrites: number }>,
    stop: async () => {
      child.kill("SIGTERM");
      await child.exited;
    },
  };
}

/** The bare stamping client (a child on the generator CPU) against a fresh pacer: the floor of the timing error. */
async function bareStampFloor(streams: number) {
  const pacer = await startPacer();
  try {
    const out = Bun.spawnSync(pinned(GENERATOR_CPU, [process.execPath, script, "--child", "stamp", "--url", pacer.url, "--streams", String(streams), "--seconds", String(SECONDS)]), { stdout: "pipe", stderr: "pipe" });
    if (out.exitCode !== 0) throw new Error(`bare stamping client failed: ${out.stderr.toString()}`);
    const { requests } = JSON.parse(out.stdout.toString().trim().split("\n").pop() as string) as Awaited<ReturnType<typeof bareStampStreams>>;
    const truths = await pacer.records();
    const records = requests.map((request) => ({
      requestId: request.id,
      warmup: request.warmup,
      contentChunks: request.stampsMs.length,
      chunkTimesMs: Float64Array.from(request.stampsMs, (stampMs) => stampMs - performance.timeOrigin),
      failure: null,
    }));
    return { vus: streams, completed: requests.filter((r) => !r.warmup && r.stampsMs.length === 20).length, ...timingErrors(records, (id) => (truths[id]?.partialWrites === 0 ? truths[id]?.writeTimesMs : undefined), true) };
  } finally {
    await pacer.stop();
  }
}

/** The same open streams against the pacer, whose write stamps are taken right after each send. */
async function pacedStreams(streams: number) {
  const pacer = await startPacer();
  try {
    const cpuBefore = process.cpuUsage();
    const wallBeforeMs = performance.now();
    // The kernel-stamped client's read counts (the native client where it runs), else none.
    const stamps = HTTP_CLIENT === "native" ? kernelStamps() : null;
    const readCounts = stamps?.connector ? stamps.readCounts : null;
    const readsBefore = readCounts?.();
    const run = await runForTest(openStreamsScenario(pacer.url, streams), { httpClient: HTTP_CLIENT });
    const cpu = process.cpuUsage(cpuBefore);
    const readsAfter = readCounts?.();
    const wallSeconds = (performance.now() - wallBeforeMs) / 1000;
    const chunksReceived = run.records.reduce((sum, record) => sum + record.contentChunks + 2, 0);
    const truths = await pacer.records();
    const partialWrites = Object.values(truths).reduce((sum, r) => sum + r.partialWrites, 0);
    return {
      vus: streams,
      completed: run.report.counts.completed,
      failed: run.report.counts.failed,
      partialWrites,
      // Kernel-stamped client only: reads the kernel gave no SO_TIMESTAMPNS for (stamped when read instead).
      reads: readsAfter && readsBefore ? readsAfter.reads - readsBefore.reads : null,
      unstampedReads: readsAfter && readsBefore ? readsAfter.unstampedReads - readsBefore.unstampedReads : null,
      // This process's CPU over the run (warm-up included), per SSE frame received (content chunks + usage + [DONE]).
      harnessCpuCoreFraction: (cpu.user + cpu.system) / 1e6 / wallSeconds,
      harnessCpuMicrosPerFrame: (cpu.user + cpu.system) / chunksReceived,
      ...timingErrors(run.records, (id) => (truths[id]?.partialWrites === 0 ? truths[id]?.writeTimesMs : undefined), true),
    };
  } finally {
    await pacer.stop();
  }
}

const plain = ROUNDS > 0 ? await plainRounds() : null;
const streamed = STREAMS_AGAINST.has("sim") ? await streamedRate() : null;
const byStreams = [];
if (STREAMS_AGAINST.has("sim")) for (const count of STREAM_COUNTS) byStreams.push(await openStreams(count));
const pacedByStreams = [];
const floorByStreams = [];
if (STREAMS_AGAINST.has("pacer")) {
  for (const count of STREAM_COUNTS) {
    pacedByStreams.push(await pacedStreams(count));
    floorByStreams.push(await bareStampFloor(count));
  }
}
const atCapacity = byStreams.find((entry) => entry.vus === Math.max(...STREAM_COUNTS)) as (typeof byStreams)[number] | undefined;
const result = {
  benchmark: "harness-capacity",
  date: new Date().toISOString(),
  host: { cpus: cpus().length, bun: Bun.version },
  pinningNote: canPin ? `taskset: servers (tiny server, simulator) on CPU ${SERVER_CPU}; this process (the harness), its plain-round children, bare fetch, autocannon and wrk on CPU ${GENERATOR_CPU}` : "not pinned (no taskset or fewer than 2 CPUs)",
  plainNonStreaming: plain,
  streamedZeroLatency: streamed,
  openStreams: {
    scheduleNote:
      "per stream count: constant-vus against the simulator, 20 tokens, one engine step per 50 ms for the whole batch (every open stream gets a chunk at the same instant). error = |(receive_i - write_i) - median over the request of (receive - write)| per chunk; write_i is the simulator's performance.now() when the chunk was handed to the socket (see loadtest/sim/sse-sink.ts), receive_i the harness's stamp after the read resolved",
    byStreams,
  },
  pacedStreams: {
    scheduleNote:
      "the same constant-vus streams against scripts/bench/stream-pacer.ts (raw sockets, one send() per chunk, all open streams every 50 ms, write stamped on the wall clock right after send() returns): error as above; receiveDelay = receive - write on the wall clock (loopback plus the harness's wake-up and stamping), both processes' performance.timeOrigin + now()",
    byStreams: pacedByStreams,
    bareStampClientNote: "peer measured in the same run: a bare Bun socket client on the generator CPU (own process) that only stamps each read (no HTTP parsing, no JSON, no bookkeeping), closed loop against a fresh pacer: the floor of this machine and runtime",
    bareStampClientByStreams: floorByStreams,
  },
  targets: TARGETS,
  verdict: {
    plainVsAutocannon: (plain?.harnessVsAutocannon ?? 0) >= TARGETS.plainVsAutocannonAtLeast,
    openStreams: (atCapacity?.peakConcurrentOpenStreams ?? 0) >= TARGETS.openStreamsAtLeast,
    timingErrorP99AtCapacity: (atCapacity?.timingErrorP99Ms ?? Number.POSITIVE_INFINITY) < TARGETS.timingErrorP99BelowMs,
    interiorTimingErrorP99AtCapacity: (atCapacity?.interiorTimingErrorP99Ms ?? Number.POSITIVE_INFINITY) < TARGETS.timingErrorP99BelowMs,
    timingErrorP99BelowTargetUpToStreams: Math.max(0, ...byStreams.filter((entry) => entry.timingErrorP99Ms < TARGETS.timingErrorP99BelowMs).map((entry) => entry.vus)),
    pacedTimingErrorP99AtCapacity: (pacedByStreams.at(-1)?.timingErrorP99Ms ?? Number.POSITIVE_INFINITY) < TARGETS.timingErrorP99BelowMs,
    bareStampClientTimingErrorP99AtCapacity: (floorByStreams.at(-1)?.timingErrorP99Ms ?? Number.POSITIVE_INFINITY) < TARGETS.timingErrorP99BelowMs,
    pacedTimingErrorP99VsBareStampClient: (pacedByStreams.at(-1)?.timingErrorP99Ms ?? Number.NaN) / (floorByStreams.at(-1)?.timingErrorP99Ms ?? Number.NaN),
  },
};
mkdirSync(`${root}reports/bench`, { recursive: true });
writeFileSync(OUT, `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
