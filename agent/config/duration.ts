/**
 * Durations as operators write them (`500ms`, `1s`, `1m30s`, `1h`) or a bare number
 * in a unit the caller names (seconds for flags; dcgm-exporter's interval is ms).
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;

/**
 * Parses a duration into milliseconds, or returns undefined when the text is not one.
 * @example parseDurationMs("1m30s") // 90000
 * @example parseDurationMs("2", { bareUnit: "s" }) // 2000
 */
export function parseDurationMs(text: string, options: { bareUnit?: "ms" | "s" } = {}): number | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) {
    const value = Number(trimmed);
    return options.bareUnit === "ms" ? value : value * 1_000;
  }
  let totalMs = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < trimmed.length) {
    const start = PART.lastIndex;
    const match = PART.exec(trimmed);
    if (!match || match.index !== start) return undefined;
    totalMs += Number(match[1]) * (UNIT_MS[match[2] as string] as number);
  }
  return totalMs;
}

/** Renders milliseconds back in the flag syntax, for --help and logs. */
export function formatDurationMs(ms: number): string {
  if (ms !== 0 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms !== 0 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1_000 === 0) return `${ms / 1_000}s`;
  return `${ms}ms`;
}
