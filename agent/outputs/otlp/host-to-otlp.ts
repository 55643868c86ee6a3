/**
 * The host reading under OpenTelemetry's system semantic conventions
 * (semantic-conventions model/system/metrics.yaml): the same /proc numbers that
 * /metrics serves under node_exporter's names.
 */
import type { MetricData } from "@opentelemetry/sdk-metrics";
import type { CpuMode, CpuReading, HostReading } from "../../sample.ts";
import { gauge, nonEmpty, type Point, sum } from "./otlp-metric-data.ts";

/** node_exporter's mode names -> semconv `cpu.mode` values (irq is "interrupt" there). */
const CPU_MODE: Record<CpuMode, string> = { user: "user", nice: "nice", system: "system", idle: "idle", iowait: "iowait", irq: "interrupt", softirq: "softirq", steal: "steal" };

export interface HostToOtlpOptions {
  readonly timeMs: number;
  /** The CPU readings of the previous batch, for system.cpu.utilization over the interval; null on the first. */
  readonly previousCpus: readonly CpuReading[] | null;
  /** Network devices left out, as /metrics leaves them out. */
  readonly networkDeviceExclude?: RegExp;
}

/** system.cpu.*, system.memory.*, system.filesystem.*, system.network.* and process.* of watched vLLM processes. */
export function hostToOtlp(host: HostReading, options: HostToOtlpOptions): MetricData[] {
  const { timeMs, previousCpus, networkDeviceExclude = /^lo$/ } = options;
  // /proc counters count from boot: that is their cumulative start.
  const counterTimes = { startMs: host.stat.bootTimeSeconds * 1000, timeMs, monotonic: true };
  const gaugeTimes = { startMs: timeMs, timeMs };
  const usageTimes = { ...counterTimes, monotonic: false };
  const meminfo = new Map(host.meminfo.map((entry) => [entry.field, entry.value]));
  const mem = (field: string) => meminfo.get(field);
  const memoryRows: Point[] = [];
  const total = mem("MemTotal");
  const free = mem("MemFree");
  const buffers = mem("Buffers") ?? 0;
  const cached = mem("Cached") ?? 0;
  if (total !== undefined && free !== undefined) {
    // The collector's hostmetrics receiver (gopsutil) counts used as total - free - buffers - cached.
    memoryRows.push([{ "system.memory.state": "used" }, Math.max(0, total - free - buffers - cached)], [{ "system.memory.state": "free" }, free], [{ "system.memory.state": "buffers" }, buffers], [{ "system.memory.state": "cached" }, cached]);
  }
  const networks = host.networks.filter((n) => !networkDeviceExclude.test(n.device));
  const net = (receive: (n: (typeof networks)[number]) => number, transmit: (n: (typeof networks)[number]) => number): Point[] =>
    networks.flatMap((n): Point[] => [
      [{ "network.interface.name": n.device, "network.io.direction": "receive" }, receive(n)],
      [{ "network.interface.name": n.device, "network.io.direction": "transmit" }, transmit(n)],
    ]);
  const filesystems = host.filesystems.filter((fs) => !fs.deviceError);
  const fsAttributes = (fs: (typeof filesystems)[number]) => ({
    "system.device": fs.device,
    "system.filesystem.mountpoint": fs.mountpoint,
    "system.filesystem.type": fs.fstype,
    "system.filesystem.mode": fs.readonly ? "ro" : "rw",
  });
  const processes = host.processes;
  const proc = (p: (typeof processes)[number]) => ({ "process.pid": p.pid, "process.executable.name": p.command });
  return nonEmpty([
    sum("system.cpu.time", "s", "Seconds each logical CPU spent on each mode.", host.cpus.flatMap((cpu) =>
      Object.entries(cpu.secondsByMode).map(([mode, seconds]): Point => [{ "cpu.mode": CPU_MODE[mode as CpuMode], "cpu.logical_number": Number(cpu.cpu) }, seconds])), counterTimes),
    gauge("system.cpu.utilization", "1", "Share of each logical CPU's time spent on each mode since the previous push.", cpuUtilization(host.cpus, previousCpus), gaugeTimes),
    sum("system.memory.usage", "By", "Reports memory in use by state.", memoryRows, usageTimes),
    sum("system.memory.limit", "By", "Total memory available in the system.", total === undefined ? [] : [[{}, total]], usageTimes),
    sum("system.memory.linux.available", "By", "An estimate of how much memory is available for starting new applications (MemAvailable).", mem("MemAvailable") === undefined ? [] : [[{}, mem("MemAvailable") as number]], usageTimes),
    sum("system.filesystem.usage", "By", "Reports a filesystem's space usage across different states.", filesystems.flatMap((fs): Point[] => [
      [{ ...fsAttributes(fs), "system.filesystem.state": "used" }, fs.sizeBytes - fs.freeBytes],
      [{ ...fsAttributes(fs), "system.filesystem.state": "free" }, fs.availBytes],
      [{ ...fsAttributes(fs), "system.filesystem.state": "reserved" }, fs.freeBytes - fs.availBytes],
    ]), usageTimes),
    sum("system.filesystem.limit", "By", "The total storage capacity of the filesystem.", filesystems.map((fs): Point => [fsAttributes(fs), fs.sizeBytes]), usageTimes),
    sum("system.network.io", "By", "The number of bytes transmitted and received.", net((n) => n.receiveBytesTotal, (n) => n.transmitBytesTotal), counterTimes),
    sum("system.network.packet.count", "{packet}", "The number of packets transferred.", net((n) => n.receivePacketsTotal, (n) => n.transmitPacketsTotal), counterTimes),
    sum("system.network.errors", "{error}", "Count of network errors detected.", net((n) => n.receiveErrsTotal, (n) => n.transmitErrsTotal), counterTimes),
    sum("system.network.packet.dropped", "{packet}", "Count of packets that are dropped or discarded.", net((n) => n.receiveDropTotal, (n) => n.transmitDropTotal), counterTimes),
    gauge("system.cpu.load_average.1m", "{thread}", "1 minute load average (the collector's hostmetrics name; not a semantic convention).", [[{}, host.load.load1]], gaugeTimes),
    sum("process.cpu.time", "s", "CPU seconds of the watched vLLM server process.", processes.map((p): Point => [proc(p), p.cpuSecondsTotal]), counterTimes),
    sum("process.memory.usage", "By", "Resident memory of the watched vLLM server process.", processes.map((p): Point => [proc(p), p.residentMemoryBytes]), usageTimes),
    sum("process.memory.virtual", "By", "Virtual memory of the watched vLLM server process.", processes.map((p): Point => [proc(p), p.virtualMemoryBytes]), usageTimes),
    sum("process.thread.count", "{thread}", "Threads of the watched vLLM server process.", processes.map((p): Point => [proc(p), p.threads]), usageTimes),
    sum("process.unix.file_descriptor.count", "{file_descriptor}", "Open file descriptors of the watched vLLM server process.", processes.map((p): Point => [proc(p), p.openFds]), usageTimes),
  ]);
}

/** Per CPU and mode: the mode's share of the time that passed between the two readings. */
function cpuUtilization(cpus: readonly CpuReading[], previous: readonly CpuReading[] | null): Point[] {
  if (!previous) return [];
  const before = new Map(previous.map((cpu) => [cpu.cpu, cpu]));
  const rows: Point[] = [];
  for (const cpu of cpus) {
    const old = before.get(cpu.cpu);
    if (!old) continue;
    const modes = Object.keys(cpu.secondsByMode) as CpuMode[];
    const deltas = modes.map((mode) => Math.max(0, cpu.secondsByMode[mode] - old.secondsByMode[mode]));
    const elapsed = deltas.reduce((a, b) => a + b, 0);
    if (elapsed <= 0) continue;
    modes.forEach((mode, i) => rows.push([{ "cpu.mode": CPU_MODE[mode], "cpu.logical_number": Number(cpu.cpu) }, (deltas[i] as number) / elapsed]));
  }
  return rows;
}
