/**
 * Parses /proc/stat (proc(5)) into per-CPU seconds by mode and the kernel
 * counters node_exporter's cpu and stat collectors export.
 */
import type { CpuMode, CpuReading, KernelStatReading } from "../sample.ts";
import { ProcParseError } from "./host-errors.ts";

/**
 * Ticks per second of the times in /proc/stat. proc(5): "units of USER_HZ (1/100ths
 * of a second on most architectures)"; the kernel fixes USER_HZ at 100 for userspace
 * on every architecture Linux supports today, and node_exporter divides by 100 too.
 */
export const USER_HZ = 100;

/** The parts of /proc/stat the host source uses. */
export interface ProcStat {
  /** One entry per online CPU, in file order; not yet clamped monotonic. */
  readonly cpus: readonly CpuReading[];
  readonly stat: KernelStatReading;
}

// Column order of a `cpuN` line after the name (proc(5)); older kernels stop early
// (steal since 2.6.11, guest since 2.6.24, guest_nice since 2.6.33), missing columns are 0.
const CPU_COLUMNS = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"] as const satisfies readonly CpuMode[];

const FILE = "/proc/stat";

/**
 * Parses the text of /proc/stat. The aggregate `cpu ` line is ignored: per-CPU series
 * sum to it, and node_exporter exports only those.
 *
 * @example parseProcStat(await Bun.file("/proc/stat").text()).stat.bootTimeSeconds
 */
export function parseProcStat(text: string): ProcStat {
  const cpus: CpuReading[] = [];
  const values = new Map<string, number>();
  let lineNumber = 0;
  for (const line of text.split("\n")) {
    lineNumber++;
    if (line.startsWith("cpu")) {
      const cpu = parseCpuLine(line, lineNumber);
      if (cpu !== null) cpus.push(cpu);
      continue;
    }
    const space = line.indexOf(" ");
    if (space <= 0) continue;
    const key = line.slice(0, space);
    if (!KERNEL_KEYS.has(key)) continue;
    // `intr` is followed by one column per IRQ (thousands on big hosts): only the first is the total.
    const nextSpace = line.indexOf(" ", space + 1);
    const field = line.slice(space + 1, nextSpace === -1 ? undefined : nextSpace);
    values.set(key, parseNumber(field, lineNumber));
  }
  if (cpus.length === 0) throw new ProcParseError(FILE, "no per-CPU `cpuN` line");
  const required = (key: string): number => {
    const value = values.get(key);
    if (value === undefined) throw new ProcParseError(FILE, `missing the \`${key}\` line`);
    return value;
  };
  return {
    cpus,
    stat: {
      contextSwitchesTotal: required("ctxt"),
      interruptsTotal: required("intr"),
      forksTotal: required("processes"),
      procsRunning: required("procs_running"),
      procsBlocked: required("procs_blocked"),
      bootTimeSeconds: required("btime"),
    },
  };
}

const KERNEL_KEYS = new Set(["ctxt", "intr", "processes", "procs_running", "procs_blocked", "btime"]);

function parseCpuLine(line: string, lineNumber: number): CpuReading | null {
  const fields = line.split(/\s+/);
  const name = fields[0] ?? "";
  if (name === "cpu") return null;
  const cpu = name.slice(3);
  if (!/^\d+$/.test(cpu)) throw new ProcParseError(FILE, `line ${lineNumber}: unexpected CPU name ${JSON.stringify(name)}`);
  // user, nice, system and idle exist on every kernel; fewer columns means a broken line.
  if (fields.length < 5) throw new ProcParseError(FILE, `line ${lineNumber}: expected at least 4 times for ${name}, got ${fields.length - 1}`);
  const seconds = (index: number): number => {
    const field = fields[index + 1];
    return field === undefined || field === "" ? 0 : parseNumber(field, lineNumber) / USER_HZ;
  };
  const secondsByMode = {} as Record<CpuMode, number>;
  CPU_COLUMNS.forEach((mode, index) => {
    secondsByMode[mode] = seconds(index);
  });
  return { cpu, secondsByMode, guestSeconds: seconds(8), guestNiceSeconds: seconds(9) };
}

function parseNumber(field: string, lineNumber: number): number {
  const value = Number(field);
  if (field === "" || !Number.isFinite(value)) throw new ProcParseError(FILE, `line ${lineNumber}: ${JSON.stringify(field)} is not a number`);
  return value;
}
