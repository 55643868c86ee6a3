/**
 * Agent overhead against node_exporter, measured in the same run on this machine:
 *   bun scripts/bench/agent-overhead.ts [--scrapes 1000] [--idle-seconds 40] [--warmup-seconds 5] [--steady-seconds 60] [--peers sampled,onScrape,nodeExporter,baseline]
 *
 * Peers: dist/vigil-agent scraping the vLLM fixture (once with its 1 s sampler, whose
 * scrapes serve the cached render, once with --interval 0, collecting on every
 * scrape like node_exporter), and Debian's prometheus-node-exporter with the minimal
 * host collectors (reference/agent-anchors.md §2.3). All on 127.0.0.1.
 * Idle CPU is the threads' run time from /proc/<pid>/task/<tid>/schedstat (ns; utime+stime in
 * 10 ms ticks where schedstat is missing) over a window after a warm-up, by thread,
 * beside a bare Bun timer (`bun -e`, and the same compiled) as the runtime's floor. The 1 s sampler
 * and the compiled timer get a second, steady window right after the first: JSC compiles code
 * that runs once a second through its tiers over about a minute, so the first window holds
 * start-up cost (JIT work, start-up garbage) that an agent running for days does not pay.
 * Writes reports/bench/agent-overhead.json. Quote ratios, not absolute times: the
 * machines are shared and noisy.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { startVllmFixtureServer } from "../vllm-fixture-server.ts";

const root = new URL("../..", import.meta.url).pathname;
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const SCRAPES = arg("scrapes", 1000);
const IDLE_SECONDS = arg("idle-seconds", 40);
const WARMUP_SECONDS = arg("warmup-seconds", 5);
/** A second idle window right after the first, for the 1 s sampler and the compiled timer: the agent settled (code it runs once a second takes about a minute to be compiled by every JIT tier). 0 skips it. */
const STEADY_SECONDS = arg("steady-seconds", 60);
const PEERS = new Set((process.argv.includes("--peers") ? process.argv[process.argv.indexOf("--peers") + 1] ?? "" : "sampled,onScrape,nodeExporter,baseline").split(","));
const RSS_TRACE_EVERY = 250;
const CLOCK_TICKS_PER_SECOND = 100;

interface IdleResult {
  /** CPU used with nobody scraping, as a fraction of one core, over `idleSeconds` after the warm-up. */
  readonly idleCpuCoreFraction: number;
  /** The same CPU by thread name (threads of one name summed), in seconds over the window. */
  readonly idleCpuSecondsByThread: Readonly<Record<string, number>>;
  readonly rssAfterStartBytes: number;
  /** The steady window (right after the first, `steadySeconds` long), where measured. */
  readonly steady?: { readonly fromSecond: number; readonly toSecond: number; readonly idleCpuCoreFraction: number; readonly idleCpuSecondsByThread: Readonly<Record<string, number>> };
}

interface PeerResult extends IdleResult {
  readonly peer: string;
  readonly command: string;
  readonly rssAfterScrapesBytes: number;
  /** RSS every 250 scrapes, to tell a high-water mark from growth. */
  readonly rssTraceBytes: readonly number[];
  readonly cpuSecondsPerScrape: number;
  readonly scrapeLatencyMedianMs: number;
  readonly scrapeLatencyP99Ms: number;
  readonly bodyBytes: number;
  readonly gzipBodyBytes: number;
  readonly series: number;
}

interface BaselineResult extends IdleResult {
  readonly peer: string;
  readonly command: string;
}

function cpuSecondsOf(statText: string): { name: string; cpuSeconds: number } {
  const name = statText.slice(statText.indexOf("(") + 1, statText.lastIndexOf(")"));
  const fields = statText.slice(statText.lastIndexOf(")") + 2).split(" ");
  return { name, cpuSeconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND };
}

/**
 * Whether /proc/<pid>/task/<tid>/schedstat is there: its first field is the time the thread ran, in
 * ns. utime+stime come in 10 ms ticks charged to whoever runs at the tick, and a process that wakes
 * on the timer tick for a millisecond a second is charged more than it ran (the 1 s sampler, 45-105 s
 * after start: 0.52 % by ticks in this bench, 0.35 % by schedstat in a side-by-side run of the same build).
 */
const SCHEDSTAT = (() => {
  try {
    readFileSync(`/proc/self/task/${process.pid}/schedstat`, "utf8");
    return true;
  } catch {
    return false;
  }
})();

function threadCpuSeconds(pid: number, tid: string, statText: string): { name: string; cpuSeconds: number } {
  const ticks = cpuSecondsOf(statText);
  if (!SCHEDSTAT) return ticks;
  return { name: ticks.name, cpuSeconds: Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]) / 1e9 };
}

function procStat(pid: number): { cpuSeconds: number; rssBytes: number } {
  const cpuSeconds = SCHEDSTAT ? [...threadStats(pid).values()].reduce((sum, thread) => sum + thread.cpuSeconds, 0) : cpuSecondsOf(readFileSync(`/proc/${pid}/stat`, "utf8")).cpuSeconds;
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { cpuSeconds, rssBytes: rssKb * 1024 };
}

/** CPU seconds per thread id, with the thread's name. */
function threadStats(pid: number): Map<string, { name: string; cpuSeconds: number }> {
  const out = new Map<string, { name: string; cpuSeconds: number }>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      out.set(tid, threadCpuSeconds(pid, tid, readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8")));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}

/** CPU of `pid` over the next `seconds`: total as a fraction of one core, and seconds by thread name. */
async function cpuOver(pid: number, seconds: number): Promise<{ idleCpuCoreFraction: number; idleCpuSecondsByThread: Record<string, number>; rssBytes: number }> {
  const start = procStat(pid);
  const threadsStart = threadStats(pid);
  await Bun.sleep(seconds * 1000);
  const end = procStat(pid);
  const threadsEnd = threadStats(pid);
  const byThread: Record<string, number> = {};
  for (const [tid, { name, cpuSeconds }] of threadsEnd) {
    const used = cpuSeconds - (threadsStart.get(tid)?.cpuSeconds ?? 0);
    if (used > 0.0005) byThread[name] = Math.round(((byThread[name] ?? 0) + used) * 1000) / 1000;
  }
  return { idleCpuCoreFraction: (end.cpuSeconds - start.cpuSeconds) / seconds, idleCpuSecondsByThread: byThread, rssBytes: end.rssBytes };
}

async function measureIdle(pid: number, steady = false): Promise<IdleResult> {
  await Bun.sleep(WARMUP_SECONDS * 1000);
  const first = await cpuOver(pid, IDLE_SECONDS);
  const result = { idleCpuCoreFraction: first.idleCpuCoreFraction, idleCpuSecondsByThread: first.idleCpuSecondsByThread, rssAfterStartBytes: first.rssBytes };
  if (!steady || STEADY_SECONDS <= 0) return result;
  const settled = await cpuOver(pid, STEADY_SECONDS);
  const fromSecond = WARMUP_SECONDS + IDLE_SECONDS;
  return { ...result, steady: { fromSecond, toSecond: fromSecond + STEADY_SECONDS, idleCpuCoreFraction: settled.idleCpuCoreFraction, idleCpuSecondsByThread: settled.idleCpuSecondsByThread } };
}

async function waitUntilServing(url: string): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    await Bun.sleep(100);
  }
  throw new Error(`${url} did not answer within 15 s`);
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

const shown = (argv: readonly string[]) => argv.map((a) => a.replace(root, "")).join(" ");

async function measure(peer: string, argv: string[], metricsUrl: string, steady = false): Promise<PeerResult> {
  const proc = Bun.spawn(argv, { stdout: "ignore", stderr: "ignore" });
  try {
    await waitUntilServing(metricsUrl.replace(/\/metrics$/, "/"));
    const idle = await measureIdle(proc.pid, steady);

    const latenciesMs: number[] = [];
    const rssTraceBytes: number[] = [];
    let body = "";
    const before = procStat(proc.pid);
    for (let i = 0; i < SCRAPES; i++) {
      const started = performance.now();
      const response = await fetch(metricsUrl, { headers: { "accept-encoding": "identity" } });
      body = await response.text();
      latenciesMs.push(performance.now() - started);
      if ((i + 1) % RSS_TRACE_EVERY === 0) rssTraceBytes.push(procStat(proc.pid).rssBytes);
    }
    const after = procStat(proc.pid);
    latenciesMs.sort((a, b) => a - b);
    return {
      peer,
      command: shown(argv),
      ...idle,
      rssAfterScrapesBytes: after.rssBytes,
      rssTraceBytes,
      cpuSecondsPerScrape: (after.cpuSeconds - before.cpuSeconds) / SCRAPES,
      scrapeLatencyMedianMs: percentile(latenciesMs, 50),
      scrapeLatencyP99Ms: percentile(latenciesMs, 99),
      bodyBytes: Buffer.byteLength(body),
      gzipBodyBytes: Bun.gzipSync(body).byteLength,
      series: body.split("\n").filter((line) => line !== "" && !line.startsWith("#")).length,
    };
  } finally {
    proc.kill("SIGTERM");
    await proc.exited;
  }
}

async function measureBaseline(peer: string, argv: string[], steady = false): Promise<BaselineResult> {
  const proc = Bun.spawn(argv, { stdout: "ignore", stderr: "ignore" });
  try {
    return { peer, command: shown(argv), ...(await measureIdle(proc.pid, steady)) };
  } finally {
    proc.kill("SIGTERM");
    await proc.exited;
  }
}

async function freePort(): Promise<number> {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  return port;
}

const nodeExporter = Bun.which("prometheus-node-exporter") ?? Bun.which("node_exporter");
if (!nodeExporter) {
  process.stderr.write("agent-overhead: prometheus-node-exporter not found: run scripts/setup-test-deps.sh\n");
  process.exit(1);
}
const agentBinary = `${root}dist/vigil-agent`;
if (!(await Bun.file(agentBinary).exists())) {
  process.stderr.write("agent-overhead: dist/vigil-agent not found: run npm run build:agent\n");
  process.exit(1);
}

const vllm = await startVllmFixtureServer();
const results: PeerResult[] = [];
const baselines: BaselineResult[] = [];
const scratch = mkdtempSync(`${tmpdir()}/agent-overhead-`);
try {
  if (PEERS.has("sampled")) {
    const port = await freePort();
    results.push(await measure("vigil-agent (1s sampler)", [agentBinary, "--listen", `127.0.0.1:${port}`, "--vllm", vllm.url, "--interval", "1s"], `http://127.0.0.1:${port}/metrics`, true));
  }
  if (PEERS.has("onScrape")) {
    const port = await freePort();
    results.push(await measure("vigil-agent (--interval 0, collect on scrape)", [agentBinary, "--listen", `127.0.0.1:${port}`, "--vllm", vllm.url, "--interval", "0"], `http://127.0.0.1:${port}/metrics`));
  }
  if (PEERS.has("nodeExporter")) {
    const port = await freePort();
    const minimal = ["--collector.disable-defaults", ...["cpu", "meminfo", "filesystem", "netdev", "loadavg", "stat", "pressure", "uname"].map((c) => `--collector.${c}`), "--web.disable-exporter-metrics"];
    results.push(await measure("node_exporter (minimal collectors)", [nodeExporter, `--web.listen-address=127.0.0.1:${port}`, ...minimal], `http://127.0.0.1:${port}/metrics`));
  }
  if (PEERS.has("baseline")) {
    const timer = "setInterval(() => {}, 1000);";
    baselines.push(await measureBaseline("bun, bare 1 s timer (bun -e)", [process.execPath, "-e", timer]));
    writeFileSync(`${scratch}/timer.ts`, timer);
    const compiled = Bun.spawnSync([process.execPath, "build", `${scratch}/timer.ts`, "--compile", "--outfile", `${scratch}/timer`], { stdout: "ignore", stderr: "inherit" });
    if (compiled.exitCode === 0) baselines.push(await measureBaseline("bun, bare 1 s timer (compiled)", [`${scratch}/timer`], true));
  }
} finally {
  vllm.stop();
  rmSync(scratch, { recursive: true, force: true });
}

const find = (prefix: string) => results.find((r) => r.peer.startsWith(prefix));
const sampled = find("vigil-agent (1s");
const onScrape = find("vigil-agent (--interval 0");
const peer = find("node_exporter");
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? null : a / b);
const report = {
  schema: "vigil.bench.agent-overhead/v2",
  measuredAt: new Date().toISOString(),
  machine: { cpus: navigator.hardwareConcurrency, bun: Bun.version, kernel: (await Bun.file("/proc/sys/kernel/osrelease").text()).trim() },
  scrapes: SCRAPES,
  warmupSeconds: WARMUP_SECONDS,
  idleSeconds: IDLE_SECONDS,
  steadySeconds: STEADY_SECONDS,
  cpuClock: SCHEDSTAT ? "sum over threads of /proc/<pid>/task/<tid>/schedstat (ns run time); threads that ended are not counted" : "utime+stime of /proc/<pid>/stat (10 ms ticks)",
  client: "Bun fetch, sequential, keep-alive, no gzip",
  results,
  baselines,
  ratios: {
    medianLatencyVsNodeExporter: { sampled: ratio(sampled?.scrapeLatencyMedianMs, peer?.scrapeLatencyMedianMs), onScrape: ratio(onScrape?.scrapeLatencyMedianMs, peer?.scrapeLatencyMedianMs) },
    cpuPerScrapeVsNodeExporter: { sampled: ratio(sampled?.cpuSecondsPerScrape, peer?.cpuSecondsPerScrape), onScrape: ratio(onScrape?.cpuSecondsPerScrape, peer?.cpuSecondsPerScrape) },
    cpuPerSeriesVsNodeExporter: { onScrape: onScrape && peer ? onScrape.cpuSecondsPerScrape / onScrape.series / (peer.cpuSecondsPerScrape / peer.series) : null },
    idleCpuVsCompiledBunTimer: { sampled: ratio(sampled?.idleCpuCoreFraction, baselines.find((b) => b.peer.includes("compiled"))?.idleCpuCoreFraction) },
  },
};
mkdirSync(`${root}reports/bench`, { recursive: true });
const outPath = process.argv.includes("--out") ? (process.argv[process.argv.indexOf("--out") + 1] as string) : `${root}reports/bench/agent-overhead.json`;
writeFileSync(outPath, `${JSON.stringify(report, null, 2)}\n`);

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const pct = (fraction: number) => `${(fraction * 100).toFixed(2)} %`;
const rows = results.map((r) =>
  `| ${r.peer} | ${mb(r.rssAfterStartBytes)} MB | ${mb(r.rssAfterScrapesBytes)} MB | ${(r.cpuSecondsPerScrape * 1000).toFixed(2)} ms | ${r.scrapeLatencyMedianMs.toFixed(2)} ms | ${r.scrapeLatencyP99Ms.toFixed(2)} ms | ${r.bodyBytes} B | ${r.series} | ${pct(r.idleCpuCoreFraction)} |`,
);
const baselineRows = baselines.map((b) => `| ${b.peer} | ${mb(b.rssAfterStartBytes)} MB | | | | | | | ${pct(b.idleCpuCoreFraction)} |`);
process.stdout.write(
  [
    `| peer | RSS after start | RSS after ${SCRAPES} scrapes | CPU per scrape | scrape median | scrape p99 | body | series | idle CPU (1 core, ${IDLE_SECONDS} s) |`,
    "|---|---|---|---|---|---|---|---|---|",
    ...rows,
    ...baselineRows,
    "",
    ...results.map((r) => `${r.peer}: idle CPU by thread ${JSON.stringify(r.idleCpuSecondsByThread)}; RSS every ${RSS_TRACE_EVERY} scrapes ${r.rssTraceBytes.map(mb).join(", ")} MB`),
    ...baselines.map((b) => `${b.peer}: idle CPU by thread ${JSON.stringify(b.idleCpuSecondsByThread)}`),
    ...[...results, ...baselines].filter((r) => r.steady).map((r) => `${r.peer}: steady idle CPU ${pct(r.steady?.idleCpuCoreFraction ?? 0)} from ${r.steady?.fromSecond} s to ${r.steady?.toSecond} s after start, by thread ${JSON.stringify(r.steady?.idleCpuSecondsByThread)}`),
    "",
    `median latency vs node_exporter: ${report.ratios.medianLatencyVsNodeExporter.sampled?.toFixed(2)}x (sampled), ${report.ratios.medianLatencyVsNodeExporter.onScrape?.toFixed(2)}x (on scrape)`,
    "",
  ].join("\n"),
);
