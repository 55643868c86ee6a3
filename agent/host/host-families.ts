/**
 * The host reading as Prometheus families, named as node_exporter names them so that
 * existing dashboards work (HELP texts copied from node_exporter's collectors), plus
 * our own vigil_vllm_process_* families for the watched vLLM processes.
 */
import type { Labels, MetricFamily, MetricType } from "../exposition/family.ts";
import type { HostReading } from "../sample.ts";
import { targetLabel } from "../vllm/vllm-source.ts";

/** Options of hostFamilies(). */
export interface HostFamiliesOptions {
  /** Wall-clock time of the sample, ms since the epoch: node_time_seconds. */
  readonly timeMs: number;
  /**
   * Sub-collectors that failed in this sample (the `target`s of the host source's error
   * entries). Their families are left out, as node_exporter leaves out a failed
   * collector's metrics: the zeros in their place would read as counter resets.
   */
  readonly failed?: ReadonlySet<string>;
  /** Network devices left out; default `^lo$` (the loopback carries no host traffic worth a series). */
  readonly networkDeviceExclude?: RegExp;
}

type Sample = readonly [labels: Labels, value: number];

function family(name: string, help: string, type: MetricType, samples: readonly Sample[]): MetricFamily {
  return { name, help, type, samples: samples.map(([labels, value]) => ({ name, labels, value })) };
}

/**
 * Builds the host families of one sample. Families with no samples are omitted.
 *
 * @example hostFamilies(reading, { timeMs: Date.now(), failed: new Set(errors.map((e) => e.target)) })
 */
export function hostFamilies(reading: HostReading, options: HostFamiliesOptions): MetricFamily[] {
  const { timeMs, failed = new Set<string>(), networkDeviceExclude = /^lo$/ } = options;
  const families: MetricFamily[] = [];
  if (!failed.has("stat")) families.push(...statFamilies(reading));
  families.push(family("node_time_seconds", "System time in seconds since epoch (1970).", "gauge", [[{}, timeMs / 1000]]));
  if (!failed.has("meminfo")) families.push(...meminfoFamilies(reading));
  if (!failed.has("loadavg")) {
    families.push(
      family("node_load1", "1m load average.", "gauge", [[{}, reading.load.load1]]),
      family("node_load5", "5m load average.", "gauge", [[{}, reading.load.load5]]),
      family("node_load15", "15m load average.", "gauge", [[{}, reading.load.load15]]),
    );
  }
  families.push(...filesystemFamilies(reading));
  families.push(...networkFamilies(reading, networkDeviceExclude));
  families.push(...pressureFamilies(reading));
  if (!failed.has("uname") && reading.uname.sysname !== "") {
    const { machine, nodename, release, sysname, version } = reading.uname;
    families.push(family("node_uname_info", "Labeled system information as provided by the uname system call.", "gauge", [[{ machine, nodename, release, sysname, version }, 1]]));
  }
  families.push(...processFamilies(reading));
  return families.filter((entry) => entry.samples.length > 0);
}

function statFamilies(reading: HostReading): MetricFamily[] {
  const { stat, cpus } = reading;
  return [
    family(
      "node_cpu_seconds_total",
      "Seconds the CPUs spent in each mode.",
      "counter",
      cpus.flatMap((cpu) => Object.entries(cpu.secondsByMode).map(([mode, seconds]): Sample => [{ cpu: cpu.cpu, mode }, seconds])),
    ),
    family(
      "node_cpu_guest_seconds_total",
      "Seconds the CPUs spent in guests (VMs) for each mode.",
      "counter",
      // Guest time is already counted in user/nice (cpu_linux.go); a separate family so sums stay right.
      cpus.flatMap((cpu): Sample[] => [
        [{ cpu: cpu.cpu, mode: "user" }, cpu.guestSeconds],
        [{ cpu: cpu.cpu, mode: "nice" }, cpu.guestNiceSeconds],
      ]),
    ),
    family("node_context_switches_total", "Total number of context switches.", "counter", [[{}, stat.contextSwitchesTotal]]),
    family("node_intr_total", "Total number of interrupts serviced.", "counter", [[{}, stat.interruptsTotal]]),
    family("node_forks_total", "Total number of forks.", "counter", [[{}, stat.forksTotal]]),
    family("node_procs_running", "Number of processes in runnable state.", "gauge", [[{}, stat.procsRunning]]),
    family("node_procs_blocked", "Number of processes blocked waiting for I/O to complete.", "gauge", [[{}, stat.procsBlocked]]),
    family("node_boot_time_seconds", "Node boot time, in unixtime.", "gauge", [[{}, stat.bootTimeSeconds]]),
  ];
}

function meminfoFamilies(reading: HostReading): MetricFamily[] {
  return reading.meminfo.map((entry) => {
    // meminfo_linux.go: kB fields get `_bytes`, unitless ones (HugePages_*) keep the bare name.
    const suffix = entry.unit === "bytes" ? `${entry.field}_bytes` : entry.field;
    return family(`node_memory_${suffix}`, `Memory information field ${suffix}.`, "gauge", [[{}, entry.value]]);
  });
}

function filesystemFamilies(reading: HostReading): MetricFamily[] {
  const labelled = reading.filesystems.map((fs) => ({ fs, labels: { device: fs.device, fstype: fs.fstype, mountpoint: fs.mountpoint } }));
  // filesystem_common.go: device_error and readonly for every mount; sizes only for mounts statfs answered.
  const healthy = labelled.filter(({ fs }) => !fs.deviceError);
  const gauge = (name: string, help: string, rows: typeof labelled, value: (fs: (typeof labelled)[number]["fs"]) => number) =>
    family(name, help, "gauge", rows.map(({ fs, labels }): Sample => [labels, value(fs)]));
  return [
    gauge("node_filesystem_size_bytes", "Filesystem size in bytes.", healthy, (fs) => fs.sizeBytes),
    gauge("node_filesystem_free_bytes", "Filesystem free space in bytes.", healthy, (fs) => fs.freeBytes),
    gauge("node_filesystem_avail_bytes", "Filesystem space available to non-root users in bytes.", healthy, (fs) => fs.availBytes),
    gauge("node_filesystem_files", "Filesystem total file nodes.", healthy, (fs) => fs.files),
    gauge("node_filesystem_files_free", "Filesystem total free file nodes.", healthy, (fs) => fs.filesFree),
    gauge("node_filesystem_readonly", "Filesystem read-only status.", labelled, (fs) => (fs.readonly ? 1 : 0)),
    gauge("node_filesystem_device_error", "Whether an error occurred while getting statistics for the given device.", labelled, (fs) => (fs.deviceError ? 1 : 0)),
  ];
}

const NETWORK_COUNTERS = [
  ["receive_bytes", "receiveBytesTotal"],
  ["receive_packets", "receivePacketsTotal"],
  ["receive_errs", "receiveErrsTotal"],
  ["receive_drop", "receiveDropTotal"],
  ["transmit_bytes", "transmitBytesTotal"],
  ["transmit_packets", "transmitPacketsTotal"],
  ["transmit_errs", "transmitErrsTotal"],
  ["transmit_drop", "transmitDropTotal"],
] as const;

function networkFamilies(reading: HostReading, exclude: RegExp): MetricFamily[] {
  const networks = reading.networks.filter((network) => !exclude.test(network.device));
  // netdev_common.go: `Network device statistic <key>.` with `_total` appended to the name.
  return NETWORK_COUNTERS.map(([key, field]) =>
    family(`node_network_${key}_total`, `Network device statistic ${key}.`, "counter", networks.map((network): Sample => [{ device: network.device }, network[field]])),
  );
}

function pressureFamilies(reading: HostReading): MetricFamily[] {
  const { pressure } = reading;
  if (pressure === null) return [];
  // HELP texts of pressure_linux.go, which end without a period.
  return [
    family("node_pressure_cpu_waiting_seconds_total", "Total time in seconds that processes have waited for CPU time", "counter", [[{}, pressure.cpuWaitingSecondsTotal]]),
    family("node_pressure_io_waiting_seconds_total", "Total time in seconds that processes have waited due to IO congestion", "counter", [[{}, pressure.ioWaitingSecondsTotal]]),
    family("node_pressure_io_stalled_seconds_total", "Total time in seconds no process could make progress due to IO congestion", "counter", [[{}, pressure.ioStalledSecondsTotal]]),
    family("node_pressure_memory_waiting_seconds_total", "Total time in seconds that processes have waited for memory", "counter", [[{}, pressure.memoryWaitingSecondsTotal]]),
    family("node_pressure_memory_stalled_seconds_total", "Total time in seconds no process could make progress due to memory congestion", "counter", [[{}, pressure.memoryStalledSecondsTotal]]),
  ];
}

function processFamilies(reading: HostReading): MetricFamily[] {
  const rows = reading.processes.map((process) => ({ process, labels: { target: targetLabel(process.target), pid: String(process.pid) } }));
  const series = (name: string, help: string, type: MetricType, value: (process: (typeof rows)[number]["process"]) => number) =>
    family(name, help, type, rows.map(({ process, labels }): Sample => [labels, value(process)]));
  return [
    series("vigil_vllm_process_cpu_seconds_total", "User and system CPU time of the vLLM server process, in seconds.", "counter", (p) => p.cpuSecondsTotal),
    series("vigil_vllm_process_resident_memory_bytes", "Resident memory size of the vLLM server process, in bytes.", "gauge", (p) => p.residentMemoryBytes),
    series("vigil_vllm_process_virtual_memory_bytes", "Virtual memory size of the vLLM server process, in bytes.", "gauge", (p) => p.virtualMemoryBytes),
    series("vigil_vllm_process_open_fds", "Number of open file descriptors of the vLLM server process.", "gauge", (p) => p.openFds),
    series("vigil_vllm_process_threads", "Number of threads of the vLLM server process.", "gauge", (p) => p.threads),
    series("vigil_vllm_process_start_time_seconds", "Start time of the vLLM server process since unix epoch in seconds.", "gauge", (p) => p.startTimeSeconds),
    family(
      "vigil_vllm_process_info",
      "The vLLM server process of each target; command is /proc/<pid>/comm.",
      "gauge",
      rows.map(({ process, labels }): Sample => [{ ...labels, command: process.command }, 1]),
    ),
  ];
}
