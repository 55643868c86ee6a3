/**
 * Reads k6's `--out json` NDJSON (loadtest-anchors §5). Two line shapes exist and both are accepted:
 * the documented one (`Metric` data with `tainted`, no `name`; `Point` data without `metadata`) and the
 * one the current writer prints (`Metric` data with `name`, no `tainted`; `Point` data with `metadata`).
 * Point times are RFC3339Nano and kept to the nanosecond digit k6 wrote (as fractional epoch ms). Pure.
 */

/** A Metric line: the metric's type and the thresholds k6 had on it. */
export interface K6MetricInfo {
  readonly name: string;
  readonly type: string;
  /** `time` (values in ms), `data` (bytes) or `default`. */
  readonly contains: string;
  readonly thresholds: readonly string[];
}

/** A Point line. */
export interface K6Point {
  readonly metric: string;
  /** Epoch milliseconds, fractional (sub-ms digits of the RFC3339Nano time kept). */
  readonly timeMs: number;
  readonly value: number;
  readonly tags: Readonly<Record<string, string>>;
  /** `data.metadata` (current writer), else empty. */
  readonly metadata: Readonly<Record<string, string>>;
}

/** Everything a k6 results file held. */
export interface K6Results {
  readonly metrics: ReadonlyMap<string, K6MetricInfo>;
  /** Points in file order. */
  readonly points: readonly K6Point[];
  /** Lines skipped: a last line cut mid-write (k6 killed), lines of an unknown `type`. */
  readonly skipped: ReadonlyArray<{ readonly source: string; readonly line: number; readonly reason: string }>;
}

/** A results file that cannot be read as k6 NDJSON; the message names the line. */
export class K6ResultsError extends Error {
  override readonly name = "K6ResultsError";
}

const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/i;

/** RFC3339Nano to fractional epoch ms (`Date.parse` would drop every digit after the millisecond); NaN when malformed. */
export function parseRfc3339Ms(text: string): number {
  const match = RFC3339.exec(text);
  if (match === null) return Number.NaN;
  const seconds = Date.parse(`${match[1]}${match[3] === "z" ? "Z" : match[3]}`);
  const fraction = match[2] === undefined ? 0 : Number(`0.${match[2]}`) * 1000;
  return seconds + fraction;
}

function stringRecord(value: unknown): Record<string, string> {
  if (value === null || typeof value !== "object") return {};
  const out: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value as Record<string, unknown>)) if (entry !== null && entry !== undefined) out[key] = String(entry);
  return out;
}

/**
 * Parses the NDJSON text.
 * @throws K6ResultsError on a malformed line (other than a cut last line) or a file with no points.
 */
export function parseK6Ndjson(text: string, source: string): K6Results {
  const metrics = new Map<string, K6MetricInfo>();
  const points: K6Point[] = [];
  const skipped: Array<{ source: string; line: number; reason: string }> = [];
  const lines = text.split("\n");
  const lastContentLine = lines.findLastIndex((line) => line.trim() !== "");
  for (let i = 0; i < lines.length; i++) {
    const raw = (lines[i] as string).trim();
    if (raw === "") continue;
    const lineNumber = i + 1;
    let parsed: { type?: unknown; metric?: unknown; data?: Record<string, unknown> };
    try {
      parsed = JSON.parse(raw) as typeof parsed;
    } catch {
      if (i === lastContentLine && !text.endsWith("\n")) {
        skipped.push({ source, line: lineNumber, reason: "last line cut mid-write (k6 stopped while writing)" });
        continue;
      }
      throw new K6ResultsError(`${source}:${lineNumber}: not JSON: ${raw.slice(0, 80)}`);
    }
    const data = parsed.data;
    if (typeof parsed.metric !== "string" || data === null || typeof data !== "object") throw new K6ResultsError(`${source}:${lineNumber}: not a k6 line (needs "type", "metric" and "data")`);
    if (parsed.type === "Metric") {
      const name = typeof data.name === "string" ? data.name : parsed.metric;
      metrics.set(name, { name, type: String(data.type ?? ""), contains: String(data.contains ?? "default"), thresholds: Array.isArray(data.thresholds) ? data.thresholds.map(String) : [] });
    } else if (parsed.type === "Point") {
      const timeMs = parseRfc3339Ms(String(data.time ?? ""));
      const value = typeof data.value === "number" ? data.value : Number.NaN;
      if (!Number.isFinite(timeMs)) throw new K6ResultsError(`${source}:${lineNumber}: point time ${JSON.stringify(data.time)} is not RFC3339`);
      if (!Number.isFinite(value)) throw new K6ResultsError(`${source}:${lineNumber}: point value ${JSON.stringify(data.value)} is not a number`);
      points.push({ metric: parsed.metric, timeMs, value, tags: stringRecord(data.tags), metadata: stringRecord(data.metadata) });
    } else skipped.push({ source, line: lineNumber, reason: `unknown line type ${JSON.stringify(parsed.type)}` });
  }
  if (points.length === 0) throw new K6ResultsError(`${source}: no k6 points (is it the file k6 wrote with --out json=...?)`);
  return { metrics, points, skipped };
}

/**
 * The results of several k6 instances as one (k6-operator runs one per pod, each writing its own file):
 * points of all files, so percentiles come from every raw point, not from per-instance summaries. A
 * request's points all come from one instance, so its id is made unique per file (`<file>/<id>`).
 */
export function concatK6Results(files: readonly K6Results[], requestKey: string): K6Results {
  if (files.length === 1) return files[0] as K6Results;
  const metrics = new Map<string, K6MetricInfo>();
  const points: K6Point[] = [];
  for (const [index, file] of files.entries()) {
    for (const [name, info] of file.metrics) if (!metrics.has(name)) metrics.set(name, info);
    for (const point of file.points) {
      const id = point.metadata[requestKey] ?? point.tags[requestKey];
      points.push(id === undefined ? point : { ...point, metadata: { ...point.metadata, [requestKey]: `${index}/${id}` } });
    }
  }
  return { metrics, points, skipped: files.flatMap((file) => file.skipped) };
}
