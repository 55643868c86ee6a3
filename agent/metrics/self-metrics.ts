/**
 * The agent's own process metrics (process_cpu_seconds_total, process_resident_memory_bytes,
 * ...) under the standard client-library names, through prom-client.
 *
 * Only this part uses prom-client: it is a directly instrumented registry, which is
 * what prom-client is for. The host, GPU and vLLM families are views of a Sample,
 * rendered by our own writer, because prom-client cannot re-expose another
 * server's histograms unchanged and its registry serves one content type only
 * (reference/agent-anchors.md §5). prom-client's collectDefaultMetrics() is not
 * used: it cost 4.3 ms per collect under Bun here, more than a whole scrape budget.
 */
import { Counter, Gauge, Registry } from "prom-client";
import type { MetricFamily, MetricSample, MetricType } from "../exposition/family.ts";
import { readProcess } from "../host/read-process.ts";

/** A prom-client registry holding the agent's process_* metrics, read on each collect. */
export class SelfMetrics {
  readonly #registry = new Registry();

  constructor(procRoot: string) {
    const registry = this.#registry;
    const pid = process.pid;
    let last: Awaited<ReturnType<typeof readProcess>> = null;
    // One /proc/self read feeds every gauge of one collect (prom-client calls collect() per metric).
    let pending: Promise<unknown> | null = null;
    let bootTimeSeconds: number | null = null;
    const refresh = () =>
      (pending ??= readBootTime(procRoot, bootTimeSeconds)
        .then((btime) => {
          bootTimeSeconds = btime;
          return readProcess(pid, { procRoot, target: "", bootTimeSeconds: btime });
        })
        .then((reading) => {
          last = reading;
        })
        .finally(() => {
          pending = null;
        }));
    const cpu = new Counter({ name: "process_cpu_seconds_total", help: "Total user and system CPU time spent in seconds.", registers: [registry], async collect() {
      await refresh();
      if (last) {
        this.reset();
        this.inc(last.cpuSecondsTotal);
      }
    } });
    const gauge = (name: string, help: string, pick: (r: NonNullable<typeof last>) => number) =>
      new Gauge({ name, help, registers: [registry], async collect() {
        await refresh();
        if (last) this.set(pick(last));
      } });
    gauge("process_resident_memory_bytes", "Resident memory size in bytes.", (r) => r.residentMemoryBytes);
    gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", (r) => r.virtualMemoryBytes);
    gauge("process_open_fds", "Number of open file descriptors.", (r) => r.openFds);
    gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", (r) => r.startTimeSeconds);
    gauge("process_threads", "Number of OS threads in the process.", (r) => r.threads);
    void cpu;
  }

  /** The registry's metrics in our family model, for the shared writer. */
  async families(): Promise<MetricFamily[]> {
    const metrics = await this.#registry.getMetricsAsJSON();
    return metrics.map((metric) => ({
      name: metric.name,
      help: metric.help,
      // prom-client's JSON carries the type as its text name ("counter", "gauge") at run time.
      type: String(metric.type) as MetricType,
      samples: metric.values.map((v): MetricSample => ({ name: (v as { metricName?: string }).metricName ?? metric.name, labels: stringLabels(v.labels), value: v.value })),
    }));
  }
}

function stringLabels(labels: Partial<Record<string, string | number>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels)) if (value !== undefined) out[key] = String(value);
  return out;
}

/** btime from /proc/stat, read once: it does not change while the machine is up. */
async function readBootTime(procRoot: string, known: number | null): Promise<number> {
  if (known !== null) return known;
  const stat = await Bun.file(`${procRoot}/stat`).text();
  return Number(/^btime (\d+)$/m.exec(stat)?.[1] ?? 0);
}
