/**
 * Collects every problem of a scenario with its field path (`load.rate: must be > 0, got -3`),
 * so a file with three mistakes gets three lines instead of one at a time.
 */
import { parseDurationMs } from "../../agent/config/duration.ts";

/** The problem list that validators append to. */
export class Problems {
  readonly #lines: string[] = [];

  /** Adds `path: message`. */
  add(path: string, message: string): void {
    this.#lines.push(`${path}: ${message}`);
  }

  get lines(): readonly string[] {
    return this.#lines;
  }

  get empty(): boolean {
    return this.#lines.length === 0;
  }
}

/** Renders a value for a message: strings quoted, objects as JSON, the rest as is. */
export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === undefined) return "nothing";
  if (typeof value === "object" && value !== null) {
    const text = JSON.stringify(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  }
  return String(value);
}

/** Options of {@link readNumber}. */
export interface NumberRule {
  /** Value must be > this. */
  readonly gt?: number;
  /** Value must be >= this. */
  readonly min?: number;
  /** Value must be <= this. */
  readonly max?: number;
  readonly integer?: boolean;
}

/** Checks a number field; returns it, or undefined after adding a problem. Absent: returns `fallback` (a problem when none). */
export function readNumber(value: unknown, path: string, problems: Problems, rule: NumberRule, fallback?: number): number | undefined {
  if (value === undefined) {
    if (fallback === undefined) problems.add(path, "is required");
    return fallback;
  }
  if (typeof value !== "number" || !Number.isFinite(value)) {
    problems.add(path, `must be a number, got ${show(value)}`);
    return undefined;
  }
  if (rule.integer && !Number.isInteger(value)) problems.add(path, `must be an integer, got ${value}`);
  else if (rule.gt !== undefined && !(value > rule.gt)) problems.add(path, `must be > ${rule.gt}, got ${value}`);
  else if (rule.min !== undefined && value < rule.min) problems.add(path, `must be >= ${rule.min}, got ${value}`);
  else if (rule.max !== undefined && value > rule.max) problems.add(path, `must be <= ${rule.max}, got ${value}`);
  else return value;
  return undefined;
}

/** Checks a duration (`"30s"` or ms); absent returns `fallback` (a problem when none). Must be >= 0, or > 0 with `positive`. */
export function readDurationMs(value: unknown, path: string, problems: Problems, options: { fallback?: number; positive?: boolean } = {}): number | undefined {
  if (value === undefined) {
    if (options.fallback === undefined) problems.add(path, "is required");
    return options.fallback;
  }
  let ms: number | undefined;
  if (typeof value === "number" && Number.isFinite(value)) ms = value;
  else if (typeof value === "string") ms = parseDurationMs(value);
  if (ms === undefined || ms < 0) {
    problems.add(path, `must be a duration like "30s", "1m30s", "500ms" or a number of ms, got ${show(value)}`);
    return undefined;
  }
  if (options.positive && ms === 0) {
    problems.add(path, `must be > 0, got ${show(value)}`);
    return undefined;
  }
  return ms;
}

/** Checks a string field (non-empty). */
export function readString(value: unknown, path: string, problems: Problems, fallback?: string): string | undefined {
  if (value === undefined) {
    if (fallback === undefined) problems.add(path, "is required");
    return fallback;
  }
  if (typeof value !== "string" || value === "") {
    problems.add(path, `must be a non-empty string, got ${show(value)}`);
    return undefined;
  }
  return value;
}

/** Checks one of a few strings. */
export function readChoice<T extends string>(value: unknown, path: string, problems: Problems, choices: readonly T[], fallback?: T): T | undefined {
  if (value === undefined) {
    if (fallback === undefined) problems.add(path, `is required (one of ${choices.join(", ")})`);
    return fallback;
  }
  if (typeof value !== "string" || !choices.includes(value as T)) {
    problems.add(path, `must be one of ${choices.map((c) => JSON.stringify(c)).join(", ")}, got ${show(value)}`);
    return undefined;
  }
  return value as T;
}

/** Checks a boolean field. */
export function readBoolean(value: unknown, path: string, problems: Problems, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") {
    problems.add(path, `must be true or false, got ${show(value)}`);
    return fallback;
  }
  return value;
}

/** True for a plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Adds a problem for each key not in `known` (typos like `durration`). */
export function rejectUnknownKeys(value: Record<string, unknown>, path: string, problems: Problems, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) problems.add(path === "" ? key : `${path}.${key}`, `unknown field (known: ${known.join(", ")})`);
  }
}
