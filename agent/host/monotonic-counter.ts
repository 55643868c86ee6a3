/**
 * Keeps counters from going backwards, with node_exporter's CPU rule
 * (collector/cpu_linux.go updateCPUStats): some hypervisors and kernels let
 * /proc/stat times step back a little, which rate() would read as a counter reset.
 */
import type { CpuMode, CpuReading } from "../sample.ts";

/** The hotplug-reset rule of MonotonicCounters; without `resetField` keys are never reset. */
export interface MonotonicCountersOptions<F extends string> {
  /**
   * The field whose large backward jump means "this key restarted" (node_exporter: a
   * CPU's idle time; a hot-unplugged and re-plugged CPU starts counting from zero).
   */
  readonly resetField?: F;
  /** How far `resetField` must go back to reset the key's cache; node_exporter's jumpBackSeconds is 3. */
  readonly resetJumpBack?: number;
}

/**
 * A cache of keyed counter sets (key: a CPU; fields: its modes). `clamp()` returns
 * each field as max(previous, new): a value that goes backwards keeps the old value.
 * When `resetField` goes back by at least `resetJumpBack`, the key's cache is dropped
 * first and the new values are taken as they are.
 *
 * @example
 * const counters = new MonotonicCounters<"idle" | "user">({ resetField: "idle", resetJumpBack: 3 });
 * counters.clamp("0", { idle: 10, user: 5 });
 * counters.clamp("0", { idle: 9.99, user: 5.1 }); // { idle: 10, user: 5.1 }
 */
export class MonotonicCounters<F extends string> {
  readonly #cache = new Map<string, Record<F, number>>();
  readonly #resetField: F | undefined;
  readonly #resetJumpBack: number;

  constructor(options: MonotonicCountersOptions<F> = {}) {
    const { resetField, resetJumpBack = 3 } = options;
    if (!(resetJumpBack > 0)) throw new RangeError(`Cannot create MonotonicCounters as 'resetJumpBack' must be positive: current value is ${resetJumpBack}`);
    this.#resetField = resetField;
    this.#resetJumpBack = resetJumpBack;
  }

  /** Clamps one key's values against what was seen before and remembers the result. */
  clamp(key: string, values: Readonly<Record<F, number>>): Record<F, number> {
    let previous = this.#cache.get(key);
    const resetField = this.#resetField;
    if (previous !== undefined && resetField !== undefined && previous[resetField] - values[resetField] >= this.#resetJumpBack) {
      previous = undefined;
    }
    const clamped: Record<F, number> = { ...values };
    if (previous !== undefined) {
      for (const field of Object.keys(values) as F[]) {
        const before = previous[field];
        if (before !== undefined && values[field] < before) clamped[field] = before;
      }
    }
    this.#cache.set(key, clamped);
    return { ...clamped };
  }

  /** Forgets keys not in `keys` (node_exporter drops CPUs that went offline). */
  retainOnly(keys: ReadonlySet<string>): void {
    for (const key of this.#cache.keys()) if (!keys.has(key)) this.#cache.delete(key);
  }

  /** Number of keys cached. */
  get size(): number {
    return this.#cache.size;
  }
}

type CpuField = CpuMode | "guest" | "guestNice";

/**
 * Returns a function that clamps CPU readings monotonic per CPU, guest times included,
 * with the idle ≥ 3 s hotplug reset. Keep one per host source: it holds the previous sample.
 */
export function createCpuClamp(): (cpus: readonly CpuReading[]) => CpuReading[] {
  const counters = new MonotonicCounters<CpuField>({ resetField: "idle", resetJumpBack: 3 });
  return function clampCpus(cpus) {
    counters.retainOnly(new Set(cpus.map((cpu) => cpu.cpu)));
    return cpus.map((cpu) => {
      const { guest, guestNice, ...secondsByMode } = counters.clamp(cpu.cpu, { ...cpu.secondsByMode, guest: cpu.guestSeconds, guestNice: cpu.guestNiceSeconds });
      return { cpu: cpu.cpu, secondsByMode, guestSeconds: guest, guestNiceSeconds: guestNice };
    });
  };
}
