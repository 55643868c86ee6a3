/**
 * Number formatting shared by the HTML report and the findings' wording. Deterministic (fixed
 * en-US grouping, UTC times) so the same report renders the same text on every machine, and so a
 * test can recompute what the page should show from the JSON.
 */

const grouped = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** A unit the formatter knows; anything else is printed after the number. */
export type ValueUnit = "ms" | "ratio" | "percent" | "bytes" | "W" | "°C" | "MHz" | "1/s" | "count" | "bitmask" | string;

/** Milliseconds, switching to seconds at 1 s: `0.42 ms`, `80.1 ms`, `812 ms`, `1.90 s`. */
export function formatMs(ms: number): string {
  const a = Math.abs(ms);
  if (a >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (a >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (a >= 100) return `${ms.toFixed(0)} ms`;
  if (a >= 10) return `${trimZeros(ms.toFixed(1))} ms`;
  return `${trimZeros(ms.toFixed(2))} ms`;
}

/** A plain number with 3 significant digits below 1000 and grouping above: `0.973`, `12.5`, `1,234`. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const a = Math.abs(value);
  if (a >= 1000) return grouped.format(value);
  if (Number.isInteger(value)) return String(value);
  if (a >= 100) return value.toFixed(0);
  if (a >= 10) return value.toFixed(1);
  if (a >= 1) return value.toFixed(2);
  if (a === 0) return "0";
  return value.toPrecision(2);
}

/** `80.0` -> `80`, `1.50` -> `1.5`. */
function trimZeros(text: string): string {
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

/** Bytes in binary units: `512 B`, `3.2 GiB`. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value.toFixed(0)} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** A fraction as a percentage: 0.4 -> `40%`, 0.123 -> `12.3%`. */
export function formatPercent(ratio: number): string {
  const p = ratio * 100;
  return `${Math.abs(p) >= 10 || p === 0 ? p.toFixed(0) : p.toFixed(1)}%`;
}

/** Any value with its unit; null is `missing` (never 0). */
export function formatValue(value: number | null | undefined, unit: ValueUnit): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "missing";
  switch (unit) {
    case "ms":
      return formatMs(value);
    case "ratio":
      return value.toFixed(2);
    case "percent":
      return formatPercent(value);
    case "bytes":
      return formatBytes(value);
    case "bitmask":
      return `0x${Math.round(value).toString(16)}`;
    case "count":
      return formatNumber(value);
    case "1/s":
      return `${formatNumber(value)}/s`;
    default:
      return `${formatNumber(value)} ${unit}`;
  }
}

/** Wall-clock time of day in UTC, `14:02:10`. */
export function formatClock(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(11, 19);
}

/** Full UTC timestamp, `2026-12-01 14:02:10 UTC`. */
export function formatTimestamp(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}
