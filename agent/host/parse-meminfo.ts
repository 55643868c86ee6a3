/**
 * Parses /proc/meminfo (proc(5)) into entries named the way node_exporter's
 * meminfo collector names them (collector/meminfo_linux.go).
 */
import type { MeminfoEntry } from "../sample.ts";
import { ProcParseError } from "./host-errors.ts";

const FILE = "/proc/meminfo";

/**
 * Parses the text of /proc/meminfo. `kB` lines become bytes (×1024: the kernel's "kB"
 * is KiB); unitless lines (HugePages_Total, HugePages_Free, ...) are counts.
 * `Active(anon)` becomes `Active_anon` as node_exporter's `\((.*)\)` → `_$1` rewrite does.
 * A field seen twice keeps its last value, as node_exporter's map does.
 *
 * @example parseMeminfo("MemTotal: 16 kB\n") // [{ field: "MemTotal", value: 16384, unit: "bytes" }]
 */
export function parseMeminfo(text: string): MeminfoEntry[] {
  const entries = new Map<string, MeminfoEntry>();
  let lineNumber = 0;
  for (const line of text.split("\n")) {
    lineNumber++;
    // node_exporter skips blank lines: some CentOS 6 kernels print them.
    if (line.trim() === "") continue;
    const match = MEMINFO_LINE.exec(line);
    if (match === null) throw new ProcParseError(FILE, `line ${lineNumber}: ${JSON.stringify(line)} is not \`Name: value [kB]\``);
    const [, name = "", number = "", unit] = match;
    const field = fieldName(name);
    const value = Number(number);
    entries.set(field, unit === undefined ? { field, value, unit: "count" } : { field, value: value * 1024, unit: "bytes" });
  }
  if (entries.size === 0) throw new ProcParseError(FILE, "no fields");
  return [...entries.values()];
}

const MEMINFO_LINE = /^([^:\s]+):\s+(\d+)(?:\s+(kB))?\s*$/;

const PLAIN_NAME = /^[A-Za-z0-9_]+$/;

function fieldName(name: string): string {
  // Most names need no rewrite: one test instead of two replaces per line, every sample.
  if (PLAIN_NAME.test(name)) return name;
  // The parenthesis rewrite is node_exporter's; the second replace only guards the
  // metric name against characters no kernel prints today.
  return name.replace(/\((.*)\)/, "_$1").replace(/[^A-Za-z0-9_]/g, "_");
}
