/**
 * Agent overhead against node_exporter, measured in the same run on this machine:
 *   bun scripts/bench/agent-overhead.ts [--scrapes 1000] [--idle-seconds 20]
 *
 * Peers: dist/vigil-agent scraping the vLLM fixture (once with its 1 s sampler, whose
 * scrapes serve the cached render, once with --interval 0, collecting on every
 * scrape like node_exporter), and Debian's prometheus-node-exporter with the minimal
 * host collectors (reference/agent-anchors.md §2.3). All on 127.0.0.1.
 * Writes reports/bench/agent-overhead.json. Quote ratios, not absolute times: the
 * machines are shared and noisy.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { startVllmFixtureServer } from "../vllm-fixture-server.ts";

const root = new URL("../..", import.meta.url).pathname;
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const SCRAPES = arg("scrapes", 1000);
const IDLE_SECONDS = arg("idle-seconds", 20);
const CLOCK_TICKS_PER_SECOND = 100;

interface PeerResult {
  readonly peer: string;
  readonly command: string;
  readonly rssAfterStartBytes: number;
  readonly rssAfterScrapesBytes: number;
  readonly cpuSecondsPerScrape: number;
  readonly scrapeLatencyMedianMs: number;
  readonly scrapeLatencyP99Ms: number;
  readonly bodyBytes: number;
  readonly gzipBodyBytes: number;
  readonly series: number;
  /** CPU used with nobody scraping, as a fraction of one core (the sampler's own cost). */
  readonly idleCpuCoreFraction: number;
}

async function procStat(pid: number): Promise<{ cpuSeconds: number; rssBytes: number }> {
  const stat = await Bun.file(`/proc/${pid}/stat`).text();
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const status = await Bun.file(`/proc/${pid}/status`).text();
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { cpuSeconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND, rssBytes: rssKb * 1024 };
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

async function measure(peer: string, argv: string[], metricsUrl: string): Promise<PeerResult> {
  const proc = Bun.spawn(argv, { stdout: "ignore", stderr: "ignore" });
  try {
    await waitUntilServing(metricsUrl.replace(/\/metrics$/, "/"));
    await Bun.sleep(1000);
    const idleStart = await procStat(proc.pid);
    await Bun.sleep(IDLE_SECONDS * 1000);
    const idleEnd = await procStat(proc.pid);
    const rssAfterStartBytes = idleEnd.rssBytes;

    const latenciesMs: number[] = [];
    let body = "";
    const before = await procStat(proc.pid);
    for (let i = 0; i < SCRAPES; i++) {
      const started = performance.now();
      const response = await fetch(metricsUrl, { headers: { "accept-encoding": "identity" } });
      body = await response.text();
      latenciesMs.push(performance.now() - started);
    }
    const after = await procStat(proc.pid);
    latenciesMs.sort((a, b) => a - b);
    return {
      peer,
      command: argv.map((a) => a.replace(root, "")).join(" "),
      rssAfterStartBytes,
      rssAfterScrapesBytes: after.rssBytes,
      cpuSecondsPerScrape: (after.cpuSeconds - before.cpuSeconds) / SCRAPES,
      scrapeLatencyMedianMs: percentile(latenciesMs, 50),
      scrapeLatencyP99Ms: percentile(latenciesMs, 99),
      bodyBytes: Buffer.byteLength(body),
      gzipBodyBytes: Bun.gzipSync(body).byteLength,
      series: body.split("\n").filter((line) => line !== "" && !line.startsWith("#")).length,
      idleCpuCoreFraction: (idleEnd.cpuSeconds - idleStart.cpuSeconds) / IDLE_SECONDS,
    };
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
try {
  const agentPort = await freePort();
  results.push(await measure("vigil-agent (1s sampler)", [agentBinary, "--listen", `127.0.0.1:${agentPort}`, "--vllm", vllm.url, "--interval", "1s"], `http://127.0.0.1:${agentPort}/metrics`));
  const onScrapePort = await freePort();
  results.push(await measure("vigil-agent (--interval 0, collect on scrape)", [agentBinary, "--listen", `127.0.0.1:${onScrapePort}`, "--vllm", vllm.url, "--interval", "0"], `http://127.0.0.1:${onScrapePort}/metrics`));
  const nePort = await freePort();
  const minimal = ["--collector.disable-defaults", ...["cpu", "meminfo", "filesystem", "netdev", "loadavg", "stat", "pressure", "uname"].map((c) => `--collector.${c}`), "--web.disable-exporter-metrics"];
  results.push(await measure("node_exporter (minimal collectors)", [nodeExporter, `--web.listen-address=127.0.0.1:${nePort}`, ...minimal], `http://127.0.0.1:${nePort}/metrics`));
} finally {
  vllm.stop();
}

const [sampled, onScrape, peer] = results as [PeerResult, PeerResult, PeerResult];
const report = {
  schema: "vigil.bench.agent-overhead/v1",
  measuredAt: new Date().toISOString(),
  machine: { cpus: navigator.hardwareConcurrency, bun: Bun.version, kernel: (await Bun.file("/proc/sys/kernel/osrelease").text()).trim() },
  scrapes: SCRAPES,
  idleSeconds: IDLE_SECONDS,
  client: "Bun fetch, sequential, keep-alive, no gzip",
  results,
  ratios: {
    medianLatencyVsNodeExporter: { sampled: sampled.scrapeLatencyMedianMs / peer.scrapeLatencyMedianMs, onScrape: onScrape.scrapeLatencyMedianMs / peer.scrapeLatencyMedianMs },
    cpuPerScrapeVsNodeExporter: { sampled: sampled.cpuSecondsPerScrape / peer.cpuSecondsPerScrape, onScrape: onScrape.cpuSecondsPerScrape / peer.cpuSecondsPerScrape },
    cpuPerSeriesVsNodeExporter: { onScrape: onScrape.cpuSecondsPerScrape / onScrape.series / (peer.cpuSecondsPerScrape / peer.series) },
  },
};
mkdirSync(`${root}reports/bench`, { recursive: true });
writeFileSync(`${root}reports/bench/agent-overhead.json`, `${JSON.stringify(report, null, 2)}\n`);

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const rows = results.map((r) =>
  `| ${r.peer} | ${mb(r.rssAfterStartBytes)} MB | ${mb(r.rssAfterScrapesBytes)} MB | ${(r.cpuSecondsPerScrape * 1000).toFixed(2)} ms | ${r.scrapeLatencyMedianMs.toFixed(2)} ms | ${r.scrapeLatencyP99Ms.toFixed(2)} ms | ${r.bodyBytes} B | ${r.series} | ${(r.idleCpuCoreFraction * 100).toFixed(2)} % |`,
);
process.stdout.write(
  [
    `| peer | RSS after start | RSS after ${SCRAPES} scrapes | CPU per scrape | scrape median | scrape p99 | body | series | idle CPU (1 core) |`,
    "|---|---|---|---|---|---|---|---|---|",
    ...rows,
    "",
    `median latency vs node_exporter: ${report.ratios.medianLatencyVsNodeExporter.sampled.toFixed(2)}x (sampled), ${report.ratios.medianLatencyVsNodeExporter.onScrape.toFixed(2)}x (on scrape)`,
    "",
  ].join("\n"),
);
