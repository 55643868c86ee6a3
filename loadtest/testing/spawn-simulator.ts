/**
 * Test support: starts the simulator as its own process (`bun loadtest/sim/main.ts --port 0 ...`),
 * so its timing does not share an event loop with the harness under test, and stops it by PID.
 * Ground truth and counters come over its admin API (/sim/requests, /sim/counters).
 */
import type { SimCounters, SimRequestRecord } from "../sim/start-simulator.ts";

/** A simulator child process. */
export interface SpawnedSimulator extends AsyncDisposable {
  readonly url: string;
  readonly pid: number;
  counters(): Promise<SimCounters>;
  records(): Promise<SimRequestRecord[]>;
  metricsText(): Promise<string>;
  stop(): Promise<void>;
}

const ROOT = new URL("../..", import.meta.url).pathname;

/** How to start it: `prefix` goes in front of the command (e.g. `["taskset", "-c", "0"]` to pin it to one CPU). */
export interface SpawnOptions {
  readonly prefix?: readonly string[];
}

/** Spawns the simulator with CLI flags (e.g. `["--max-num-seqs", "2"]`) and waits for its URL. */
export async function spawnSimulator(args: readonly string[] = [], options: SpawnOptions = {}): Promise<SpawnedSimulator> {
  const child = Bun.spawn([...(options.prefix ?? []), process.execPath, `${ROOT}loadtest/sim/main.ts`, "--port", "0", ...args], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  const url = await readUrl(child);
  const getJson = async <T>(path: string): Promise<T> => (await (await fetch(url + path)).json()) as T;
  const stop = async () => {
    if (child.exitCode === null && !child.killed) child.kill("SIGTERM");
    await child.exited;
  };
  return {
    url,
    pid: child.pid,
    counters: () => getJson<SimCounters>("/sim/counters"),
    records: () => getJson<SimRequestRecord[]>("/sim/requests"),
    metricsText: async () => (await fetch(`${url}/metrics`)).text(),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

async function readUrl(child: Bun.Subprocess<"ignore", "pipe", "pipe">): Promise<string> {
  const decoder = new TextDecoder();
  let seen = "";
  const timeout = setTimeout(() => child.kill("SIGKILL"), 15_000);
  const reader = child.stderr.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      seen += decoder.decode(value);
      const match = /url=(http:\/\/[^\s"]+)/.exec(seen);
      if (match) {
        // Keep draining stderr so the child never blocks on a full pipe.
        void drain(reader);
        return match[1] as string;
      }
    }
  } finally {
    clearTimeout(timeout);
  }
  const stdout = await new Response(child.stdout).text();
  throw new Error(`the simulator did not start: ${seen}${stdout}`);
}

async function drain(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  // Discard: only the first line (the URL) matters to tests.
  while (!(await reader.read()).done);
}
