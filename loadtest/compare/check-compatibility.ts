/**
 * Decides whether two reports can be compared. Refused (`incompatible`): a different schema,
 * scenario name, target model or API, workload (prompts, output tokens, streaming, usage, EOS,
 * extra body), or load shape (executor, rate, VUs, stages, levels, in-flight ceiling); those change
 * what is measured. Warned (`warnings`): a different run length, seed, warm-up, SLO, runner or its
 * client (where chunk times come from), or environment fingerprint (harness and Bun version, host,
 * CPU, target server version, GPU...): the numbers still mean the same thing, but the reader should know.
 */
import type { Report } from "../report/report-types.ts";
import type { FieldDifference } from "./comparison-types.ts";

/** The outcome of the check. */
export interface Compatibility {
  readonly incompatible: readonly FieldDifference[];
  readonly warnings: readonly FieldDifference[];
}

/** Load fields that only say how long to run: a longer candidate is still comparable. */
const LENGTH_FIELDS = new Set(["duration", "durationMs", "requests", "levelDuration", "levelDurationMs", "gracefulStopMs"]);

/** Environment fields that differ on every run or on every commit (the point of comparing). */
const ENVIRONMENT_IGNORED = new Set(["environment.gitCommit", "environment.gitDirty", "environment.target.url", "environment.target.errors"]);

/** `/v1/models` answers with the server's start time in `created`: it differs on every restart and says nothing. */
const CREATED_STAMP = /^environment\.target\.models\..*\bcreated$/;

/** Compares the parts of two reports that decide whether a comparison means anything. */
export function checkCompatibility(baseline: Report, candidate: Report): Compatibility {
  const incompatible: FieldDifference[] = [];
  const warnings: FieldDifference[] = [];
  const refuse = (field: string, a: unknown, b: unknown) => {
    if (!deepEqual(a, b)) incompatible.push({ field, baseline: a, candidate: b });
  };
  refuse("schema", baseline.schema, candidate.schema);
  const bs = baseline.scenario as Record<string, unknown>;
  const cs = candidate.scenario as Record<string, unknown>;
  refuse("scenario.name", bs.name, cs.name);
  const bt = asRecord(bs.target);
  const ct = asRecord(cs.target);
  refuse("scenario.target.model", bt.model, ct.model);
  refuse("scenario.target.api", bt.api, ct.api);
  for (const diff of differences("scenario.workload", bs.workload, cs.workload)) incompatible.push(diff);
  for (const diff of differences("scenario.load", bs.load, cs.load)) {
    const leaf = diff.field.split(".").pop() ?? "";
    (LENGTH_FIELDS.has(leaf) ? warnings : incompatible).push(diff);
  }
  for (const field of ["seed", "warmupMs", "slo", "windowMs"] as const) {
    if (!deepEqual(bs[field], cs[field])) warnings.push({ field: `scenario.${field}`, baseline: bs[field], candidate: cs[field] });
  }
  if (baseline.run.runner !== candidate.run.runner) warnings.push({ field: "run.runner", baseline: baseline.run.runner, candidate: candidate.run.runner });
  // Reports from before run.client existed have none: only two that both say are compared.
  if (baseline.run.client && candidate.run.client) for (const diff of differences("run.client", baseline.run.client, candidate.run.client)) warnings.push(diff);
  for (const diff of differences("environment", baseline.run.environment, candidate.run.environment)) {
    if (![...ENVIRONMENT_IGNORED].some((ignored) => diff.field === ignored || diff.field.startsWith(`${ignored}.`)) && !CREATED_STAMP.test(diff.field)) warnings.push(diff);
  }
  return { incompatible, warnings };
}

/** Leaf-level differences between two JSON values, as dotted paths under `prefix`. */
export function differences(prefix: string, a: unknown, b: unknown): FieldDifference[] {
  if (deepEqual(a, b)) return [];
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) return a.flatMap((item, i) => differences(`${prefix}.${i}`, item, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((key) => differences(`${prefix}.${key}`, a[key], b[key]));
  }
  return [{ field: prefix, baseline: a, candidate: b }];
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/** JSON with sorted keys, so key order never makes two equal objects differ. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (isPlainObject(value)) return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical(value[k])]));
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function asRecord(value: unknown): Record<string, unknown> {
  return isPlainObject(value) ? value : {};
}
