/**
 * GPU readings as idiomatic Prometheus families: `vigil_gpu_*` in base units
 * (bytes, watts, joules, hertz, ratios 0..1), each series labelled `gpu` and `uuid`,
 * and one `vigil_gpu_info` carrying the rest of the identity to join on. A value a
 * device does not report (null) has no series, and a down device has only its
 * vigil_gpu_up 0, vigil_gpu_info and its XID counters.
 */
import type { Labels, MetricFamily, MetricSample, MetricType } from "../exposition/family.ts";
import type { GpuReading } from "../sample.ts";
import { CLOCK_EVENT_REASONS } from "./clock-event-reasons.ts";

type Value = (gpu: GpuReading) => number | boolean | null;

/** One family per row: name, type, help, and the value per GPU (extra labels optional). */
interface Row {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly series: readonly { readonly labels?: Labels; readonly value: Value }[];
}

const MHZ = 1_000_000;
const hz = (mhz: number | null): number | null => (mhz === null ? null : mhz * MHZ);

const ROWS: readonly Row[] = [
  gauge("vigil_gpu_memory_total_bytes", "Total framebuffer memory of the GPU.", (g) => g.memoryTotalBytes),
  gauge("vigil_gpu_memory_used_bytes", "Framebuffer memory in use (excluding reserved memory on R510+ drivers).", (g) => g.memoryUsedBytes),
  gauge("vigil_gpu_memory_free_bytes", "Framebuffer memory free.", (g) => g.memoryFreeBytes),
  gauge("vigil_gpu_memory_reserved_bytes", "Framebuffer memory reserved by the driver and firmware.", (g) => g.memoryReservedBytes),
  gauge("vigil_gpu_utilization_ratio", "Fraction of the last sample period in which a kernel ran on the GPU.", (g) => g.utilizationGpuRatio),
  gauge("vigil_gpu_memory_utilization_ratio", "Fraction of the last sample period in which device memory was read or written.", (g) => g.utilizationMemoryRatio),
  gauge("vigil_gpu_encoder_utilization_ratio", "Video encoder utilization.", (g) => g.encoderUtilizationRatio),
  gauge("vigil_gpu_decoder_utilization_ratio", "Video decoder utilization.", (g) => g.decoderUtilizationRatio),
  gauge("vigil_gpu_temperature_celsius", "GPU core temperature.", (g) => g.temperatureCelsius),
  gauge("vigil_gpu_power_watts", "Power draw of the board.", (g) => g.powerWatts),
  gauge("vigil_gpu_power_limit_watts", "Enforced power limit.", (g) => g.powerLimitWatts),
  gauge("vigil_gpu_power_management_limit_watts", "Power management limit set for the board.", (g) => g.powerManagementLimitWatts),
  {
    name: "vigil_gpu_energy_joules_total",
    type: "counter",
    help: "Energy consumed since the driver was loaded.",
    series: [{ value: (g) => (g.energyMillijoulesTotal === null ? null : g.energyMillijoulesTotal / 1000) }],
  },
  {
    name: "vigil_gpu_clock_hertz",
    type: "gauge",
    help: "Current clock frequency per clock domain.",
    series: [
      { labels: { clock: "graphics" }, value: (g) => hz(g.clockGraphicsMhz) },
      { labels: { clock: "sm" }, value: (g) => hz(g.clockSmMhz) },
      { labels: { clock: "memory" }, value: (g) => hz(g.clockMemoryMhz) },
      { labels: { clock: "video" }, value: (g) => hz(g.clockVideoMhz) },
    ],
  },
  {
    name: "vigil_gpu_clock_max_hertz",
    type: "gauge",
    help: "Maximum clock frequency per clock domain.",
    series: [
      { labels: { clock: "graphics" }, value: (g) => hz(g.maxClockGraphicsMhz) },
      { labels: { clock: "sm" }, value: (g) => hz(g.maxClockSmMhz) },
      { labels: { clock: "memory" }, value: (g) => hz(g.maxClockMemoryMhz) },
      { labels: { clock: "video" }, value: (g) => hz(g.maxClockVideoMhz) },
    ],
  },
  gauge("vigil_gpu_fan_speed_ratio", "Fan speed as a fraction of its maximum noise-tolerance speed (can exceed 1).", (g) => g.fanSpeedRatio),
  gauge("vigil_gpu_performance_state", "Performance state: 0 (P0, most performance) to 15; 32 = unknown.", (g) => g.performanceState),
  gauge("vigil_gpu_clock_event_reasons", "Bitmask of why the clocks are held below their maximum (nvmlClocksEventReasons).", (g) => g.clocksEventReasons),
  {
    name: "vigil_gpu_clock_event_reason",
    type: "gauge",
    help: "Whether this reason holds the clocks below their maximum (1) or not (0).",
    series: CLOCK_EVENT_REASONS.map(({ bit, name }) => ({
      labels: { reason: name },
      value: (g: GpuReading) => (g.clocksEventReasons === null ? null : (g.clocksEventReasons & bit) !== 0),
    })),
  },
  {
    name: "vigil_gpu_pcie_throughput_bytes_per_second",
    type: "gauge",
    help: "PCIe throughput over NVML's 20 ms window, read every few seconds.",
    series: [
      { labels: { direction: "tx" }, value: (g) => g.pcieTxBytesPerSecond },
      { labels: { direction: "rx" }, value: (g) => g.pcieRxBytesPerSecond },
    ],
  },
  { name: "vigil_gpu_pcie_replays_total", type: "counter", help: "PCIe replays (retries).", series: [{ value: (g) => g.pcieReplayTotal }] },
  {
    name: "vigil_gpu_ecc_errors_total",
    type: "counter",
    help: "ECC errors: volatile since the driver was loaded, aggregate over the board's life.",
    series: [
      { labels: { type: "corrected", scope: "volatile" }, value: (g) => g.eccCorrectedVolatileTotal },
      { labels: { type: "uncorrected", scope: "volatile" }, value: (g) => g.eccUncorrectedVolatileTotal },
      { labels: { type: "corrected", scope: "aggregate" }, value: (g) => g.eccCorrectedAggregateTotal },
      { labels: { type: "uncorrected", scope: "aggregate" }, value: (g) => g.eccUncorrectedAggregateTotal },
    ],
  },
  {
    name: "vigil_gpu_retired_pages_total",
    type: "counter",
    help: "Framebuffer pages retired, by cause.",
    series: [
      { labels: { cause: "single_bit_ecc" }, value: (g) => g.retiredPagesSingleBitTotal },
      { labels: { cause: "double_bit_ecc" }, value: (g) => g.retiredPagesDoubleBitTotal },
    ],
  },
  gauge("vigil_gpu_retired_pages_pending", "Whether a page retirement waits for the next driver reload (1) or not (0).", (g) => g.retiredPagesPending),
  {
    name: "vigil_gpu_remapped_rows_total",
    type: "counter",
    help: "Memory rows remapped, by the kind of error that caused it.",
    series: [
      { labels: { type: "correctable" }, value: (g) => g.remappedRowsCorrectableTotal },
      { labels: { type: "uncorrectable" }, value: (g) => g.remappedRowsUncorrectableTotal },
    ],
  },
  gauge("vigil_gpu_remapped_rows_pending", "Whether a row remapping waits for the next GPU reset (1) or not (0).", (g) => g.remappedRowsPending),
  gauge("vigil_gpu_remapped_rows_failure", "Whether a row remapping has failed (1) or not (0).", (g) => g.remappedRowsFailure),
  gauge("vigil_gpu_compute_mode", "Compute mode: 0 default, 2 prohibited, 3 exclusive process.", (g) => g.computeMode),
  gauge("vigil_gpu_mig_mode", "Whether MIG mode is enabled (1) or not (0).", (g) => g.migModeCurrent),
  gauge("vigil_gpu_mig_mode_pending", "MIG mode after the next GPU reset: enabled (1) or not (0).", (g) => g.migModePending),
];

/** Builds the vigil_gpu_* families of one sample's GPU readings. Families without samples are omitted. */
export function gpuFamilies(gpus: readonly GpuReading[]): MetricFamily[] {
  if (gpus.length === 0) return [];
  const ids = gpus.map((g) => ({ gpu: String(g.index), uuid: g.uuid }));
  const families: MetricFamily[] = [
    {
      name: "vigil_gpu_info",
      type: "gauge",
      help: "GPU identity and driver versions; always 1. Join on gpu or uuid.",
      samples: gpus.map((g, i) => ({
        name: "vigil_gpu_info",
        labels: { ...ids[i], name: g.name, pci_bus_id: g.pciBusId, driver_version: g.driverVersion, nvml_version: g.nvmlVersion, cuda_version: g.cudaDriverVersion },
        value: 1,
      })),
    },
    {
      name: "vigil_gpu_up",
      type: "gauge",
      help: "Whether every NVML call for this GPU succeeded in the last sample (1) or one failed, e.g. GPU is lost (0).",
      samples: gpus.map((g, i) => ({ name: "vigil_gpu_up", labels: ids[i]!, value: g.up ? 1 : 0 })),
    },
  ];
  for (const row of ROWS) {
    const samples: MetricSample[] = [];
    gpus.forEach((g, i) => {
      for (const series of row.series) {
        const value = series.value(g);
        if (value === null) continue;
        samples.push({ name: row.name, labels: series.labels ? { ...ids[i], ...series.labels } : ids[i]!, value: typeof value === "boolean" ? (value ? 1 : 0) : value });
      }
    });
    if (samples.length > 0) families.push({ name: row.name, type: row.type, help: row.help, samples });
  }
  families.push(...processAndXidFamilies(gpus));
  return families;
}

/** Families with no dcgm-exporter equivalent; served in both naming modes. */
export function processAndXidFamilies(gpus: readonly GpuReading[]): MetricFamily[] {
  const xid: MetricSample[] = [];
  const processes: MetricSample[] = [];
  for (const g of gpus) {
    const id = { gpu: String(g.index), uuid: g.uuid };
    for (const { xid: code, count } of g.xidErrors) xid.push({ name: "vigil_gpu_xid_errors_total", labels: { ...id, xid: String(code) }, value: count });
    for (const p of g.processes) {
      if (p.usedGpuMemoryBytes === null) continue;
      processes.push({ name: "vigil_gpu_process_memory_used_bytes", labels: { ...id, pid: String(p.pid), command: p.command }, value: p.usedGpuMemoryBytes });
    }
  }
  const families: MetricFamily[] = [];
  if (gpus.length > 0) {
    // Present from the first scrape (empty until an XID arrives), so rate() starts at the first error.
    families.push({ name: "vigil_gpu_xid_errors_total", type: "counter", help: "XID errors reported by the driver since the agent started, per XID code.", samples: xid });
  }
  if (processes.length > 0) {
    families.push({ name: "vigil_gpu_process_memory_used_bytes", type: "gauge", help: "GPU memory used by a running compute process (command from /proc/<pid>/comm).", samples: processes });
  }
  return families;
}

function gauge(name: string, help: string, value: Value): Row {
  return { name, type: "gauge", help, series: [{ value }] };
}
