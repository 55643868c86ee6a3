/**
 * `bun run sim` as a user runs it: it serves, promtool parses its /metrics, and the
 * compiled agent (`dist/vigil-agent --vllm <sim> --once`) scrapes it cleanly and sees
 * the values the simulator served. Stopped by PID with SIGTERM.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countTokens } from "../loadtest/sim/tokenizer.ts";
import { runAgent } from "./support/agent-process.ts";
import { findTool } from "./support/require-tool.ts";
import { promtoolCheckMetrics } from "./support/promtool-check.ts";

const ROOT = new URL("..", import.meta.url).pathname;
let proc: ReturnType<typeof Bun.spawn> | undefined;
let url = "";
let log = "";

beforeAll(async () => {
  proc = Bun.spawn([process.execPath, "loadtest/sim/main.ts", "--port", "0", "--seed", "5", "--time-scale", "0.2", "--max-num-seqs", "8"], { cwd: ROOT, stdout: "ignore", stderr: "pipe" });
  const reader = (proc.stderr as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const until = Date.now() + 15_000;
  while (Date.now() < until) {
    const { done, value } = await reader.read();
    if (done) break;
    log += decoder.decode(value, { stream: true });
    const match = /msg="Serving simulated vLLM" url=(\S+)/.exec(log);
    if (match) {
      url = match[1] as string;
      break;
    }
  }
  reader.releaseLock();
  if (url === "") throw new Error(`simulator did not start; log:\n${log}`);
});

afterAll(async () => {
  if (proc && proc.exitCode === null) {
    proc.kill("SIGTERM");
    await proc.exited;
  }
});

describe("bun run sim", () => {
  it("serves completions from the command line", async () => {
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${url}/v1/completions`, { method: "POST", body: JSON.stringify({ prompt: `request number ${i}`, max_tokens: 5, ignore_eos: true }) });
      expect(response.status).toBe(200);
    }
  });

  it("has a /metrics body promtool parses (only vLLM's own name style is flagged)", async () => {
    const promtool = findTool("promtool");
    if (!promtool) return;
    const body = await (await fetch(`${url}/metrics`)).text();
    const check = promtoolCheckMetrics(promtool, body);
    expect(check.output).not.toMatch(/error|parse/i);
    const problems = check.lines;
    // vLLM names contain ':' and its iteration_tokens_total histogram ends in _total: both are vLLM's choice.
    for (const line of problems) expect(line).toMatch(/^vllm:\S+ (metric names should not contain ':'|non-counter metrics should not have "_total" suffix)$/);
    expect(check.exitCode === 0 || check.exitCode === 3).toBe(true);
  });

  it("is scraped cleanly by the compiled agent, which sees the values served", async () => {
    const result = await runAgent(["--once", "--vllm", url]);
    expect(result.exitCode).toBe(0);
    const sample = JSON.parse(result.stdout) as { vllm: { up: boolean; summary: Record<string, unknown> | null }[]; errors: unknown[] };
    expect(sample.vllm[0]?.up).toBe(true);
    expect(sample.vllm[0]?.summary).toMatchObject({ requestsRunning: 0, requestsWaiting: 0, requestSuccessTotal: 3, generationTokensTotal: 15, promptTokensTotal: 3 * countTokens("request number 0") });
    expect((sample.vllm[0]?.summary?.timeToFirstTokenSeconds as { count: number }).count).toBe(3);
    const text = await runAgent(["--once", "--format", "prometheus", "--vllm", url]);
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toContain('vllm:request_success_total{engine="0",finished_reason="length",model_name="meta-llama/Llama-3.1-8B-Instruct"} 3');
  });

  it("exits 2 with one clear line on a bad flag", async () => {
    const bad = Bun.spawn([process.execPath, "loadtest/sim/main.ts", "--max-num-seqs", "lots"], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
    const [stderr, exitCode] = await Promise.all([new Response(bad.stderr).text(), bad.exited]);
    expect(exitCode).toBe(2);
    expect(stderr).toBe('vigil-sim: --max-num-seqs must be a non-negative integer: got "lots"\n');
  });

  it("stops on SIGTERM with exit 0", async () => {
    proc?.kill("SIGTERM");
    expect(await proc?.exited).toBe(0);
  });
});
