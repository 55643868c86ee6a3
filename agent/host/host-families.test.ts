import { describe, expect, it } from "vitest";
import type { MetricFamily } from "../exposition/family.ts";
import type { HostReading } from "../sample.ts";
import { hostFamilies } from "./host-families.ts";
import { createHostSource } from "./host-source.ts";

/** `name{labels}` of every series that appears more than once, across all families. */
function findDuplicateSeries(families: readonly MetricFamily[]): string[] {
  const seen = new Set<string>();
  const duplicates: string[] = [];
  for (const family of families) {
    for (const sample of family.samples) {
      const labels = Object.entries(sample.labels)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
        .join(",");
      const key = `${sample.name}{${labels}}`;
      if (seen.has(key)) duplicates.push(key);
      seen.add(key);
    }
  }
  return duplicates;
}

const reading: HostReading = {
  cpus: [
    { cpu: "0", secondsByMode: { user: 1, nice: 2, system: 3, idle: 4, iowait: 5, irq: 6, softirq: 7, steal: 8 }, guestSeconds: 0.5, guestNiceSeconds: 0.25 },
    { cpu: "1", secondsByMode: { user: 1, nice: 0, system: 0, idle: 9, iowait: 0, irq: 0, softirq: 0, steal: 0 }, guestSeconds: 0, guestNiceSeconds: 0 },
  ],
  stat: { contextSwitchesTotal: 100, interruptsTotal: 200, forksTotal: 300, procsRunning: 2, procsBlocked: 1, bootTimeSeconds: 1_700_000_000 },
  meminfo: [
    { field: "MemTotal", value: 16 * 1024 ** 3, unit: "bytes" },
    { field: "Active_anon", value: 1024, unit: "bytes" },
    { field: "HugePages_Total", value: 8, unit: "count" },
  ],
  load: { load1: 0.5, load5: 0.25, load15: 0.125 },
  filesystems: [
    { device: "/dev/vda", fstype: "ext4", mountpoint: "/", sizeBytes: 1000, freeBytes: 600, availBytes: 500, files: 10, filesFree: 4, readonly: false, deviceError: false },
    { device: "server:/export", fstype: "nfs4", mountpoint: "/nfs", sizeBytes: 0, freeBytes: 0, availBytes: 0, files: 0, filesFree: 0, readonly: true, deviceError: true },
  ],
  networks: [
    { device: "lo", receiveBytesTotal: 1, receivePacketsTotal: 1, receiveErrsTotal: 0, receiveDropTotal: 0, transmitBytesTotal: 1, transmitPacketsTotal: 1, transmitErrsTotal: 0, transmitDropTotal: 0 },
    { device: "eth0", receiveBytesTotal: 10, receivePacketsTotal: 2, receiveErrsTotal: 3, receiveDropTotal: 4, transmitBytesTotal: 20, transmitPacketsTotal: 5, transmitErrsTotal: 6, transmitDropTotal: 7 },
  ],
  pressure: { cpuWaitingSecondsTotal: 1, ioWaitingSecondsTotal: 2, ioStalledSecondsTotal: 3, memoryWaitingSecondsTotal: 4, memoryStalledSecondsTotal: 5 },
  uname: { sysname: "Linux", release: "6.1.0", version: "#1 SMP", machine: "x86_64", nodename: "gpu-1" },
  processes: [
    { pid: 4242, target: "http://127.0.0.1:8000", command: "python3", cpuSecondsTotal: 12.5, residentMemoryBytes: 4096, virtualMemoryBytes: 8192, openFds: 30, threads: 40, startTimeSeconds: 1_700_000_100 },
    { pid: 4343, target: "http://127.0.0.1:8001", command: "python3", cpuSecondsTotal: 1, residentMemoryBytes: 1, virtualMemoryBytes: 1, openFds: 1, threads: 1, startTimeSeconds: 1 },
  ],
};

const timeMs = 1_700_000_500_250;

function byName(families: readonly MetricFamily[], name: string): MetricFamily | undefined {
  return families.find((family) => family.name === name);
}

describe("hostFamilies()", () => {
  const families = hostFamilies(reading, { timeMs });

  it.each([
    ["node_cpu_seconds_total", "counter", ["cpu", "mode"], 16],
    ["node_cpu_guest_seconds_total", "counter", ["cpu", "mode"], 4],
    ["node_context_switches_total", "counter", [], 1],
    ["node_intr_total", "counter", [], 1],
    ["node_forks_total", "counter", [], 1],
    ["node_procs_running", "gauge", [], 1],
    ["node_procs_blocked", "gauge", [], 1],
    ["node_boot_time_seconds", "gauge", [], 1],
    ["node_time_seconds", "gauge", [], 1],
    ["node_memory_MemTotal_bytes", "gauge", [], 1],
    ["node_memory_Active_anon_bytes", "gauge", [], 1],
    ["node_memory_HugePages_Total", "gauge", [], 1],
    ["node_load1", "gauge", [], 1],
    ["node_load5", "gauge", [], 1],
    ["node_load15", "gauge", [], 1],
    ["node_filesystem_size_bytes", "gauge", ["device", "fstype", "mountpoint"], 1],
    ["node_filesystem_free_bytes", "gauge", ["device", "fstype", "mountpoint"], 1],
    ["node_filesystem_avail_bytes", "gauge", ["device", "fstype", "mountpoint"], 1],
    ["node_filesystem_files", "gauge", ["device", "fstype", "mountpoint"], 1],
    ["node_filesystem_files_free", "gauge", ["device", "fstype", "mountpoint"], 1],
    ["node_filesystem_readonly", "gauge", ["device", "fstype", "mountpoint"], 2],
    ["node_filesystem_device_error", "gauge", ["device", "fstype", "mountpoint"], 2],
    ["node_network_receive_bytes_total", "counter", ["device"], 1],
    ["node_network_receive_packets_total", "counter", ["device"], 1],
    ["node_network_receive_errs_total", "counter", ["device"], 1],
    ["node_network_receive_drop_total", "counter", ["device"], 1],
    ["node_network_transmit_bytes_total", "counter", ["device"], 1],
    ["node_network_transmit_packets_total", "counter", ["device"], 1],
    ["node_network_transmit_errs_total", "counter", ["device"], 1],
    ["node_network_transmit_drop_total", "counter", ["device"], 1],
    ["node_pressure_cpu_waiting_seconds_total", "counter", [], 1],
    ["node_pressure_io_waiting_seconds_total", "counter", [], 1],
    ["node_pressure_io_stalled_seconds_total", "counter", [], 1],
    ["node_pressure_memory_waiting_seconds_total", "counter", [], 1],
    ["node_pressure_memory_stalled_seconds_total", "counter", [], 1],
    ["node_uname_info", "gauge", ["machine", "nodename", "release", "sysname", "version"], 1],
    ["vigil_vllm_process_cpu_seconds_total", "counter", ["pid", "target"], 2],
    ["vigil_vllm_process_resident_memory_bytes", "gauge", ["pid", "target"], 2],
    ["vigil_vllm_process_virtual_memory_bytes", "gauge", ["pid", "target"], 2],
    ["vigil_vllm_process_open_fds", "gauge", ["pid", "target"], 2],
    ["vigil_vllm_process_threads", "gauge", ["pid", "target"], 2],
    ["vigil_vllm_process_start_time_seconds", "gauge", ["pid", "target"], 2],
    ["vigil_vllm_process_info", "gauge", ["command", "pid", "target"], 2],
  ])("%s is a %s labelled %j with %i series", (name, type, labels, count) => {
    const family = byName(families, name);
    expect(family?.type).toBe(type);
    expect(family?.help).toMatch(/\S/);
    expect(family?.samples).toHaveLength(count);
    for (const sample of family?.samples ?? []) {
      expect(sample.name).toBe(name);
      expect(Object.keys(sample.labels).sort()).toEqual(labels);
      expect(sample.timestampMs).toBeUndefined();
    }
  });

  it("emits exactly the families listed above, each once", () => {
    expect(families).toHaveLength(43);
    expect(new Set(families.map((family) => family.name)).size).toBe(families.length);
  });

  it("has no duplicate series", () => {
    expect(findDuplicateSeries(families)).toEqual([]);
  });

  it("findDuplicateSeries() catches the same name and labels twice, in any label order", () => {
    const family: MetricFamily = {
      name: "x",
      help: "x",
      type: "gauge",
      samples: [
        { name: "x", labels: { a: "1", b: "2" }, value: 1 },
        { name: "x", labels: { b: "2", a: "1" }, value: 2 },
      ],
    };
    expect(findDuplicateSeries([family])).toEqual(['x{a="1",b="2"}']);
  });

  it("uses node_exporter's HELP texts", () => {
    expect(byName(families, "node_cpu_seconds_total")?.help).toBe("Seconds the CPUs spent in each mode.");
    expect(byName(families, "node_memory_MemTotal_bytes")?.help).toBe("Memory information field MemTotal_bytes.");
    expect(byName(families, "node_network_receive_bytes_total")?.help).toBe("Network device statistic receive_bytes.");
    expect(byName(families, "node_filesystem_avail_bytes")?.help).toBe("Filesystem space available to non-root users in bytes.");
    expect(byName(families, "node_uname_info")?.help).toBe("Labeled system information as provided by the uname system call.");
  });

  it("carries the values through", () => {
    const value = (name: string, labels: Record<string, string> = {}) =>
      byName(families, name)?.samples.find((sample) => Object.entries(labels).every(([key, v]) => sample.labels[key] === v))?.value;
    expect(value("node_cpu_seconds_total", { cpu: "0", mode: "steal" })).toBe(8);
    expect(value("node_cpu_guest_seconds_total", { cpu: "0", mode: "nice" })).toBe(0.25);
    expect(value("node_time_seconds")).toBe(1_700_000_500.25);
    expect(value("node_filesystem_avail_bytes", { mountpoint: "/" })).toBe(500);
    expect(value("node_network_transmit_drop_total", { device: "eth0" })).toBe(7);
    expect(value("vigil_vllm_process_threads", { pid: "4242" })).toBe(40);
    expect(byName(families, "vigil_vllm_process_info")?.samples[0]?.labels).toEqual({ target: "127.0.0.1:8000", pid: "4242", command: "python3" });
  });

  it("reports device_error and readonly for a mount statfs could not read, and no sizes", () => {
    const nfs = (name: string) => byName(families, name)?.samples.find((sample) => sample.labels["mountpoint"] === "/nfs");
    expect(nfs("node_filesystem_device_error")?.value).toBe(1);
    expect(nfs("node_filesystem_readonly")?.value).toBe(1);
    expect(nfs("node_filesystem_size_bytes")).toBeUndefined();
    expect(nfs("node_filesystem_files")).toBeUndefined();
  });

  it("leaves out lo by default and takes another exclude", () => {
    expect(byName(families, "node_network_receive_bytes_total")?.samples.map((sample) => sample.labels["device"])).toEqual(["eth0"]);
    const all = hostFamilies(reading, { timeMs, networkDeviceExclude: /^$/ });
    expect(byName(all, "node_network_receive_bytes_total")?.samples).toHaveLength(2);
  });

  it("leaves out pressure families when pressure is null, and empty families", () => {
    const bare = hostFamilies({ ...reading, pressure: null, processes: [], filesystems: [] }, { timeMs });
    expect(bare.some((family) => family.name.startsWith("node_pressure_"))).toBe(false);
    expect(bare.some((family) => family.name.startsWith("vigil_vllm_process_"))).toBe(false);
    expect(bare.some((family) => family.name.startsWith("node_filesystem_"))).toBe(false);
    expect(bare.every((family) => family.samples.length > 0)).toBe(true);
  });

  it("leaves out the families of failed collectors instead of exporting zeros", () => {
    const partial = hostFamilies(reading, { timeMs, failed: new Set(["stat", "meminfo", "loadavg", "uname"]) });
    const names = partial.map((family) => family.name);
    expect(names.some((name) => name.startsWith("node_cpu_") || name.startsWith("node_memory_") || name.startsWith("node_load"))).toBe(false);
    expect(names).not.toContain("node_context_switches_total");
    expect(names).not.toContain("node_uname_info");
    expect(names).toContain("node_time_seconds");
    expect(names).toContain("node_network_receive_bytes_total");
  });

  it("has no duplicate series for a real reading of this machine", async () => {
    const { reading: real, errors } = await createHostSource({ watchedProcesses: () => [{ target: "self", pid: process.pid }] }).read(new AbortController().signal);
    const realFamilies = hostFamilies(real, { timeMs: Date.now(), failed: new Set(errors.map((error) => error.target)) });
    expect(findDuplicateSeries(realFamilies)).toEqual([]);
    expect(realFamilies.length).toBeGreaterThan(60);
    for (const family of realFamilies) expect(family.name).toMatch(/^[a-zA-Z_][a-zA-Z0-9_]*$/);
  });
});
