/** Small HTML builders shared by the report's sections. */
import { escapeHtml } from "./escape-html.ts";
import { formatValue, type ValueUnit } from "./format-value.ts";

/**
 * A number from the report, formatted, tagged with its JSON path and unit (`data-path`, `data-unit`)
 * so a test can check that what the page shows is what the JSON holds.
 */
export function num(value: number | null | undefined, unit: ValueUnit, path: string): string {
  return `<span class="num" data-path="${escapeHtml(path)}" data-unit="${escapeHtml(unit)}">${escapeHtml(numText(value, unit))}</span>`;
}

/** The text {@link num} shows: `—` for a harness field that does not apply (null), else the formatted value. */
export function numText(value: number | null | undefined, unit: ValueUnit): string {
  return value === null || value === undefined ? "—" : formatValue(value, unit);
}

/** A definition list of label/value pairs (values are HTML). */
export function dl(rows: readonly (readonly [string, string])[]): string {
  return `<dl>${rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${v}</dd>`).join("")}</dl>`;
}

/** A table; header cells are text, body cells HTML. */
export function table(head: readonly string[], rows: readonly (readonly string[])[], className = ""): string {
  return `<div class="scroll"><table${className ? ` class="${className}"` : ""}><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => (c.startsWith("<td") ? c : `<td>${c}</td>`)).join("")}</tr>`)
    .join("")}</tbody></table></div>`;
}

/** Reads a dotted path (`summary.ttftMs.p95`, `thresholds.0.actual`) from a JSON value. */
export function readPath(root: unknown, path: string): unknown {
  let node: unknown = root;
  for (const key of path.split(".")) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}
