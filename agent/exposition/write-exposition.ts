/**
 * Renders metric families as Prometheus text 0.0.4 or OpenMetrics 1.0.0 text. Pure
 * and allocation-light: the agent renders on every scrape.
 *
 * Specs:
 * - https://github.com/prometheus/docs/blob/main/content/docs/instrumenting/exposition_formats.md
 * - https://github.com/prometheus/docs/blob/main/docs/specs/om/open_metrics_spec.md
 */
import type { Labels, MetricFamily, MetricSample, MetricType } from "./family.ts";

/** Content type of writeTextExposition's output. */
export const TEXT_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Content type of writeOpenMetrics's output. */
export const OPENMETRICS_CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/** Label values escape `\`, `"` and newline in both formats. A loop: faster than a regex test on short values. */
function escapeLabelValue(value: string): string {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 92 || c === 34 || c === 10) return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
  }
  return value;
}

/** Text 0.0.4 HELP escapes only `\` and newline; OpenMetrics HELP is an escaped-string, so `"` too. */
function escapeHelp(help: string, quote: boolean): string {
  const escaped = help.includes("\\") ? help.replace(/\\/g, "\\\\") : help;
  const lines = escaped.includes("\n") ? escaped.replace(/\n/g, "\\n") : escaped;
  return quote && lines.includes('"') ? lines.replace(/"/g, '\\"') : lines;
}

/**
 * Go's ParseFloat and the OpenMetrics ABNF both read JavaScript's shortest round-trip
 * rendering (`17`, `0.25`, `1e+21`, `1.5e-7`); only the non-finite values need names.
 */
function formatValue(value: number): string {
  if (Number.isFinite(value)) return String(value);
  return Number.isNaN(value) ? "NaN" : value > 0 ? "+Inf" : "-Inf";
}

function renderLabels(labels: Labels): string {
  let out = "";
  for (const key in labels) out += `${out === "" ? "{" : ","}${key}="${escapeLabelValue(labels[key] ?? "")}"`;
  return out === "" ? "" : `${out}}`;
}

function sampleLine(name: string, sample: MetricSample, timestamp: string): string {
  return `${name}${renderLabels(sample.labels)} ${formatValue(sample.value)}${timestamp}\n`;
}

/** Text 0.0.4 timestamps are int64 milliseconds in plain digits; one that cannot be written so is left out. */
function textTimestamp(timestampMs: number | undefined): string {
  if (timestampMs === undefined || !Number.isFinite(timestampMs) || Math.abs(timestampMs) > 9.2e18) return "";
  return ` ${Math.round(timestampMs).toFixed(0)}`;
}

/** Types text 0.0.4 lacks are rendered as their nearest kin (exposition_formats.md lists five types). */
function textType(type: MetricType): string {
  switch (type) {
    case "counter":
    case "gauge":
    case "histogram":
    case "summary":
      return type;
    case "info":
    case "stateset":
      return "gauge";
    case "gaugehistogram":
      return "histogram";
    default:
      return "untyped";
  }
}

/** The name that owns a family's samples in text 0.0.4, where the family name is the counter's `_total` sample name. */
function textHeaderName(family: MetricFamily): string {
  const suffix = family.type === "counter" ? "_total" : family.type === "info" ? "_info" : "";
  if (suffix === "" || family.name.endsWith(suffix)) return family.name;
  const suffixed = family.name + suffix;
  return family.samples.some((sample) => sample.name === suffixed) ? suffixed : family.name;
}

/** The `_created` sample name of counter, histogram and summary families (OpenMetrics), or "" for others. */
function createdName(family: MetricFamily, header: string): string {
  if (family.type === "counter") return `${header.endsWith("_total") ? header.slice(0, -6) : header}_created`;
  return family.type === "histogram" || family.type === "summary" ? `${family.name}_created` : "";
}

/**
 * Renders families as Prometheus text format 0.0.4 (serve with TEXT_CONTENT_TYPE).
 * OpenMetrics-shaped families are reshaped the way Python's prometheus_client does:
 * a counter family `x` becomes `# TYPE x_total counter`, its `x_created` samples a
 * gauge family `x_created` right after it; info and stateset become gauges,
 * gaugehistogram a histogram (`_gsum`/`_gcount` as `_sum`/`_count`). A family whose
 * name was already written (as a family or a sample name) is dropped, since Go's
 * parser rejects a second HELP/TYPE or one after that name's samples.
 *
 * @example writeTextExposition([{ name: "up", help: "Up.", type: "gauge", samples: [{ name: "up", labels: {}, value: 1 }] }]) // "# HELP up Up.\n# TYPE up gauge\nup 1\n"
 */
export function writeTextExposition(families: readonly MetricFamily[]): string {
  let out = "";
  const written = new Set<string>();
  for (const family of families) {
    const header = textHeaderName(family);
    if (written.has(header)) continue;
    written.add(header);
    if (family.help !== "") out += `# HELP ${header} ${escapeHelp(family.help, false)}\n`;
    out += `# TYPE ${header} ${textType(family.type)}\n`;
    const created = createdName(family, header);
    const gauged = family.type === "gaugehistogram";
    let createdLines = "";
    let lastName = header;
    for (const sample of family.samples) {
      const timestamp = textTimestamp(sample.timestampMs);
      if (sample.name === created) {
        createdLines += sampleLine(created, sample, timestamp);
        continue;
      }
      const name = gauged ? sample.name.replace(/_g(sum|count)$/, "_$1") : sample.name;
      if (name !== lastName) written.add((lastName = name));
      out += sampleLine(name, sample, timestamp);
    }
    if (createdLines !== "" && !written.has(created)) {
      written.add(created);
      if (family.help !== "") out += `# HELP ${created} ${escapeHelp(family.help, false)}\n`;
      out += `# TYPE ${created} gauge\n${createdLines}`;
    }
  }
  return out;
}

/** OpenMetrics family name: counters and infos drop the suffix their samples carry. */
function omName(family: MetricFamily): string {
  if (family.type === "counter" && family.name.endsWith("_total")) return family.name.slice(0, -6);
  if (family.type === "info" && family.name.endsWith("_info")) return family.name.slice(0, -5);
  return family.name;
}

/** Sample-name suffixes each OpenMetrics type reserves (spec: "Metric types"); two families must not share a sample name. */
const OM_SUFFIXES: Readonly<Record<MetricType, readonly string[]>> = {
  counter: ["_total", "_created"],
  gauge: [],
  histogram: ["_bucket", "_count", "_sum", "_created"],
  summary: ["_count", "_sum", "_created"],
  untyped: [],
  info: ["_info"],
  stateset: [],
  gaugehistogram: ["_bucket", "_gcount", "_gsum"],
};

const ALL_SUFFIXES = [...new Set(Object.values(OM_SUFFIXES).flat())];

/**
 * The family names written so far, to keep a later family from clashing with one:
 * same name, its name being an earlier family's sample name (`x_total` after counter
 * `x`), or an earlier family's name being one of its sample names. No suffix is the
 * tail of another, so these are the only ways two names can meet, and checking them
 * needs no string built per reserved name.
 */
function nameClaims(): { readonly clashes: (name: string, type: MetricType) => boolean; readonly claim: (name: string, type: MetricType) => void } {
  const types = new Map<string, MetricType>();
  const suffixedBy = new Map<string, string[]>(); // base name → suffixes that, appended, give a claimed family name
  return {
    clashes(name, type) {
      if (types.has(name)) return true;
      for (const suffix of ALL_SUFFIXES) {
        if (!name.endsWith(suffix)) continue;
        const owner = types.get(name.slice(0, -suffix.length));
        if (owner !== undefined && OM_SUFFIXES[owner].includes(suffix)) return true;
      }
      return (suffixedBy.get(name) ?? []).some((suffix) => OM_SUFFIXES[type].includes(suffix));
    },
    claim(name, type) {
      types.set(name, type);
      for (const suffix of ALL_SUFFIXES) {
        if (!name.endsWith(suffix)) continue;
        const base = name.slice(0, -suffix.length);
        suffixedBy.set(base, [...(suffixedBy.get(base) ?? []), suffix]);
      }
    },
  };
}

/** A MetricPoint's own labels (all but the `le` of histograms or `quantile` of summaries), rendered like a sample's. */
function renderPointLabels(labels: Labels, valueLabel: string): string {
  return renderLabels(Object.fromEntries(Object.entries(labels).filter(([name]) => name !== valueLabel)));
}

/** Whether two samples belong to one MetricPoint: equal labels apart from `valueLabel`. Allocation-free. */
function samePoint(a: Labels, b: Labels, valueLabel: string): boolean {
  let count = 0;
  for (const name in a) {
    if (name === valueLabel) continue;
    if (a[name] !== b[name]) return false; // a value is a string; a missing or inherited b[name] never equals it
    count++;
  }
  for (const name in b) if (name !== valueLabel) count--;
  return count === 0;
}

/**
 * Pairs each gauge (or untyped) family `x_created` with the counter, histogram or
 * summary `x` it belongs to: Python's prometheus_client (vLLM) writes created
 * timestamps that way in text 0.0.4, and OpenMetrics parsers reject a family whose
 * name is another family's `_created` sample.
 */
function findCreatedFamilies(families: readonly MetricFamily[], names: readonly string[]): Map<number, MetricFamily> {
  const owners = new Map<string, number>();
  families.forEach((family, index) => {
    const name = names[index] ?? family.name;
    const owns = family.type === "counter" || family.type === "histogram" || family.type === "summary";
    const created = `${name}_created`;
    if (owns && !owners.has(name) && !family.samples.some((sample) => sample.name === created)) owners.set(name, index);
  });
  const folded = new Map<number, MetricFamily>();
  for (const family of families) {
    if ((family.type !== "gauge" && family.type !== "untyped") || !family.name.endsWith("_created")) continue;
    const owner = owners.get(family.name.slice(0, -8));
    if (owner !== undefined && !folded.has(owner)) folded.set(owner, family);
  }
  return folded;
}

function omSampleLine(name: string, labels: string, sample: MetricSample): string {
  // OpenMetrics timestamps are seconds (spec: "Timestamps").
  const timestamp = sample.timestampMs === undefined ? "" : ` ${formatValue(sample.timestampMs / 1000)}`;
  return `${name}${labels} ${formatValue(sample.value)}${timestamp}\n`;
}

/**
 * One family's sample lines, with the folded `created` samples placed after the last
 * sample of their MetricPoint ("MetricPoints MUST NOT be interleaved"). A point is
 * found by its rendered labels, which its `_total`, `_count` or `_sum` sample shows
 * as they are (no `le`, no `quantile`): no extra key is built per sample.
 */
function omSamples(family: MetricFamily, name: string, created: MetricFamily | undefined): string {
  const valueName = family.type === "counter" ? `${name}_total` : family.type === "info" ? `${name}_info` : name;
  let out = "";
  if (created === undefined) {
    for (const sample of family.samples) out += omSampleLine(sample.name === name ? valueName : sample.name, renderLabels(sample.labels), sample);
    return out;
  }
  const pending = new Map<string, string>(); // point labels → its `_created` lines
  for (const sample of created.samples) {
    const labels = renderLabels(sample.labels);
    pending.set(labels, (pending.get(labels) ?? "") + omSampleLine(`${name}_created`, labels, sample));
  }
  const flush = (pointLabels: string): void => {
    const lines = pending.get(pointLabels);
    if (lines === undefined) return;
    out += lines;
    pending.delete(pointLabels);
  };
  // Buckets carry `le` and quantiles `quantile` on top of their point's labels.
  const valueLabel = family.type === "histogram" ? "le" : family.type === "summary" ? "quantile" : "";
  let point: Labels | undefined; // labels of the current point's first sample
  let pointLabels: string | undefined; // the point's labels rendered, once a sample shows them
  for (const sample of family.samples) {
    if (point === undefined || !samePoint(point, sample.labels, valueLabel)) {
      if (point !== undefined) flush(pointLabels ?? renderPointLabels(point, valueLabel));
      point = sample.labels;
      pointLabels = undefined;
    }
    const labels = renderLabels(sample.labels);
    if (pointLabels === undefined && (valueLabel === "" || !Object.hasOwn(sample.labels, valueLabel))) pointLabels = labels;
    out += omSampleLine(sample.name === name ? valueName : sample.name, labels, sample);
  }
  if (point !== undefined) flush(pointLabels ?? renderPointLabels(point, valueLabel));
  for (const lines of pending.values()) out += lines; // created values of points with no other sample
  return out;
}

/**
 * Renders families as OpenMetrics 1.0.0 text ending in `# EOF` (serve with
 * OPENMETRICS_CONTENT_TYPE). Counter families lose `_total` from their name while
 * their samples keep it; untyped becomes `unknown`; `# UNIT` is written when the
 * name ends in `_<unit>`; timestamps are in seconds. A `x_created` gauge family
 * beside counter `x_total` or histogram/summary `x` is folded into that family as
 * its `x_created` samples. A family whose name or sample names collide with an
 * earlier family's is dropped (the later one loses), so the output stays valid.
 *
 * @example writeOpenMetrics([{ name: "jobs_total", help: "", type: "counter", samples: [{ name: "jobs_total", labels: {}, value: 3 }] }]) // "# TYPE jobs counter\njobs_total 3\n# EOF\n"
 */
export function writeOpenMetrics(families: readonly MetricFamily[]): string {
  const names = families.map(omName);
  const folded = findCreatedFamilies(families, names);
  const foldedAway = new Set(folded.values());
  const claims = nameClaims();
  let out = "";
  families.forEach((family, index) => {
    if (foldedAway.has(family)) return;
    const name = names[index] ?? family.name;
    if (claims.clashes(name, family.type)) return;
    claims.claim(name, family.type);
    out += `# TYPE ${name} ${family.type === "untyped" ? "unknown" : family.type}\n`;
    if (family.unit !== undefined && family.unit !== "" && name.endsWith(`_${family.unit}`)) out += `# UNIT ${name} ${family.unit}\n`;
    if (family.help !== "") out += `# HELP ${name} ${escapeHelp(family.help, true)}\n`;
    out += omSamples(family, name, folded.get(index));
  });
  return `${out}# EOF\n`;
}
