/**
 * "Vigil / GPUs (dcgm-exporter names)": for agents started with `--compat dcgm`, which
 * serve dcgm-exporter's DCGM_FI_DEV_* names, units (%, MiB, MHz, W, mJ) and labels
 * (gpu, UUID, modelName, Hostname). The panels follow NVIDIA's dcgm-exporter dashboard,
 * so a fleet mixing dcgm-exporter and Vigil agents shows on one screen.
 */
import { dashboard, datasourceVariable, labelVariable, Layout, stat, timeseries, type Dashboard } from "./grafana-model.ts";

const GPU = 'instance=~"$instance",gpu=~"$gpu"';

/** Builds the dcgm-exporter compatible dashboard. */
export function dcgmCompatDashboard(): Dashboard {
  const layout = new Layout();
  const panels = [
    stat(layout, { title: "GPUs", unit: "short", w: 6, query: { expr: `count(DCGM_FI_DEV_GPU_UTIL{${GPU}})` } }),
    stat(layout, { title: "Mean GPU utilisation", unit: "percent", w: 6, query: { expr: `avg(DCGM_FI_DEV_GPU_UTIL{${GPU}})` } }),
    stat(layout, { title: "Total power", unit: "watt", w: 6, query: { expr: `sum(DCGM_FI_DEV_POWER_USAGE{${GPU}})` } }),
    stat(layout, { title: "Hottest GPU", unit: "celsius", w: 6, query: { expr: `max(DCGM_FI_DEV_GPU_TEMP{${GPU}})` } }),
    timeseries(layout, { title: "GPU temperature", unit: "celsius", queries: [{ expr: `DCGM_FI_DEV_GPU_TEMP{${GPU}}`, legend: "{{Hostname}} GPU {{gpu}}" }] }),
    timeseries(layout, { title: "GPU power usage", unit: "watt", queries: [{ expr: `DCGM_FI_DEV_POWER_USAGE{${GPU}}`, legend: "{{Hostname}} GPU {{gpu}}" }] }),
    timeseries(layout, {
      title: "GPU utilisation (%)",
      unit: "short",
      queries: [
        { expr: `DCGM_FI_DEV_GPU_UTIL{${GPU}}`, legend: "{{Hostname}} GPU {{gpu}} SM" },
        { expr: `DCGM_FI_DEV_MEM_COPY_UTIL{${GPU}}`, legend: "{{Hostname}} GPU {{gpu}} memory copy" },
      ],
    }),
    timeseries(layout, {
      title: "Framebuffer memory (MiB)",
      unit: "short",
      queries: [
        { expr: `DCGM_FI_DEV_FB_USED{${GPU}}`, legend: "{{Hostname}} GPU {{gpu}} used" },
        { expr: `DCGM_FI_DEV_FB_FREE{${GPU}}`, legend: "{{Hostname}} GPU {{gpu}} free" },
      ],
    }),
    timeseries(layout, {
      title: "Clocks (MHz)",
      unit: "short",
      queries: [
        { expr: `DCGM_FI_DEV_SM_CLOCK{${GPU}}`, legend: "{{Hostname}} GPU {{gpu}} SM" },
        { expr: `DCGM_FI_DEV_MEM_CLOCK{${GPU}}`, legend: "{{Hostname}} GPU {{gpu}} memory" },
      ],
    }),
    timeseries(layout, {
      title: "Energy: power from the counter",
      description: "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION is in mJ: rate() / 1000 is the mean power in W.",
      unit: "watt",
      // dcgm-exporter serves text format: the bare name. An OpenMetrics scrape stores a counter
      // as <name>_total. Matching both keeps the panel working for either exporter.
      queries: [{ expr: `rate({__name__=~"DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION(_total)?",${GPU}}[$__rate_interval]) / 1000`, legend: "{{Hostname}} GPU {{gpu}}" }],
    }),
    timeseries(layout, {
      title: "Clock event reasons (bitmask)",
      description: "DCGM_FI_DEV_CLOCKS_EVENT_REASONS: 0x1 idle, 0x4 power cap, 0x8 HW slowdown, 0x20 SW thermal, 0x40 HW thermal, 0x80 power brake.",
      unit: "short",
      queries: [{ expr: `DCGM_FI_DEV_CLOCKS_EVENT_REASONS{${GPU}}`, legend: "{{Hostname}} GPU {{gpu}}" }],
    }),
    timeseries(layout, {
      title: "Last XID error",
      description: "DCGM_FI_DEV_XID_ERRORS holds the last XID seen (0 = none), with err_code and err_msg.",
      unit: "short",
      queries: [{ expr: `DCGM_FI_DEV_XID_ERRORS{${GPU}}`, legend: "{{Hostname}} GPU {{gpu}} {{err_msg}}" }],
    }),
  ];
  return dashboard({
    uid: "vigil-dcgm-compat",
    title: "Vigil / GPUs (dcgm-exporter names)",
    description: "GPU metrics of Vigil agents running with --compat dcgm (dcgm-exporter's names and labels).",
    tags: ["vigil", "gpu", "dcgm"],
    variables: [
      datasourceVariable(),
      labelVariable({ name: "instance", label: "Host", selector: "DCGM_FI_DEV_GPU_UTIL", labelName: "instance", multi: true, includeAll: true }),
      labelVariable({ name: "gpu", label: "GPU", selector: 'DCGM_FI_DEV_GPU_UTIL{instance=~"$instance"}', labelName: "gpu", multi: true, includeAll: true }),
    ],
    panels,
  });
}
