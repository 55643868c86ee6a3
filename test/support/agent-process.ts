/**
 * Starts the compiled agent (dist/vigil-agent) on 127.0.0.1 port 0 and stops it by
 * its PID. Logs are kept so tests can assert on what an operator would read.
 */
import type { Subprocess } from "bun";

export const AGENT_BINARY = new URL("../../dist/vigil-agent", import.meta.url).pathname;

export interface RunningAgent extends AsyncDisposable {
  readonly url: string;
  readonly process: Subprocess<"ignore", "pipe", "pipe">;
  /** Everything the agent wrote to stderr so far. */
  logs(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number>;
}

/** Spawns the agent with `args` (plus --listen 127.0.0.1:0) and waits until it serves. */
export async function startAgent(args: readonly string[], options: { env?: Record<string, string> } = {}): Promise<RunningAgent> {
  const proc = Bun.spawn([AGENT_BINARY, "--listen", "127.0.0.1:0", ...args], {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: process.env.PATH ?? "", ...options.env },
  });
  let stderr = "";
  const decoder = new TextDecoder();
  const reader = proc.stderr.getReader();
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`agent did not start within 15 s; log:\n${stderr}`)), 15_000);
    void (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          clearTimeout(timer);
          reject(new Error(`agent exited before serving; log:\n${stderr}`));
          return;
        }
        stderr += decoder.decode(value, { stream: true });
        const match = /msg="Serving metrics" url=(\S+)\/metrics/.exec(stderr);
        if (match) {
          clearTimeout(timer);
          resolve(match[1] as string);
        }
      }
    })();
  });
  const stop = async () => {
    if (proc.exitCode === null) proc.kill("SIGTERM");
    return proc.exited;
  };
  return {
    url,
    process: proc,
    logs: () => stderr,
    stop,
    async [Symbol.asyncDispose]() {
      await stop();
    },
  };
}

/**
 * Runs the binary to completion (for --once, --help, bad flags). Asynchronous on purpose:
 * a blocking spawn would freeze this test process and any fixture server it runs.
 */
export async function runAgent(args: readonly string[], options: { env?: Record<string, string> } = {}): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn([AGENT_BINARY, ...args], { env: { PATH: process.env.PATH ?? "", ...options.env }, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { exitCode, stdout, stderr };
}

/** Resident set size of a process in bytes, from /proc/<pid>/status. */
export async function rssBytes(pid: number): Promise<number> {
  const status = await Bun.file(`/proc/${pid}/status`).text();
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return kb * 1024;
}
