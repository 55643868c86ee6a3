/** The JSON view: the Comparison itself (schema `vigil.comparison/v1`), for scripts and dashboards. */
import type { Comparison } from "../comparison-types.ts";

/** Pretty-printed JSON with a trailing newline. */
export function formatJson(comparison: Comparison): string {
  return `${JSON.stringify(comparison, null, 2)}\n`;
}
