/**
 * The three export formats, pure functions of the samples:
 * - csv: `time,time_ms,<series...>`, one column per series seen anywhere (sorted), for spreadsheets and pandas;
 * - json: `{ format: "vigil.export/v1", types, samples: [{ timeMs, values }] }`, non-finite values as strings;
 * - prom: OpenMetrics text with a timestamp on every sample, ending in `# EOF`, which
 *   `promtool tsdb create-blocks-from openmetrics` backfills into Prometheus.
 */
import type { MetricType } from "../exposition/family.ts";
import { csvCell } from "../outputs/record/csv-recorder.ts";
import { type RecordedSample, formatRecordedValue, parseSeriesKey } from "../outputs/record/recorded-sample.ts";

export type ExportFormat = "csv" | "json" | "prom";

export function writeExport(samples: readonly RecordedSample[], format: ExportFormat): string {
  switch (format) {
    case "csv":
      return writeCsv(samples);
    case "json":
      return writeJson(samples);
    case "prom":
      return writeOpenMetricsWithTimestamps(samples);
  }
}

function writeCsv(samples: readonly RecordedSample[]): string {
  const columns = [...new Set(samples.flatMap((s) => s.points.map((p) => p.series)))].sort();
  let out = `${["time", "time_ms", ...columns].map(csvCell).join(",")}\n`;
  for (const sample of samples) {
    const values = new Map(sample.points.map((p) => [p.series, p.value]));
    const cells = [new Date(sample.timeMs).toISOString(), String(sample.timeMs), ...columns.map((c) => (values.has(c) ? formatRecordedValue(values.get(c) as number) : ""))];
    out += `${cells.map(csvCell).join(",")}\n`;
  }
  return out;
}

function writeJson(samples: readonly RecordedSample[]): string {
  const types: Record<string, MetricType> = {};
  const rows = samples.map((sample) => {
    const values: Record<string, number | string> = {};
    for (const point of sample.points) {
      types[point.family] = point.type;
      values[point.series] = Number.isFinite(point.value) ? point.value : formatRecordedValue(point.value);
    }
    return { timeMs: sample.timeMs, values };
  });
  return `${JSON.stringify({ format: "vigil.export/v1", types, samples: rows })}\n`;
}

const OM_TYPE: Partial<Record<MetricType, string>> = { counter: "counter", gauge: "gauge", histogram: "histogram" };

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function renderLabels(labels: Readonly<Record<string, string>>): string {
  const names = Object.keys(labels);
  return names.length === 0 ? "" : `{${names.map((n) => `${n}="${escapeLabel(labels[n] as string)}"`).join(",")}}`;
}

/**
 * OpenMetrics wants each family's samples together and, per metric (label set without
 * `le`), one MetricPoint (all its buckets, count, sum) per timestamp, in time order.
 */
function writeOpenMetricsWithTimestamps(samples: readonly RecordedSample[]): string {
  const families = new Map<string, { type: MetricType; metrics: Map<string, { lines: Map<number, string[]> }> }>();
  for (const sample of samples) {
    const timestamp = (sample.timeMs / 1000).toFixed(3);
    for (const point of sample.points) {
      let family = families.get(point.family);
      if (!family) families.set(point.family, (family = { type: point.type, metrics: new Map() }));
      const { name, labels } = parseSeriesKey(point.series);
      const { le: _le, ...metricLabels } = labels;
      const metricKey = JSON.stringify(metricLabels);
      let metric = family.metrics.get(metricKey);
      if (!metric) family.metrics.set(metricKey, (metric = { lines: new Map() }));
      let lines = metric.lines.get(sample.timeMs);
      if (!lines) metric.lines.set(sample.timeMs, (lines = []));
      lines.push(`${name}${renderLabels(labels)} ${formatRecordedValue(point.value)} ${timestamp}`);
    }
  }
  let out = "";
  for (const [familyName, family] of [...families.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    // An OpenMetrics counter family is named without `_total`, its samples with it.
    const counter = family.type === "counter" && familyName.endsWith("_total");
    const type = counter ? "counter" : family.type === "counter" ? "unknown" : (OM_TYPE[family.type] ?? "unknown");
    out += `# TYPE ${counter ? familyName.slice(0, -"_total".length) : familyName} ${type}\n`;
    for (const metric of family.metrics.values()) {
      for (const timeMs of [...metric.lines.keys()].sort((a, b) => a - b)) out += `${(metric.lines.get(timeMs) as string[]).join("\n")}\n`;
    }
  }
  return `${out}# EOF\n`;
}
