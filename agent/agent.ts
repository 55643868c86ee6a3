/**
 * Wires the agent together: sources -> sampler -> timeline and /metrics, served by
 * Bun.serve. A class because it has a lifecycle (start, stop) to manage.
 */
import type { AgentConfig } from "./config/agent-config.ts";
import { createHostSource, type HostSource } from "./host/host-source.ts";
import type { Logger } from "./log.ts";
import { agentFamilies } from "./metrics/agent-families.ts";
import { ExpositionCache } from "./metrics/exposition-cache.ts";
import { hostFamilies } from "./host/host-families.ts";
import { SelfMetrics } from "./metrics/self-metrics.ts";
import type { HostReading, Sample, SourceName } from "./sample.ts";
import { Sampler, type SamplerSources, type SourceResult } from "./sampler/sampler.ts";
import { createApp } from "./server/create-app.ts";
import { Timeline } from "./timeline/timeline.ts";
import { createVllmSource } from "./vllm/vllm-source.ts";
import type { MetricFamily } from "./exposition/family.ts";
import { Outputs } from "./outputs/outputs.ts";
import { hostname } from "node:os";
import { dcgmFamilies } from "./gpu/dcgm-families.ts";
import { gpuFamilies } from "./gpu/gpu-families.ts";
import { type GpuSource, openGpuSource } from "./gpu/gpu-source.ts";

/** With --interval 0: a full GC after this many on-demand samples (see Agent#collectGarbageSoon). */
const ON_DEMAND_SAMPLES_PER_GC = 4;

const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]", "0.0.0.0", "[::]"]);

/** The running agent: its sampler, timeline and HTTP server. */
export class Agent {
  readonly sampler: Sampler;
  readonly timeline: Timeline;
  readonly #config: AgentConfig;
  readonly #logger: Logger;
  readonly #version: string;
  readonly #exposition: ExpositionCache;
  readonly #outputs: Outputs;
  readonly #gpu: GpuSource;
  readonly #host: HostSource;
  #server: ReturnType<typeof Bun.serve> | null = null;
  #onDemandSamplesSinceGc = 0;

  constructor(config: AgentConfig, options: { logger: Logger; version: string }) {
    this.#config = config;
    this.#logger = options.logger;
    this.#version = options.version;
    // On-demand sampling has no fixed rate: size for one sample a second.
    const assumedIntervalMs = config.intervalMs > 0 ? config.intervalMs : 1_000;
    this.timeline = new Timeline({ retentionMs: config.timelineRetentionMs, capacity: Math.max(1, Math.ceil(config.timelineRetentionMs / assumedIntervalMs)) });
    // NVML absent or unusable still gives a source: it reports up 0 and logs once (via the sampler).
    this.#gpu = openGpuSource({ libraryPath: config.nvmlLibrary, procRoot: config.procfsPath, logger: options.logger, worker: !config.once });
    const watched = watchedProcesses(config);
    this.#host = createHostSource({
      procRoot: config.procfsPath,
      rootfsPrefix: config.rootfsPath === "/" ? "" : config.rootfsPath.replace(/\/+$/, ""),
      // The targets are fixed for the agent's life: found once, not per sample (each is a URL parse).
      watchedProcesses: () => watched,
    });
    const sources: SamplerSources = { ...buildSources(config, this.#host), gpu: this.#gpu };
    const gpuHostname = hostname();
    const configuredSources = Object.keys(sources) as SourceName[];
    // A source must answer well within the interval so one slow source never stalls the timeline.
    const sourceTimeoutMs = Math.max(config.vllmTimeoutMs + 200, config.intervalMs > 0 ? config.intervalMs * 0.9 : 5_000);
    this.sampler = new Sampler({
      sources,
      intervalMs: config.intervalMs,
      sourceTimeoutMs,
      logger: options.logger,
      onSample: (sample) => {
        this.timeline.append(sample);
        this.#outputs.onSample(sample);
        if (config.intervalMs <= 0) this.#collectGarbageSoon();
      },
    });
    const selfMetrics = new SelfMetrics(config.procfsPath);
    const families = async (sample: Sample): Promise<MetricFamily[]> => [
      ...agentFamilies({ sample, version: this.#version, errorTotals: this.sampler.errorTotals, configuredSources }),
      ...this.#outputs.families(),
      ...(await selfMetrics.families()),
      ...(sample.host ? hostFamilies(sample.host, { timeMs: sample.timeMs }) : []),
      ...(config.compat === "dcgm" ? dcgmFamilies(sample.gpus, { hostname: gpuHostname }) : gpuFamilies(sample.gpus)),
      ...sample.vllm.flatMap((v) => v.families),
    ];
    this.#exposition = new ExpositionCache(families);
    // Opened here so a --record path that cannot be written stops the agent before it serves.
    this.#outputs = new Outputs(config, { logger: options.logger, version: options.version, families, render: async (sample) => (await this.#exposition.render(sample, "text")).body });
  }

  /**
   * Collecting on every scrape (--interval 0) leaves a whole sample's garbage per request (the parsed vLLM body,
   * the rendered text), and Bun's heap grows to ~90 MB before it settles. A full collection every few samples,
   * run after the response has gone out, keeps RSS near its size after start.
   */
  #collectGarbageSoon(): void {
    if (++this.#onDemandSamplesSinceGc < ON_DEMAND_SAMPLES_PER_GC) return;
    this.#onDemandSamplesSinceGc = 0;
    setTimeout(() => Bun.gc(true), 0);
  }

  /** Takes one sample without serving anything (--once). */
  async sampleOnce(): Promise<Sample> {
    return this.sampler.sampleNow();
  }

  /** Renders a sample as /metrics would. */
  async render(sample: Sample, format: "text" | "openmetrics"): Promise<string> {
    return (await this.#exposition.render(sample, format)).body;
  }

  /** Starts sampling and serving; resolves with the URL actually bound (port 0 picks one). */
  start(): URL {
    const app = createApp({
      version: this.#version,
      intervalMs: this.#config.intervalMs,
      retentionMs: this.#config.timelineRetentionMs,
      token: this.#config.token,
      metricsAuth: this.#config.metricsAuth,
      sampler: this.sampler,
      timeline: this.timeline,
      exposition: this.#exposition,
    });
    const tls = this.#config.tlsCertPath && this.#config.tlsKeyPath ? { cert: Bun.file(this.#config.tlsCertPath), key: Bun.file(this.#config.tlsKeyPath) } : undefined;
    this.#server = Bun.serve({
      hostname: this.#config.listenHost,
      port: this.#config.listenPort,
      fetch: app.fetch,
      tls,
      // /metrics may wait on a slow vLLM for up to the source timeout; stay well above it.
      idleTimeout: 30,
    });
    this.sampler.start();
    this.#outputs.start();
    const url = new URL(this.#server.url.href);
    this.#logger.info("Serving metrics", {
      url: `${url.href}metrics`,
      interval: `${this.#config.intervalMs}ms`,
      vllm: this.#config.vllmTargets.map((t) => t.baseUrl).join(",") || "none",
      version: this.#version,
    });
    return url;
  }

  /** Stops sampling, waits for a sample in flight, and closes the server. */
  async stop(): Promise<void> {
    this.sampler.stop();
    await this.sampler.idle();
    // Flush recorders and the last OTLP batch, delete the Pushgateway group, while /metrics still answers.
    await this.#outputs.stop();
    // Stops the XID worker, then nvmlShutdown.
    await this.#gpu.close();
    this.#host.close();
    await this.#server?.stop(true);
    this.#server = null;
  }
}

function buildSources(config: AgentConfig, host: HostSource): SamplerSources {
  const hostSource = {
    async read(signal: AbortSignal): Promise<SourceResult<HostReading>> {
      const { reading, errors } = await host.read(signal);
      return { value: reading, errors: errors.map((e) => ({ source: "host" as const, ...e })) };
    },
  };
  if (config.vllmTargets.length === 0) return { host: hostSource };
  const vllm = createVllmSource({
    targets: config.vllmTargets,
    timeoutMs: config.vllmTimeoutMs,
    maxBodyBytes: config.vllmMaxBodyBytes,
    maxSeries: config.vllmMaxSeries,
  });
  return { host: hostSource, vllm };
}

/** The vLLM processes to report: found by the port of each local target, or given by --vllm-pid. */
function watchedProcesses(config: AgentConfig): { target: string; port?: number; pid?: number }[] {
  const watched: { target: string; port?: number; pid?: number }[] = [];
  for (const target of config.vllmTargets) {
    const url = new URL(target.baseUrl);
    if (!LOCAL_HOSTS.has(url.hostname)) continue;
    const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
    watched.push({ target: target.baseUrl, port });
  }
  if (config.vllmPid !== null) watched.push({ target: config.vllmTargets[0]?.baseUrl ?? "", pid: config.vllmPid });
  return watched;
}
