/**
 * The compiled agent pushing OTLP/HTTP to a spec-checking receiver: the values
 * /metrics shows for a sample arrive under semantic-convention names, in JSON and
 * protobuf, with resource attributes and headers; 503 + Retry-After is retried after
 * the server's delay and nothing crashes; a collector down for a long time costs a
 * bounded queue and one log line per state change, and recovers.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseExposition } from "../agent/exposition/parse-exposition.ts";
import type { MetricFamily } from "../agent/exposition/family.ts";
import { type FixtureServer, startVllmFixtureServer } from "../scripts/vllm-fixture-server.ts";
import { rssBytes, startAgent } from "./support/agent-process.ts";
import { attributesOf, type OtlpMetric, type ReceivedRequest, metricsByName, startOtlpReceiver } from "./support/otlp-receiver.ts";
import { freePort } from "./support/prometheus-server.ts";
import { buildFakeNvml } from "./fake-nvml/build-fake-nvml.ts";
import { makeFakeNvmlState } from "./fake-nvml/make-fake-nvml-state.ts";
import { writeFakeNvmlState } from "./fake-nvml/state-file.ts";

function value(families: readonly MetricFamily[], name: string, labels: Record<string, string> = {}): number {
  for (const family of families) {
    for (const sample of family.samples) {
      if (sample.name === name && Object.entries(labels).every(([k, v]) => sample.labels[k] === v)) return sample.value;
    }
  }
  throw new Error(`no ${name}${JSON.stringify(labels)} on /metrics`);
}

function point(metric: OtlpMetric | undefined, attributes: Record<string, string | number>): number {
  const points = metric?.gauge?.dataPoints ?? metric?.sum?.dataPoints ?? [];
  const match = points.find((p) => Object.entries(attributes).every(([k, v]) => attributesOf(p.attributes)[k] === v));
  if (!match) throw new Error(`no ${metric?.name} point with ${JSON.stringify(attributes)}`);
  return match.asDouble ?? Number(match.asInt);
}

describe.each([
  ["http/json", "application/json"],
  ["http/protobuf", "application/x-protobuf"],
] as const)("OTLP push (%s) from the compiled binary", (protocol, contentType) => {
  let vllm: FixtureServer;

  beforeAll(async () => {
    vllm = await startVllmFixtureServer();
  });
  afterAll(() => vllm.stop());

  it("delivers the values /metrics shows for the same sample, under semantic-convention names", async () => {
    await using receiver = startOtlpReceiver();
    // One sample for the whole test (--interval 1h): /metrics and every OTLP batch show that sample.
    await using agent = await startAgent(
      ["--vllm", vllm.url, "--interval", "1h", "--otlp", receiver.url, "--otlp-protocol", protocol, "--otlp-interval", "200ms", "--otlp-resource", "deployment.environment=test"],
      { env: { OTEL_EXPORTER_OTLP_HEADERS: "x-api-key=s3cret%21" } },
    );
    const request = await receiver.waitFor(() => true, 20_000);
    const families = parseExposition(await (await fetch(`${agent.url}/metrics`)).text());

    expect(receiver.violations).toEqual([]);
    expect(request).toMatchObject({ path: "/v1/metrics", contentType, headers: { "x-api-key": "s3cret!" } });
    const resource = attributesOf(request.body.resourceMetrics[0]?.resource?.attributes ?? []);
    const info = families.find((f) => f.name === "vigil_agent_info")?.samples[0]?.labels;
    expect(resource).toMatchObject({ "service.name": "vigil-agent", "service.version": info?.version, "deployment.environment": "test" });
    expect(typeof resource["host.name"]).toBe("string");

    const metrics = metricsByName(request.body);
    const sampleTimeNs = BigInt(Math.round(value(families, "vigil_sample_timestamp_seconds") * 1000)) * 1_000_000n;
    expect(metrics.get("system.memory.limit")?.sum?.dataPoints[0]?.timeUnixNano).toBe(String(sampleTimeNs));

    // Host: the same /proc numbers under both name schemes.
    expect(metrics.get("system.memory.limit")?.unit).toBe("By");
    expect(point(metrics.get("system.memory.limit"), {})).toBe(value(families, "node_memory_MemTotal_bytes"));
    expect(point(metrics.get("system.memory.usage"), { "system.memory.state": "free" })).toBe(value(families, "node_memory_MemFree_bytes"));
    expect(point(metrics.get("system.cpu.time"), { "cpu.mode": "idle", "cpu.logical_number": 0 })).toBe(value(families, "node_cpu_seconds_total", { cpu: "0", mode: "idle" }));
    expect(metrics.get("system.cpu.time")?.sum).toMatchObject({ isMonotonic: true, aggregationTemporality: 2 });
    const rootSize = value(families, "node_filesystem_size_bytes", { mountpoint: "/" });
    expect(point(metrics.get("system.filesystem.limit"), { "system.filesystem.mountpoint": "/" })).toBe(rootSize);
    const device = families.find((f) => f.name === "node_network_receive_bytes_total")?.samples[0]?.labels.device;
    if (device) {
      expect(point(metrics.get("system.network.io"), { "network.interface.name": device, "network.io.direction": "receive" })).toBe(value(families, "node_network_receive_bytes_total", { device }));
    }

    // vLLM: gauges as gauges, counters as monotonic sums, histograms with vLLM's buckets.
    const model = { engine: "0", model_name: "meta-llama/Llama-3.1-8B-Instruct" };
    expect(point(metrics.get("vllm:num_requests_running"), model)).toBe(4);
    expect(metrics.get("vllm:num_requests_running")?.gauge).toBeDefined();
    expect(metrics.get("vllm:prompt_tokens_total")?.sum?.isMonotonic).toBe(true);
    expect(point(metrics.get("vllm:prompt_tokens_total"), model)).toBe(value(families, "vllm:prompt_tokens_total", model));
    const ttft = metrics.get("vllm:time_to_first_token_seconds");
    expect(ttft?.unit).toBe("s");
    const histogram = ttft?.histogram?.dataPoints[0];
    const buckets = families.find((f) => f.name === "vllm:time_to_first_token_seconds")?.samples.filter((s) => s.name.endsWith("_bucket")) ?? [];
    expect(histogram?.explicitBounds).toEqual(buckets.filter((b) => b.labels.le !== "+Inf").map((b) => Number(b.labels.le)));
    let cumulative = 0;
    const cumulativeCounts = (histogram?.bucketCounts ?? []).map((c) => (cumulative += Number(c)));
    expect(cumulativeCounts).toEqual(buckets.map((b) => b.value));
    expect(Number(histogram?.count)).toBe(value(families, "vllm:time_to_first_token_seconds_count", model));
    expect(histogram?.sum).toBe(value(families, "vllm:time_to_first_token_seconds_sum", model));
    expect(await agent.stop()).toBe(0);
  });
});

describe("OTLP push of GPU metrics (fake NVML, two GPUs)", () => {
  it("sends hw.gpu.*, hw.power and hw.energy with the values /metrics shows", async () => {
    const library = await buildFakeNvml();
    const dir = mkdtempSync(join(tmpdir(), "vigil-otlp-gpu-"));
    const state = join(dir, "nvml.state");
    writeFakeNvmlState(state, makeFakeNvmlState(2));
    try {
      await using receiver = startOtlpReceiver();
      await using agent = await startAgent(["--no-vllm", "--interval", "1h", "--nvml-library", library, "--otlp", receiver.url, "--otlp-protocol", "http/protobuf", "--otlp-interval", "200ms"], { env: { VIGIL_FAKE_NVML_STATE: state } });
      const request = await receiver.waitFor(() => true, 20_000);
      const families = parseExposition(await (await fetch(`${agent.url}/metrics`)).text());
      const metrics = metricsByName(request.body);
      for (const gpu of ["0", "1"]) {
        const uuid = families.find((f) => f.name === "vigil_gpu_utilization_ratio")?.samples.find((s) => s.labels.gpu === gpu)?.labels.uuid as string;
        expect(uuid).toMatch(/^GPU-/);
        const hw = { "hw.id": uuid, "hw.type": "gpu" };
        expect(point(metrics.get("hw.gpu.utilization"), { ...hw, "hw.gpu.task": "general" })).toBe(value(families, "vigil_gpu_utilization_ratio", { gpu }));
        expect(point(metrics.get("hw.gpu.memory.usage"), hw)).toBe(value(families, "vigil_gpu_memory_used_bytes", { gpu }));
        expect(point(metrics.get("hw.gpu.memory.limit"), hw)).toBe(value(families, "vigil_gpu_memory_total_bytes", { gpu }));
        expect(point(metrics.get("hw.power"), hw)).toBe(value(families, "vigil_gpu_power_watts", { gpu }));
        expect(point(metrics.get("hw.energy"), hw)).toBe(value(families, "vigil_gpu_energy_joules_total", { gpu }));
      }
      expect(receiver.violations).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("OTLP push when the collector misbehaves", () => {
  it("retries a 503 after its Retry-After and keeps serving", async () => {
    await using receiver = startOtlpReceiver();
    receiver.script({ status: 503, headers: { "retry-after": "2" } }, { status: 503, headers: { "retry-after": "2" } });
    await using agent = await startAgent(["--no-vllm", "--interval", "1h", "--otlp", receiver.url, "--otlp-interval", "500ms"]);
    const accepted = await receiver.waitFor((r) => r.status === 200, 30_000);
    const [first, second, third] = receiver.requests as [ReceivedRequest, ReceivedRequest, ReceivedRequest];
    expect([first.status, second.status, third.status]).toEqual([503, 503, 200]);
    // The same batch each time, each retry no sooner than the server asked (a lower bound, not a speed).
    expect(second.body).toEqual(first.body);
    expect(accepted.body).toEqual(first.body);
    expect(second.receivedAtMs - first.receivedAtMs).toBeGreaterThanOrEqual(1_900);
    expect(third.receivedAtMs - second.receivedAtMs).toBeGreaterThanOrEqual(1_900);
    expect((await fetch(`${agent.url}/metrics`)).status).toBe(200);
    expect(agent.process.exitCode).toBeNull();
    expect(receiver.violations).toEqual([]);
  });

  it("pushes the last sample on SIGTERM (the flush on stop)", async () => {
    await using receiver = startOtlpReceiver();
    // The interval never comes round: only the flush at shutdown can deliver anything.
    const agent = await startAgent(["--no-vllm", "--interval", "100ms", "--otlp", receiver.url, "--otlp-interval", "1h"]);
    await Bun.sleep(300);
    const families = parseExposition(await (await fetch(`${agent.url}/metrics`)).text());
    expect(receiver.requests).toHaveLength(0);
    expect(await agent.stop()).toBe(0);
    expect(receiver.requests).toHaveLength(1);
    const timeNs = BigInt(metricsByName(receiver.requests[0]?.body ?? { resourceMetrics: [] }).get("system.memory.limit")?.sum?.dataPoints[0]?.timeUnixNano ?? "0");
    expect(Number(timeNs / 1_000_000n)).toBeGreaterThanOrEqual(Math.round(value(families, "vigil_sample_timestamp_seconds") * 1000));
  });

  it("drops a batch the collector rejects with 400 instead of retrying it", async () => {
    await using receiver = startOtlpReceiver();
    receiver.script({ status: 400 });
    await using agent = await startAgent(["--no-vllm", "--interval", "300ms", "--otlp", receiver.url, "--otlp-interval", "300ms"]);
    await receiver.waitFor((r) => r.status === 200, 20_000);
    const [rejected, next] = receiver.requests as [ReceivedRequest, ReceivedRequest];
    expect(rejected.status).toBe(400);
    expect(next.body).not.toEqual(rejected.body);
    await fetch(`${agent.url}/metrics`);
    expect(agent.logs()).toMatch(/Cannot push OTLP metrics to \S+: status 400/);
  });

  it("keeps bounded memory and a bounded queue while the collector is down, then recovers", async () => {
    const port = await freePort();
    await using agent = await startAgent(["--no-vllm", "--interval", "100ms", "--otlp", `http://127.0.0.1:${port}`, "--otlp-interval", "100ms", "--otlp-queue", "8"]);
    const metric = async (name: string) => value(parseExposition(await (await fetch(`${agent.url}/metrics`)).text()), name, { output: "otlp" });
    await Bun.sleep(2_000);
    const rssEarly = await rssBytes(agent.process.pid);
    // About 150 batches are built while it is down; only 8 may be held.
    await Bun.sleep(10_000);
    expect(await metric("vigil_output_queue_length")).toBeLessThanOrEqual(8);
    expect(await metric("vigil_output_dropped_total")).toBeGreaterThan(50);
    expect(await metric("vigil_output_up")).toBe(0);
    const rssLate = await rssBytes(agent.process.pid);
    expect(rssLate - rssEarly).toBeLessThan(40 * 1024 * 1024);
    const logs = agent.logs();
    expect(logs.match(/Cannot push OTLP metrics/g)).toHaveLength(1);
    expect(logs.match(/OTLP queue full/g)).toHaveLength(1);

    await using receiver = startOtlpReceiver({ port });
    await receiver.waitFor(() => true, 30_000);
    for (let i = 0; i < 100 && !/OTLP push to \S+ recovered/.test(agent.logs()); i++) await Bun.sleep(200);
    expect(agent.logs()).toMatch(/OTLP push to \S+ recovered/);
    expect(await metric("vigil_output_up")).toBe(1);
    expect(receiver.violations).toEqual([]);
  });
});
