/**
 * GPU readings under dcgm-exporter's names, units and labels (--compat dcgm), so
 * NVIDIA's Grafana dashboard for dcgm-exporter works unchanged. Names and HELP texts
 * are those of dcgm-exporter's etc/default-counters.csv, plus the commonly enabled
 * opt-in fields this agent has data for (ECC, retired pages, clocks, limits).
 * Labels as dcgm-exporter 4.x renders them:
 * `{gpu, UUID, pci_bus_id, device="nvidia<i>", modelName, Hostname, DCGM_FI_DRIVER_VERSION}`.
 * Units as DCGM's: MHz, MiB (integer), W (float), mJ, percent.
 */
import type { Labels, MetricFamily, MetricSample, MetricType } from "../exposition/family.ts";
import type { GpuReading } from "../sample.ts";
import { processAndXidFamilies } from "./gpu-families.ts";
import { xidMessage } from "./xid-messages.ts";

type Value = (gpu: GpuReading) => number | boolean | null;

const MIB = 1024 * 1024;
const mib = (bytes: number | null): number | null => (bytes === null ? null : Math.floor(bytes / MIB));
// NVML percentages are integers; the readings hold ratios, so round back exactly.
const percent = (ratio: number | null): number | null => (ratio === null ? null : Math.round(ratio * 100));

const FIELDS: readonly (readonly [name: string, type: MetricType, help: string, value: Value])[] = [
  ["DCGM_FI_DEV_SM_CLOCK", "gauge", "SM clock frequency (in MHz).", (g) => g.clockSmMhz],
  ["DCGM_FI_DEV_MEM_CLOCK", "gauge", "Memory clock frequency (in MHz).", (g) => g.clockMemoryMhz],
  ["DCGM_FI_DEV_VIDEO_CLOCK", "gauge", "Video encoder/decoder clock frequency (in MHz).", (g) => g.clockVideoMhz],
  ["DCGM_FI_DEV_MAX_SM_CLOCK", "gauge", "Maximum SM clock frequency (in MHz).", (g) => g.maxClockSmMhz],
  ["DCGM_FI_DEV_MAX_MEM_CLOCK", "gauge", "Maximum memory clock frequency (in MHz).", (g) => g.maxClockMemoryMhz],
  ["DCGM_FI_DEV_MAX_VIDEO_CLOCK", "gauge", "Maximum video clock frequency (in MHz).", (g) => g.maxClockVideoMhz],
  ["DCGM_FI_DEV_GPU_TEMP", "gauge", "GPU temperature (in C).", (g) => g.temperatureCelsius],
  ["DCGM_FI_DEV_POWER_USAGE", "gauge", "Power draw (in W).", (g) => g.powerWatts],
  ["DCGM_FI_DEV_ENFORCED_POWER_LIMIT", "gauge", "Current power limit for the device (in W).", (g) => g.powerLimitWatts],
  ["DCGM_FI_DEV_POWER_MGMT_LIMIT", "gauge", "Power management limit (in W).", (g) => g.powerManagementLimitWatts],
  ["DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", "counter", "Total energy consumption since boot (in mJ).", (g) => g.energyMillijoulesTotal],
  ["DCGM_FI_DEV_PCIE_REPLAY_COUNTER", "counter", "Total number of PCIe retries.", (g) => g.pcieReplayTotal],
  ["DCGM_FI_DEV_PCIE_TX_THROUGHPUT", "gauge", "PCIe transmit throughput (in KB/s).", (g) => (g.pcieTxBytesPerSecond === null ? null : g.pcieTxBytesPerSecond / 1024)],
  ["DCGM_FI_DEV_PCIE_RX_THROUGHPUT", "gauge", "PCIe receive throughput (in KB/s).", (g) => (g.pcieRxBytesPerSecond === null ? null : g.pcieRxBytesPerSecond / 1024)],
  ["DCGM_FI_DEV_GPU_UTIL", "gauge", "GPU utilization (in %).", (g) => percent(g.utilizationGpuRatio)],
  ["DCGM_FI_DEV_MEM_COPY_UTIL", "gauge", "Memory utilization (in %).", (g) => percent(g.utilizationMemoryRatio)],
  ["DCGM_FI_DEV_ENC_UTIL", "gauge", "Encoder utilization (in %).", (g) => percent(g.encoderUtilizationRatio)],
  ["DCGM_FI_DEV_DEC_UTIL", "gauge", "Decoder utilization (in %).", (g) => percent(g.decoderUtilizationRatio)],
  ["DCGM_FI_DEV_FAN_SPEED", "gauge", "Fan speed for the device in percent 0-100.", (g) => percent(g.fanSpeedRatio)],
  ["DCGM_FI_DEV_PSTATE", "gauge", "Performance state (P-State) 0-15. 0=highest.", (g) => g.performanceState],
  ["DCGM_FI_DEV_CLOCKS_EVENT_REASONS", "gauge", "Current clock event reasons (bitmask of DCGM_CLOCKS_EVENT_REASON_*).", (g) => g.clocksEventReasons],
  ["DCGM_FI_DEV_FB_TOTAL", "gauge", "Total Frame Buffer of the GPU in MB.", (g) => mib(g.memoryTotalBytes)],
  ["DCGM_FI_DEV_FB_FREE", "gauge", "Framebuffer memory free (in MiB).", (g) => mib(g.memoryFreeBytes)],
  ["DCGM_FI_DEV_FB_USED", "gauge", "Framebuffer memory used (in MiB).", (g) => mib(g.memoryUsedBytes)],
  ["DCGM_FI_DEV_FB_RESERVED", "gauge", "Framebuffer memory reserved (in MiB).", (g) => mib(g.memoryReservedBytes)],
  ["DCGM_FI_DEV_ECC_SBE_VOL_TOTAL", "counter", "Total number of single-bit volatile ECC errors.", (g) => g.eccCorrectedVolatileTotal],
  ["DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", "counter", "Total number of double-bit volatile ECC errors.", (g) => g.eccUncorrectedVolatileTotal],
  ["DCGM_FI_DEV_ECC_SBE_AGG_TOTAL", "counter", "Total number of single-bit persistent ECC errors.", (g) => g.eccCorrectedAggregateTotal],
  ["DCGM_FI_DEV_ECC_DBE_AGG_TOTAL", "counter", "Total number of double-bit persistent ECC errors.", (g) => g.eccUncorrectedAggregateTotal],
  ["DCGM_FI_DEV_RETIRED_SBE", "counter", "Total number of retired pages due to single-bit errors.", (g) => g.retiredPagesSingleBitTotal],
  ["DCGM_FI_DEV_RETIRED_DBE", "counter", "Total number of retired pages due to double-bit errors.", (g) => g.retiredPagesDoubleBitTotal],
  ["DCGM_FI_DEV_RETIRED_PENDING", "counter", "Total number of pages pending retirement.", (g) => g.retiredPagesPending],
  ["DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS", "counter", "Number of remapped rows for uncorrectable errors", (g) => g.remappedRowsUncorrectableTotal],
  ["DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS", "counter", "Number of remapped rows for correctable errors", (g) => g.remappedRowsCorrectableTotal],
  ["DCGM_FI_DEV_ROW_REMAP_FAILURE", "gauge", "Whether remapping of rows has failed", (g) => g.remappedRowsFailure],
  ["DCGM_FI_DEV_COMPUTE_MODE", "gauge", "Compute mode of the device.", (g) => g.computeMode],
  ["DCGM_FI_DEV_MIG_MODE", "gauge", "MIG mode of the device.", (g) => g.migModeCurrent],
];

export interface DcgmFamiliesOptions {
  /** The Hostname label (os.hostname()). */
  readonly hostname: string;
}

/**
 * Builds dcgm-exporter-named families. Down GPUs are left out, as dcgm-exporter
 * leaves out blank values; the per-process and XID counter families (no DCGM
 * equivalent) are appended under their vigil_gpu_* names.
 */
export function dcgmFamilies(gpus: readonly GpuReading[], options: DcgmFamiliesOptions): MetricFamily[] {
  const labelled = gpus.map((g) => ({ gpu: g, labels: dcgmLabels(g, options.hostname) }));
  const families: MetricFamily[] = [];
  for (const [name, type, help, value] of FIELDS) {
    const samples: MetricSample[] = [];
    for (const { gpu, labels } of labelled) {
      const v = value(gpu);
      if (v === null) continue;
      samples.push({ name, labels, value: typeof v === "boolean" ? (v ? 1 : 0) : v });
    }
    if (samples.length > 0) families.push({ name, type: exposedType(type), help, samples });
  }
  // DCGM_FI_DEV_XID_ERRORS: the last XID seen (0 before any), with its code and text.
  const xid = labelled.map(({ gpu, labels }) => {
    const code = gpu.lastXid ?? 0;
    return { name: "DCGM_FI_DEV_XID_ERRORS", labels: { ...labels, err_code: String(code), err_msg: xidMessage(code) }, value: code };
  });
  if (xid.length > 0) families.push({ name: "DCGM_FI_DEV_XID_ERRORS", type: "gauge", help: "Value of the last XID error encountered.", samples: xid });
  families.push(...processAndXidFamilies(gpus));
  return families;
}

/** The label set dcgm-exporter puts on every GPU series, in its order. */
export function dcgmLabels(gpu: GpuReading, hostname: string): Labels {
  return {
    gpu: String(gpu.index),
    UUID: gpu.uuid,
    pci_bus_id: gpu.pciBusId,
    device: `nvidia${gpu.index}`,
    modelName: gpu.name,
    Hostname: hostname,
    DCGM_FI_DRIVER_VERSION: gpu.driverVersion,
  };
}

/**
 * dcgm-exporter's counters carry no `_total` (DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION) and it only speaks text
 * 0.0.4. Prometheus negotiates OpenMetrics with us, where a counter's samples must end in `_total`: our writer
 * would rename them and every dashboard query would miss. So they are served as untyped (OpenMetrics
 * `unknown`), which keeps the names exactly; rate() works on them all the same.
 */
function exposedType(type: MetricType): MetricType {
  return type === "counter" ? "untyped" : type;
}
