/**
 * GPU metrics of the compiled agent (dist/vigil-agent --nvml-library <fake>), with
 * 8 fake GPUs driven by a state file: exact values on /metrics in vigil_gpu_* names
 * and in --compat dcgm names, promtool, state changes, XID events, a lost GPU,
 * NOT_SUPPORTED functions, and a host with no NVML at all.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseExposition } from "../agent/exposition/parse-exposition.ts";
import type { Labels, MetricSample } from "../agent/exposition/family.ts";
import { type FixtureServer, startVllmFixtureServer } from "../scripts/vllm-fixture-server.ts";
import { buildFakeNvml } from "./fake-nvml/build-fake-nvml.ts";
import { makeFakeNvmlState } from "./fake-nvml/make-fake-nvml-state.ts";
import { type FakeGpu, type FakeNvmlState, writeFakeNvmlState } from "./fake-nvml/state-file.ts";
import { type RunningAgent, startAgent } from "./support/agent-process.ts";
import { startPrometheus } from "./support/prometheus-server.ts";
import { findTool } from "./support/require-tool.ts";
import { promtoolCheckMetrics } from "./support/promtool-check.ts";

const MIB = 1024 * 1024;

function withDevice(state: FakeNvmlState, index: number, change: (gpu: FakeGpu) => FakeGpu): FakeNvmlState {
  return { ...state, devices: state.devices.map((gpu, i) => (i === index ? change(gpu) : gpu)) };
}

async function scrape(agent: RunningAgent): Promise<MetricSample[]> {
  const body = await (await fetch(`${agent.url}/metrics`)).text();
  return parseExposition(body).flatMap((family) => family.samples);
}

/** The value of the one sample with this name whose labels include `labels`, or undefined. */
function valueOf(samples: readonly MetricSample[], name: string, labels: Labels): number | undefined {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matched ${found.length} samples`);
  return found[0]?.value;
}

/** Scrapes until `ready` holds (the sampler runs every 200 ms; the worker's PCIe read takes a moment). */
async function scrapeUntil(agent: RunningAgent, ready: (samples: MetricSample[]) => boolean): Promise<MetricSample[]> {
  let samples: MetricSample[] = [];
  for (let i = 0; i < 100; i++) {
    samples = await scrape(agent);
    if (ready(samples)) return samples;
    await Bun.sleep(100);
  }
  return samples;
}

/** Every vigil_gpu_* series one fake GPU must produce, with its exact value in base units. */
function expectedVigil(state: FakeNvmlState, index: number): [string, Labels, number][] {
  const g = state.devices[index]!;
  const id = { gpu: String(index), uuid: g.uuid };
  const rows: [string, Labels, number][] = [
    ["vigil_gpu_info", { name: g.name, pci_bus_id: g.pciBusId, driver_version: state.driverVersion }, 1],
    ["vigil_gpu_up", {}, 1],
    ["vigil_gpu_memory_total_bytes", {}, g.memoryTotalBytes],
    ["vigil_gpu_memory_used_bytes", {}, g.memoryUsedBytes],
    ["vigil_gpu_memory_free_bytes", {}, g.memoryFreeBytes],
    ["vigil_gpu_memory_reserved_bytes", {}, g.memoryReservedBytes],
    ["vigil_gpu_utilization_ratio", {}, g.utilizationGpuPercent / 100],
    ["vigil_gpu_memory_utilization_ratio", {}, g.utilizationMemoryPercent / 100],
    ["vigil_gpu_encoder_utilization_ratio", {}, g.encoderUtilizationPercent / 100],
    ["vigil_gpu_decoder_utilization_ratio", {}, g.decoderUtilizationPercent / 100],
    ["vigil_gpu_temperature_celsius", {}, g.temperatureCelsius],
    ["vigil_gpu_power_management_limit_watts", {}, g.powerManagementLimitMilliwatts / 1000],
    ["vigil_gpu_power_watts", {}, g.powerUsageMilliwatts / 1000],
    ["vigil_gpu_power_limit_watts", {}, g.enforcedPowerLimitMilliwatts / 1000],
    ["vigil_gpu_energy_joules_total", {}, g.totalEnergyMillijoules / 1000],
    ["vigil_gpu_clock_hertz", { clock: "graphics" }, g.clocksMhz.graphics * 1e6],
    ["vigil_gpu_clock_hertz", { clock: "sm" }, g.clocksMhz.sm * 1e6],
    ["vigil_gpu_clock_hertz", { clock: "memory" }, g.clocksMhz.memory * 1e6],
    ["vigil_gpu_clock_hertz", { clock: "video" }, g.clocksMhz.video * 1e6],
    ["vigil_gpu_clock_max_hertz", { clock: "graphics" }, g.maxClocksMhz.graphics * 1e6],
    ["vigil_gpu_clock_max_hertz", { clock: "sm" }, g.maxClocksMhz.sm * 1e6],
    ["vigil_gpu_clock_max_hertz", { clock: "video" }, g.maxClocksMhz.video * 1e6],
    ["vigil_gpu_clock_max_hertz", { clock: "memory" }, g.maxClocksMhz.memory * 1e6],
    ["vigil_gpu_fan_speed_ratio", {}, g.fanSpeedPercent / 100],
    ["vigil_gpu_performance_state", {}, g.performanceState],
    ["vigil_gpu_clock_event_reasons", {}, g.clocksEventReasons],
    ["vigil_gpu_clock_event_reason", { reason: "power_cap" }, (g.clocksEventReasons & 0x4) !== 0 ? 1 : 0],
    ["vigil_gpu_pcie_throughput_bytes_per_second", { direction: "tx" }, g.pcieTxKilobytesPerSecond * 1024],
    ["vigil_gpu_pcie_throughput_bytes_per_second", { direction: "rx" }, g.pcieRxKilobytesPerSecond * 1024],
    ["vigil_gpu_pcie_replays_total", {}, g.pcieReplayCounter],
    ["vigil_gpu_ecc_errors_total", { type: "corrected", scope: "volatile" }, g.eccCorrectedVolatile],
    ["vigil_gpu_ecc_errors_total", { type: "uncorrected", scope: "volatile" }, g.eccUncorrectedVolatile],
    ["vigil_gpu_ecc_errors_total", { type: "corrected", scope: "aggregate" }, g.eccCorrectedAggregate],
    ["vigil_gpu_ecc_errors_total", { type: "uncorrected", scope: "aggregate" }, g.eccUncorrectedAggregate],
    ["vigil_gpu_retired_pages_total", { cause: "single_bit_ecc" }, g.retiredPagesSingleBit],
    ["vigil_gpu_retired_pages_total", { cause: "double_bit_ecc" }, g.retiredPagesDoubleBit],
    ["vigil_gpu_remapped_rows_total", { type: "correctable" }, g.remappedRowsCorrectable],
    ["vigil_gpu_retired_pages_pending", {}, g.retiredPagesPending ? 1 : 0],
    ["vigil_gpu_remapped_rows_total", { type: "uncorrectable" }, g.remappedRowsUncorrectable],
    ["vigil_gpu_remapped_rows_pending", {}, g.remappedRowsPending ? 1 : 0],
    ["vigil_gpu_remapped_rows_failure", {}, g.remappedRowsFailure ? 1 : 0],
    ["vigil_gpu_compute_mode", {}, g.computeMode],
    ["vigil_gpu_mig_mode", {}, g.migModeCurrent],
    ["vigil_gpu_mig_mode_pending", {}, g.migModePending],
  ];
  for (const p of g.processes) rows.push(["vigil_gpu_process_memory_used_bytes", { pid: String(p.pid) }, p.usedGpuMemoryBytes ?? NaN]);
  return rows.map(([name, labels, value]) => [name, { ...id, ...labels }, value]);
}

describe("vigil-agent GPU metrics with 8 fake GPUs", () => {
  let libraryPath: string;
  let dir: string;
  let statePath: string;
  let agent: RunningAgent;
  let dcgm: RunningAgent;
  let state: FakeNvmlState;
  const ownCommand = readFileSync(`/proc/${process.pid}/comm`, "utf8").trim();

  beforeAll(async () => {
    libraryPath = await buildFakeNvml();
    dir = mkdtempSync(join(tmpdir(), "vigil-gpu-agent-"));
    statePath = join(dir, "state.txt");
    // GPU 0 runs "the vLLM process": this test process, so /proc/<pid>/comm exists.
    state = withDevice(makeFakeNvmlState(8), 0, (g) => ({ ...g, processes: [{ pid: process.pid, usedGpuMemoryBytes: 61_000 * MIB }] }));
    // Flags and rare counters set on one GPU, so a value read from the wrong field or GPU shows.
    state = withDevice(state, 4, (g) => ({ ...g, retiredPagesSingleBit: 2, retiredPagesDoubleBit: 1, retiredPagesPending: true, remappedRowsPending: true, remappedRowsFailure: true, migModePending: 1, computeMode: 3, encoderUtilizationPercent: 12, decoderUtilizationPercent: 34, eccUncorrectedVolatile: 5 }));
    writeFakeNvmlState(statePath, state);
    const env = { VIGIL_FAKE_NVML_STATE: statePath };
    [agent, dcgm] = await Promise.all([
      startAgent(["--no-vllm", "--interval", "200ms", "--nvml-library", libraryPath], { env }),
      startAgent(["--no-vllm", "--interval", "200ms", "--compat", "dcgm"], { env: { ...env, VIGIL_NVML_LIBRARY: libraryPath } }),
    ]);
  });

  afterAll(async () => {
    const codes = await Promise.all([agent?.stop(), dcgm?.stop()]);
    rmSync(dir, { recursive: true, force: true });
    expect(codes).toEqual([0, 0]);
  });

  it("serves every GPU metric for every device with the exact values of the state file", async () => {
    const samples = await scrapeUntil(agent, (s) => valueOf(s, "vigil_gpu_pcie_throughput_bytes_per_second", { gpu: "7", direction: "rx" }) !== undefined);
    expect(valueOf(samples, "vigil_source_up", { source: "gpu" })).toBe(1);
    for (let i = 0; i < 8; i++) {
      for (const [name, labels, value] of expectedVigil(state, i)) expect([name, labels, valueOf(samples, name, labels)]).toEqual([name, labels, value]);
    }
    const proc = samples.find((s) => s.name === "vigil_gpu_process_memory_used_bytes");
    expect(proc?.labels).toEqual({ gpu: "0", uuid: state.devices[0]!.uuid, pid: String(process.pid), command: ownCommand });
    // The XID counter family exists before any XID (empty), so its first increment is a rate.
    const body = await (await fetch(`${agent.url}/metrics`)).text();
    expect(body).toContain("# TYPE vigil_gpu_xid_errors_total counter");
  });

  it("passes promtool check metrics", async () => {
    const promtool = findTool("promtool");
    if (!promtool) return;
    const body = await (await fetch(`${agent.url}/metrics`)).text();
    const check = promtoolCheckMetrics(promtool, body);
    expect(check.exitCode, check.output).not.toBe(1);
    const problems = check.lines.filter((l) => l.startsWith("vigil_"));
    expect(problems).toEqual([]);
  });

  it("--compat dcgm carries dcgm-exporter's names, units and labels", async () => {
    const samples = await scrapeUntil(dcgm, (s) => valueOf(s, "DCGM_FI_DEV_GPU_UTIL", { gpu: "7" }) !== undefined);
    for (let i = 0; i < 8; i++) {
      const g = state.devices[i]!;
      const labels = { gpu: String(i), UUID: g.uuid, pci_bus_id: g.pciBusId, device: `nvidia${i}`, modelName: g.name, Hostname: hostname(), DCGM_FI_DRIVER_VERSION: state.driverVersion };
      const at = (name: string) => samples.find((s) => s.name === name && s.labels.gpu === String(i));
      expect(at("DCGM_FI_DEV_GPU_UTIL")?.labels).toEqual(labels);
      const expected: [string, number][] = [
        ["DCGM_FI_DEV_GPU_UTIL", g.utilizationGpuPercent],
        ["DCGM_FI_DEV_MEM_COPY_UTIL", g.utilizationMemoryPercent],
        ["DCGM_FI_DEV_FB_USED", Math.floor(g.memoryUsedBytes / MIB)],
        ["DCGM_FI_DEV_FB_FREE", Math.floor(g.memoryFreeBytes / MIB)],
        ["DCGM_FI_DEV_FB_RESERVED", Math.floor(g.memoryReservedBytes / MIB)],
        ["DCGM_FI_DEV_POWER_USAGE", g.powerUsageMilliwatts / 1000],
        ["DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", g.totalEnergyMillijoules],
        ["DCGM_FI_DEV_GPU_TEMP", g.temperatureCelsius],
        ["DCGM_FI_DEV_SM_CLOCK", g.clocksMhz.sm],
        ["DCGM_FI_DEV_MEM_CLOCK", g.clocksMhz.memory],
        ["DCGM_FI_DEV_PCIE_REPLAY_COUNTER", g.pcieReplayCounter],
        ["DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS", g.remappedRowsCorrectable],
        ["DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS", g.remappedRowsUncorrectable],
        ["DCGM_FI_DEV_ROW_REMAP_FAILURE", g.remappedRowsFailure ? 1 : 0],
        ["DCGM_FI_DEV_XID_ERRORS", 0],
      ];
      for (const [name, value] of expected) expect([name, i, at(name)?.value]).toEqual([name, i, value]);
      expect(at("DCGM_FI_DEV_XID_ERRORS")?.labels).toMatchObject({ err_code: "0", err_msg: "No Error" });
    }
    expect(samples.some((s) => s.name.startsWith("vigil_gpu_") && s.name !== "vigil_gpu_process_memory_used_bytes" && s.name !== "vigil_gpu_xid_errors_total")).toBe(false);
  });

  it("--compat dcgm: a real Prometheus (which negotiates OpenMetrics) stores dcgm-exporter's exact series names", async () => {
    const binary = findTool("prometheus");
    if (!binary) return;
    await using prometheus = await startPrometheus(binary, { targets: [dcgm.url.replace("http://", "")] });
    const energy = await prometheus.waitFor('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{gpu="3"}', 20_000);
    expect(energy[0]?.metric).toMatchObject({ UUID: state.devices[3]!.uuid, device: "nvidia3", modelName: state.devices[3]!.name, Hostname: hostname() });
    expect(Number(energy[0]?.value[1])).toBe(state.devices[3]!.totalEnergyMillijoules);
    const used = await prometheus.waitFor('DCGM_FI_DEV_FB_USED{gpu="3"}', 10_000);
    expect(Number(used[0]?.value[1])).toBe(Math.floor(state.devices[3]!.memoryUsedBytes / MIB));
    expect(await prometheus.query("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION_total")).toEqual([]);
  });

  it("a changed state file changes the next sample", async () => {
    state = withDevice(state, 1, (g) => ({ ...g, temperatureCelsius: 83, powerUsageMilliwatts: 654_321, utilizationGpuPercent: 97 }));
    writeFakeNvmlState(statePath, state);
    const samples = await scrapeUntil(agent, (s) => valueOf(s, "vigil_gpu_temperature_celsius", { gpu: "1" }) === 83);
    expect(valueOf(samples, "vigil_gpu_temperature_celsius", { gpu: "1" })).toBe(83);
    expect(valueOf(samples, "vigil_gpu_power_watts", { gpu: "1" })).toBe(654.321);
    expect(valueOf(samples, "vigil_gpu_utilization_ratio", { gpu: "1" })).toBe(0.97);
  });

  it("an injected XID event shows up as a counter increment, once per event", async () => {
    state = withDevice(state, 6, (g) => ({ ...g, xidEvents: [{ id: 1, xid: 79 }] }));
    writeFakeNvmlState(statePath, state);
    let samples = await scrapeUntil(agent, (s) => valueOf(s, "vigil_gpu_xid_errors_total", { gpu: "6", xid: "79" }) === 1);
    expect(valueOf(samples, "vigil_gpu_xid_errors_total", { gpu: "6", xid: "79", uuid: state.devices[6]!.uuid })).toBe(1);
    state = withDevice(state, 6, (g) => ({ ...g, xidEvents: [{ id: 1, xid: 79 }, { id: 2, xid: 79 }] }));
    writeFakeNvmlState(statePath, state);
    samples = await scrapeUntil(agent, (s) => valueOf(s, "vigil_gpu_xid_errors_total", { gpu: "6", xid: "79" }) === 2);
    expect(valueOf(samples, "vigil_gpu_xid_errors_total", { gpu: "6", xid: "79" })).toBe(2);
    await Bun.sleep(600);
    samples = await scrape(agent);
    expect(valueOf(samples, "vigil_gpu_xid_errors_total", { gpu: "6", xid: "79" })).toBe(2);
    expect(samples.filter((s) => s.name === "vigil_gpu_xid_errors_total").map((s) => s.labels.gpu)).toEqual(["6"]);
    const compat = await scrapeUntil(dcgm, (s) => valueOf(s, "DCGM_FI_DEV_XID_ERRORS", { gpu: "6" }) === 79);
    expect(compat.find((s) => s.name === "DCGM_FI_DEV_XID_ERRORS" && s.labels.gpu === "6")?.labels).toMatchObject({ err_code: "79", err_msg: "GPU has fallen off the bus" });
  });

  it("one GPU lost leaves the other seven served; NOT_SUPPORTED drops only its metric", async () => {
    state = withDevice(state, 5, (g) => ({ ...g, errors: { "*": "NVML_ERROR_GPU_IS_LOST" } }));
    state = withDevice(state, 2, (g) => ({ ...g, errors: { nvmlDeviceGetFanSpeed: "NVML_ERROR_NOT_SUPPORTED" } }));
    writeFakeNvmlState(statePath, state);
    const samples = await scrapeUntil(agent, (s) => valueOf(s, "vigil_gpu_up", { gpu: "5" }) === 0 && valueOf(s, "vigil_gpu_fan_speed_ratio", { gpu: "2" }) === undefined);
    expect(valueOf(samples, "vigil_gpu_up", { gpu: "5" })).toBe(0);
    expect(valueOf(samples, "vigil_gpu_temperature_celsius", { gpu: "5" })).toBeUndefined();
    expect(valueOf(samples, "vigil_gpu_info", { gpu: "5" })).toBe(1);
    expect(valueOf(samples, "vigil_gpu_fan_speed_ratio", { gpu: "2" })).toBeUndefined();
    for (const i of [0, 1, 2, 3, 4, 6, 7]) {
      for (const [name, labels, value] of expectedVigil(state, i)) {
        if (i === 2 && name === "vigil_gpu_fan_speed_ratio") continue;
        if (name.startsWith("vigil_gpu_pcie_throughput")) continue; // the worker's last read may predate the change
        expect([name, labels, valueOf(samples, name, labels)]).toEqual([name, labels, value]);
      }
    }
    // A failing GPU makes the source report a problem, and says which GPU.
    expect(valueOf(samples, "vigil_source_up", { source: "gpu" })).toBe(0);
    expect(agent.logs()).toMatch(/Cannot read GPU 5 .*GPU is lost/);
  });
});

describe("vigil-agent on a host without a usable NVML", () => {
  let vllm: FixtureServer;
  let dir: string;
  let mismatchState: string;
  let libraryPath: string;

  beforeAll(async () => {
    vllm = await startVllmFixtureServer();
    libraryPath = await buildFakeNvml();
    dir = mkdtempSync(join(tmpdir(), "vigil-gpu-none-"));
    mismatchState = join(dir, "state.txt");
    writeFakeNvmlState(mismatchState, { ...makeFakeNvmlState(2), errors: { nvmlInit_v2: "NVML_ERROR_LIB_RM_VERSION_MISMATCH" } });
  });

  afterAll(() => {
    vllm?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ["a missing --nvml-library path", "missing", /Cannot load NVML from \/nonexistent\/libnvidia-ml.so.1: .*; serving no GPU metrics/],
    ["the default soname, absent here", "default", /Cannot load NVML from libnvidia-ml.so.1: not found in the system library path .*; serving no GPU metrics/],
    ["a driver/library version mismatch", "mismatch", /Cannot initialise NVML from .*nvmlInit_v2 returned RM has detected an NVML\/RM version mismatch. \(NVML code 18\); serving no GPU metrics/],
  ])("starts with %s, serves host and vLLM metrics, reports the GPU source down and logs it once", async (_what, kind, message) => {
    if (kind === "default" && Bun.spawnSync(["sh", "-c", "ldconfig -p | grep -q libnvidia-ml.so.1"]).exitCode === 0) return; // a real NVML is installed
    const args = kind === "missing" ? ["--nvml-library", "/nonexistent/libnvidia-ml.so.1"] : kind === "mismatch" ? ["--nvml-library", libraryPath] : [];
    await using agent = await startAgent(["--vllm", vllm.url, "--interval", "100ms", ...args], { env: { VIGIL_FAKE_NVML_STATE: mismatchState } });
    await Bun.sleep(600);
    const samples = await scrape(agent);
    expect(valueOf(samples, "vigil_source_up", { source: "gpu" })).toBe(0);
    expect(valueOf(samples, "vigil_source_up", { source: "host" })).toBe(1);
    expect(valueOf(samples, "vigil_source_up", { source: "vllm" })).toBe(1);
    expect(samples.some((s) => s.name === "node_cpu_seconds_total")).toBe(true);
    expect(samples.some((s) => s.name.startsWith("vllm:"))).toBe(true);
    expect(samples.some((s) => s.name.startsWith("vigil_gpu_"))).toBe(false);
    const lines = agent.logs().split("\n").filter((l) => l.includes("NVML"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/level=warn msg="Cannot /);
    expect(lines[0]).toMatch(message);
    expect(await agent.stop()).toBe(0);
  });
});
