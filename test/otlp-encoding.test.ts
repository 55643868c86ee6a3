/**
 * The OTLP mapping of a sample, encoded by the exporter's own serializers
 * (otlp-transformer's JSON and protobuf) and decoded by the test receiver: both
 * encodings carry the same metrics, and the GPU, host and vLLM fields land under
 * their semantic-convention names with the values of the sample.
 */
import { JsonMetricsSerializer, ProtobufMetricsSerializer } from "@opentelemetry/otlp-transformer";
import { describe, expect, it } from "vitest";
import { gpuTestReading } from "../agent/gpu/gpu-test-reading.ts";
import { parseExposition } from "../agent/exposition/parse-exposition.ts";
import { otlpResource } from "../agent/outputs/otlp/otlp-resource.ts";
import { sampleToOtlp } from "../agent/outputs/otlp/sample-to-otlp.ts";
import type { CpuReading, HostReading, Sample } from "../agent/sample.ts";
import { summarizeVllm } from "../agent/vllm/summarize-vllm.ts";
import { FIXTURE_PATH } from "../scripts/vllm-fixture-server.ts";
import { attributesOf, decodeExportMetricsServiceRequest, type ExportMetricsServiceRequest, metricsByName, normalizeJson } from "./support/otlp-receiver.ts";

const cpu = (idle: number, user: number): CpuReading => ({
  cpu: "0",
  secondsByMode: { user, nice: 0, system: 10, idle, iowait: 0, irq: 0, softirq: 0, steal: 0 },
  guestSeconds: 0,
  guestNiceSeconds: 0,
});

async function testSample(): Promise<Sample> {
  const families = parseExposition(await Bun.file(FIXTURE_PATH).text());
  const host: HostReading = {
    cpus: [cpu(130, 70)],
    stat: { contextSwitchesTotal: 1, interruptsTotal: 1, forksTotal: 1, procsRunning: 1, procsBlocked: 0, bootTimeSeconds: 1_700_000_000 },
    meminfo: [
      { field: "MemTotal", value: 16e9, unit: "bytes" },
      { field: "MemFree", value: 4e9, unit: "bytes" },
      { field: "MemAvailable", value: 10e9, unit: "bytes" },
      { field: "Buffers", value: 1e9, unit: "bytes" },
      { field: "Cached", value: 5e9, unit: "bytes" },
    ],
    load: { load1: 0.5, load5: 0.4, load15: 0.3 },
    filesystems: [{ device: "/dev/sda1", fstype: "ext4", mountpoint: "/", sizeBytes: 100e9, freeBytes: 40e9, availBytes: 35e9, files: 1, filesFree: 1, readonly: false, deviceError: false }],
    networks: [{ device: "eth0", receiveBytesTotal: 1000, receivePacketsTotal: 10, receiveErrsTotal: 0, receiveDropTotal: 0, transmitBytesTotal: 2000, transmitPacketsTotal: 20, transmitErrsTotal: 0, transmitDropTotal: 0 }],
    pressure: null,
    uname: { sysname: "Linux", release: "6", version: "1", machine: "x86_64", nodename: "h" },
    processes: [],
  };
  return {
    timeMs: 1_796_000_000_123,
    durationMs: 3,
    gpus: [gpuTestReading(0), gpuTestReading(1, { uuid: "GPU-1", utilizationGpuRatio: 0.9, powerWatts: null })],
    host,
    vllm: [{ target: "http://127.0.0.1:8000", up: true, scrapeDurationMs: 2, families, summary: summarizeVllm(families) }],
    sources: [],
    errors: [],
  };
}

describe("OTLP encoding of a sample", () => {
  it("decodes to the same request from JSON and from protobuf", async () => {
    const batch = sampleToOtlp(await testSample(), { resource: otlpResource({ version: "1.2.3", extra: { "deployment.environment": "t" }, hostName: "h", readMachineId: () => "abc" }), version: "1.2.3", startMs: 1_795_000_000_000, previousCpus: [cpu(100, 50)] });
    const json = JSON.parse(new TextDecoder().decode(JsonMetricsSerializer.serializeRequest(batch))) as ExportMetricsServiceRequest;
    const protobuf = decodeExportMetricsServiceRequest(ProtobufMetricsSerializer.serializeRequest(batch) as Uint8Array);
    // Compared through the receiver's normalization (64-bit ints as strings), metric by metric.
    const byJson = metricsByName(normalizeJson(json));
    const byProto = metricsByName(protobuf);
    expect([...byProto.keys()].sort()).toEqual([...byJson.keys()].sort());
    for (const [name, metric] of byJson) expect(byProto.get(name), name).toEqual(metric);
    expect(attributesOf(protobuf.resourceMetrics[0]?.resource?.attributes ?? [])).toEqual({
      "service.name": "vigil-agent",
      "service.version": "1.2.3",
      "host.name": "h",
      "host.id": "abc",
      "deployment.environment": "t",
    });
  });

  it("maps GPU readings to hw.* with hw.id and hw.type=gpu, leaving out what NVML did not give", async () => {
    const batch = sampleToOtlp(await testSample(), { resource: otlpResource({ version: "1", extra: {}, readMachineId: () => null }), version: "1", startMs: 0, previousCpus: null });
    const metrics = metricsByName(decodeExportMetricsServiceRequest(ProtobufMetricsSerializer.serializeRequest(batch) as Uint8Array));
    const points = (name: string) => (metrics.get(name)?.gauge ?? metrics.get(name)?.sum)?.dataPoints.map((p): Record<string, unknown> => ({ ...attributesOf(p.attributes), value: p.asDouble })) ?? [];
    expect(points("hw.gpu.utilization").filter((p) => p["hw.gpu.task"] === "general")).toEqual([
      expect.objectContaining({ "hw.id": "GPU-0", "hw.type": "gpu", "hw.name": "NVIDIA H100 80GB HBM3", value: 0.55 }),
      expect.objectContaining({ "hw.id": "GPU-1", value: 0.9 }),
    ]);
    expect(points("hw.gpu.memory.usage")[0]).toMatchObject({ "hw.id": "GPU-0", value: 60 * 1024 ** 3 + 512 * 1024 });
    expect(points("hw.gpu.memory.limit")[0]?.value).toBe(80 * 1024 ** 3);
    expect(points("hw.power")).toEqual([expect.objectContaining({ "hw.id": "GPU-0", value: 362.345 })]); // GPU-1 gave none
    expect(points("hw.energy")[0]?.value).toBeCloseTo(123_456.789, 6);
    expect(metrics.get("hw.energy")?.sum?.isMonotonic).toBe(true);
    expect(points("hw.errors").filter((p) => p["hw.id"] === "GPU-0")).toEqual([expect.objectContaining({ "error.type": "corrected", value: 1 }), expect.objectContaining({ "error.type": "uncorrected", value: 0 })]);
    expect(metrics.get("hw.gpu.memory.usage")?.unit).toBe("By");
    expect(metrics.get("hw.power")?.unit).toBe("W");
    expect(metrics.get("hw.energy")?.unit).toBe("J");
  });

  it("maps host readings to system.* and derives system.cpu.utilization from the previous push", async () => {
    const batch = sampleToOtlp(await testSample(), { resource: otlpResource({ version: "1", extra: {}, readMachineId: () => null }), version: "1", startMs: 0, previousCpus: [cpu(100, 50)] });
    const metrics = metricsByName(decodeExportMetricsServiceRequest(ProtobufMetricsSerializer.serializeRequest(batch) as Uint8Array));
    const value = (name: string, attributes: Record<string, string | number>) =>
      (metrics.get(name)?.gauge ?? metrics.get(name)?.sum)?.dataPoints.find((p) => Object.entries(attributes).every(([k, v]) => attributesOf(p.attributes)[k] === v))?.asDouble;
    // 30 s idle and 20 s user out of 50 s.
    expect(value("system.cpu.utilization", { "cpu.mode": "idle", "cpu.logical_number": 0 })).toBeCloseTo(0.6);
    expect(value("system.cpu.utilization", { "cpu.mode": "user", "cpu.logical_number": 0 })).toBeCloseTo(0.4);
    expect(value("system.memory.usage", { "system.memory.state": "used" })).toBe(6e9);
    expect(value("system.filesystem.usage", { "system.filesystem.state": "reserved", "system.filesystem.mountpoint": "/" })).toBe(5e9);
    expect(value("system.network.io", { "network.interface.name": "eth0", "network.io.direction": "transmit" })).toBe(2000);
    expect(metrics.get("system.cpu.time")?.sum?.dataPoints[0]?.startTimeUnixNano).toBe(String(1_700_000_000n * 1_000_000_000n));
  });
});
