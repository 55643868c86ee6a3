/**
 * vLLM down, slow, failing, lying or flooding: the agent keeps serving host metrics,
 * says vigil_vllm_up 0, logs one clear line per failure, and its memory stays bounded.
 */
import { describe, expect, it } from "vitest";
import { type FixtureBehaviour, startVllmFixtureServer } from "../scripts/vllm-fixture-server.ts";
import { freePort } from "./support/prometheus-server.ts";
import { rssBytes, startAgent } from "./support/agent-process.ts";

async function scrape(url: string): Promise<string> {
  const response = await fetch(`${url}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

async function waitForLog(read: () => string, pattern: RegExp, timeoutMs = 10_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const match = pattern.exec(read());
    if (match) return match[0];
    await Bun.sleep(50);
  }
  throw new Error(`no log line matching ${pattern} within ${timeoutMs} ms; log:\n${read()}`);
}

describe("a vLLM target that misbehaves", () => {
  it("that is down: host metrics still served, vigil_vllm_up 0, one log line", async () => {
    const port = await freePort();
    await using agent = await startAgent(["--vllm", `http://127.0.0.1:${port}`, "--interval", "100ms"]);
    await Bun.sleep(600);
    const body = await scrape(agent.url);
    expect(body).toContain(`vigil_vllm_up{target="127.0.0.1:${port}"} 0`);
    expect(body).toContain('vigil_source_up{source="vllm"} 0');
    expect(body).toContain('vigil_source_up{source="host"} 1');
    expect(body).toMatch(/^node_load1 /m);
    const lines = agent.logs().split("\n").filter((line) => line.includes("Cannot scrape vLLM metrics"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`level=warn msg="Cannot scrape vLLM metrics from http://127.0.0.1:${port}/metrics:`);
    expect(lines[0]).toContain("code=connect");
  });

  it.each<[string, FixtureBehaviour, RegExp]>([
    ["returns 500", { kind: "status", status: 500 }, /Cannot scrape vLLM metrics from \S+: status 500/],
    ["is slower than --vllm-timeout", { kind: "slow", delayMs: 1500 }, /no complete answer within 300 ms \(--vllm-timeout\)/],
    ["returns garbage", { kind: "garbage" }, /Cannot scrape vLLM metrics from \S+: Cannot parse exposition line \d+/],
    ["returns an endless body", { kind: "huge" }, /body too large \(more than 1048576 bytes; limit --vllm-max-body 1048576 bytes\)/],
  ])("that %s: vigil_vllm_up 0 with a clear log line, host metrics intact", async (_name, behaviour, logPattern) => {
    using vllm = await startVllmFixtureServer({ behaviour });
    await using agent = await startAgent(["--vllm", vllm.url, "--interval", "200ms", "--vllm-timeout", "300ms", "--vllm-max-body", "1MiB"]);
    await waitForLog(agent.logs, logPattern);
    const body = await scrape(agent.url);
    expect(body).toContain(`vigil_vllm_up{target="${vllm.url.replace("http://", "")}"} 0`);
    expect(body).toMatch(/^node_cpu_seconds_total\{/m);
    expect(body).not.toContain("vllm:num_requests_running");
    expect(agent.logs().split("\n").filter((line) => logPattern.test(line))).toHaveLength(1);

    // And it recovers when vLLM does.
    vllm.behaviour = { kind: "fixture" };
    await waitForLog(agent.logs, /msg="The vllm source recovered"/);
    expect(await scrape(agent.url)).toContain("vllm:num_requests_running");
  });

  it("keeps its memory bounded while vLLM floods it", async () => {
    using vllm = await startVllmFixtureServer({ behaviour: { kind: "huge" } });
    await using agent = await startAgent(["--vllm", vllm.url, "--interval", "50ms", "--vllm-max-body", "4MiB"]);
    const until = Date.now() + 4000;
    let samples = 0;
    let maxRss = 0;
    while (Date.now() < until) {
      await scrape(agent.url);
      maxRss = Math.max(maxRss, await rssBytes(agent.process.pid));
      samples++;
      await Bun.sleep(100);
    }
    expect(vllm.requests).toBeGreaterThan(10);
    // Each flood costs at most the 4 MiB cap; without the cap the agent would read without end.
    expect(maxRss).toBeLessThan(256 * 1024 * 1024);
    expect(samples).toBeGreaterThan(5);
  });
});
