/**
 * Correlation against real processes: the compiled agent (fake NVML fed by the simulator's GPU
 * emulation) scraping the vLLM simulator, read directly through /api/v1/timeline and through a
 * real Prometheus (query_range) that scrapes the agent; and an agent that is not there.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectTelemetry } from "../loadtest/correlate/collect-telemetry.ts";
import type { TelemetryReport } from "../loadtest/report/telemetry-types.ts";
import { type RunningSimulator, startSimulator } from "../loadtest/sim/start-simulator.ts";
import { buildFakeNvml } from "./fake-nvml/build-fake-nvml.ts";
import { type RunningAgent, startAgent } from "./support/agent-process.ts";
import { freePort, type PrometheusServer, startPrometheus } from "./support/prometheus-server.ts";
import { buildReportFixture } from "./support/report-fixture.ts";
import { findTool } from "./support/require-tool.ts";

const prometheusBinary = findTool("prometheus");
const gcc = findTool("gcc");

describe.skipIf(!gcc)("collectTelemetry() against a real agent", () => {
  const dir = mkdtempSync(join(tmpdir(), "vigil-correlate-"));
  let sim: RunningSimulator;
  let agent: RunningAgent;
  let prometheus: PrometheusServer | null = null;
  let startedAtMs = 0;
  let endedAtMs = 0;

  beforeAll(async () => {
    const statePath = join(dir, "gpu-state.txt");
    sim = await startSimulator({ port: 0, seed: 3, maxNumSeqs: 4, numGpuBlocks: 120, decodeMsPerSeq: 2, gpuStatePath: statePath });
    await Bun.sleep(600); // the first GPU state file is written
    agent = await startAgent(["--vllm", sim.url, "--interval", "1s", "--nvml-library", await buildFakeNvml()], { env: { VIGIL_FAKE_NVML_STATE: statePath } });
    if (prometheusBinary) prometheus = await startPrometheus(prometheusBinary, { targets: [new URL(agent.url).host] });
    await Bun.sleep(1500);
    startedAtMs = Date.now();
    // About 8 s of load beyond 4 sequences, so requests queue.
    const requests: Promise<unknown>[] = [];
    for (let i = 0; i < 16; i++) {
      requests.push(
        fetch(`${sim.url}/v1/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ model: sim.options.model, messages: [{ role: "user", content: "word ".repeat(200) }], max_tokens: 200, ignore_eos: true }),
        }).then((r) => r.text()),
      );
      await Bun.sleep(250);
    }
    await Promise.all(requests);
    await Bun.sleep(1000);
    endedAtMs = Date.now();
    if (prometheus) await prometheus.waitFor('vllm:num_requests_running{job="vigil"}', 10_000);
    await Bun.sleep(2500); // Prometheus scraped past the end
  }, 120_000);

  afterAll(async () => {
    await prometheus?.[Symbol.asyncDispose]();
    await agent?.stop();
    await sim?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const fixture = () => buildReportFixture({ startEpochMs: startedAtMs, windowCount: Math.ceil((endedAtMs - startedAtMs) / 1000), warmupWindows: 0 });
  const expectJoined = (telemetry: TelemetryReport) => {
    expect(telemetry.status).not.toBe("missing");
    const available = new Set(telemetry.series.filter((s) => s.available).map((s) => s.name));
    for (const name of ["gpuUtilizationRatio", "gpuPowerWatts", "gpuMemoryUsedBytes", "kvCacheUsageRatio", "requestsRunning", "requestsWaiting", "vllmTtftP95Ms", "hostCpuUtilizationRatio"] as const) {
      expect(available.has(name), name).toBe(true);
    }
    const running = telemetry.windows.map((w) => w.requestsRunning).filter((v): v is number => typeof v === "number");
    expect(Math.max(...running)).toBeGreaterThanOrEqual(3);
    const waiting = telemetry.windows.map((w) => w.requestsWaiting).filter((v): v is number => typeof v === "number");
    expect(Math.max(...waiting)).toBeGreaterThan(0);
    const offset = telemetry.clockOffset!;
    // Same host, same clock: the true offset is 0, and it must lie inside the stated interval.
    expect(Math.abs(offset.offsetMs)).toBeLessThanOrEqual(offset.uncertaintyMs);
  };

  it("reads the agent's timeline: same-host offset 0 within its uncertainty, GPU and vLLM series joined", async () => {
    const telemetry = await collectTelemetry(fixture(), { agentUrl: agent.url });
    expect(telemetry.source).toBe("agent");
    expectJoined(telemetry);
    expect(telemetry.clockOffset?.method).toBe("serverTimeMs");
    expect(telemetry.gpus.length).toBeGreaterThan(0);
    expect(telemetry.gpus.every((g) => g.simulated === true)).toBe(true);
  });

  it.skipIf(!prometheusBinary)("reads the same series through Prometheus query_range with a label selector", async () => {
    const telemetry = await collectTelemetry(fixture(), { prometheusUrl: prometheus!.url, prometheusSelector: '{job="vigil"}', settleMs: 0 });
    expect(telemetry.source).toBe("prometheus");
    expect(telemetry.selector).toBe('{job="vigil"}');
    expect(telemetry.instances).toEqual([new URL(agent.url).host]);
    expect(telemetry.errors).toEqual([]);
    expectJoined(telemetry);
    expect(telemetry.gpus.length).toBeGreaterThan(0);
    // A selector that matches nothing is missing telemetry, not zeros.
    const none = await collectTelemetry(fixture(), { prometheusUrl: prometheus!.url, prometheusSelector: '{job="nobody"}', settleMs: 0 });
    expect(none.status).toBe("missing");
    expect(none.windows.every((w) => w.gpuPowerWatts === null)).toBe(true);
  });

  it("says telemetry is missing when the agent is unreachable", async () => {
    const port = await freePort();
    const telemetry = await collectTelemetry(fixture(), { agentUrl: `http://127.0.0.1:${port}`, settleMs: 0 });
    expect(telemetry.status).toBe("missing");
    expect(telemetry.errors[0]).toContain(`http://127.0.0.1:${port}/api/v1/timeline`);
    expect(telemetry.findings[0]?.message).toMatch(/^Telemetry is missing: Cannot read http:\/\/127\.0\.0\.1:\d+\/api\/v1\/timeline/);
  });
});
