/**
 * What a recording holds: per sample, its time and one value per series, a series
 * being one line of /metrics (`name{label="value"}`), with its family's type so that
 * `export --rates` knows counters and histograms.
 */
import type { Labels, MetricFamily, MetricType } from "../../exposition/family.ts";

/** One series' value in one sample. */
export interface RecordedPoint {
  /** `name{a="1",b="2"}` with labels sorted by name: the same series always has the same key. */
  readonly series: string;
  readonly family: string;
  readonly type: MetricType;
  readonly value: number;
}

export interface RecordedSample {
  readonly timeMs: number;
  readonly points: readonly RecordedPoint[];
}

/** The stable key of a series. */
export function seriesKey(name: string, labels: Labels): string {
  const names = Object.keys(labels).sort();
  if (names.length === 0) return name;
  return `${name}{${names.map((n) => `${n}=${JSON.stringify(labels[n] ?? "")}`).join(",")}}`;
}

/** Splits a series key back into its name and labels. */
export function parseSeriesKey(series: string): { name: string; labels: Record<string, string> } {
  const brace = series.indexOf("{");
  if (brace === -1) return { name: series, labels: {} };
  const labels: Record<string, string> = {};
  const body = series.slice(brace + 1, -1);
  const pair = /([a-zA-Z_][a-zA-Z0-9_]*)=("(?:[^"\\]|\\.)*")/g;
  for (let match = pair.exec(body); match; match = pair.exec(body)) labels[match[1] as string] = JSON.parse(match[2] as string) as string;
  return { name: series.slice(0, brace), labels };
}

/** Flattens families into points, keeping only the families `include` accepts. */
export function recordedSampleOf(timeMs: number, families: readonly MetricFamily[], include: (family: string) => boolean): RecordedSample {
  const points: RecordedPoint[] = [];
  for (const family of families) {
    if (!include(family.name)) continue;
    for (const sample of family.samples) points.push({ series: seriesKey(sample.name, sample.labels), family: family.name, type: family.type, value: sample.value });
  }
  return { timeMs, points };
}

/** Values as the exposition writes them, for text formats (JSON has no NaN or Infinity). */
export function formatRecordedValue(value: number): string {
  if (Number.isFinite(value)) return String(value);
  return Number.isNaN(value) ? "NaN" : value > 0 ? "+Inf" : "-Inf";
}

/** The inverse of formatRecordedValue; an empty cell is NaN. */
export function parseRecordedValue(text: string | number | null): number {
  if (typeof text === "number") return text;
  if (text === null || text === "" || text === "NaN") return NaN;
  if (text === "+Inf" || text === "Inf") return Infinity;
  if (text === "-Inf") return -Infinity;
  return Number(text);
}

/**
 * The family and type of a series when a format does not store them (CSV): the
 * naming rules of the exposition formats (`_total` counters, `_bucket`/`_sum`/`_count` histograms).
 */
export function inferFamily(name: string, histogramBases: ReadonlySet<string>): { family: string; type: MetricType } {
  for (const suffix of ["_bucket", "_sum", "_count"]) {
    if (name.endsWith(suffix) && histogramBases.has(name.slice(0, -suffix.length))) return { family: name.slice(0, -suffix.length), type: "histogram" };
  }
  if (name.endsWith("_total")) return { family: name, type: "counter" };
  return { family: name, type: "gauge" };
}
