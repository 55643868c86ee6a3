/**
 * The compiled agent as an operator runs it: flags, --once, serving /metrics that
 * promtool accepts, the JSON API, and a clean stop on SIGTERM.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FixtureServer, startVllmFixtureServer } from "../scripts/vllm-fixture-server.ts";
import { type RunningAgent, runAgent, startAgent } from "./support/agent-process.ts";
import { promtoolCheckMetrics } from "./support/promtool-check.ts";
import { findTool } from "./support/require-tool.ts";

// node_exporter's names that promtool flags as camelCase (reference/agent-anchors.md §2.5): copied for
// compatibility with existing dashboards, so allowed; any other problem in our families fails the test.
const ACCEPTED_LINT = /^node_memory_\w+ metric names should be written in 'snake_case' not 'camelCase'$/;

describe("vigil-agent binary", () => {
  let vllm: FixtureServer;
  let agent: RunningAgent;

  beforeAll(async () => {
    vllm = await startVllmFixtureServer();
    agent = await startAgent(["--vllm", vllm.url, "--interval", "200ms"]);
  });

  afterAll(async () => {
    expect(await agent.stop()).toBe(0);
    vllm.stop();
  });

  it("prints its version and help", async () => {
    const version = await runAgent(["--version"]);
    expect(version.exitCode).toBe(0);
    expect(version.stdout).toMatch(/^vigil-agent \d+\.\d+\.\d+/);
    const help = await runAgent(["--help"]);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain("--vllm-timeout");
  });

  it("exits 2 with one clear line on a bad flag or value", async () => {
    for (const args of [["--bogus"], ["--interval", "soon"]]) {
      const result = await runAgent(args);
      expect(result.exitCode).toBe(2);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      expect(result.stderr).toMatch(/^vigil-agent: /);
    }
    expect((await runAgent([], { env: { VIGIL_LOG_LEVEL: "chatty" } })).stderr).toBe("vigil-agent: VIGIL_LOG_LEVEL must be one of debug, info, warn, error: got 'chatty'\n");
  });

  it("--once prints one sample as JSON and exits 0", async () => {
    const result = await runAgent(["--once", "--vllm", vllm.url]);
    expect(result.exitCode).toBe(0);
    const sample = JSON.parse(result.stdout);
    expect(sample.host.cpus.length).toBeGreaterThan(0);
    expect(sample.vllm[0]).toMatchObject({ target: vllm.url, up: true, summary: { requestsRunning: 4 } });
    // A host without NVML (this one, CI) adds the GPU source's "nvml_unavailable" entry; nothing else may fail.
    expect(sample.errors.filter((e: { source: string }) => e.source !== "gpu")).toEqual([]);
  });

  it("--once --format prometheus prints the exposition and exits 0", async () => {
    const result = await runAgent(["--once", "--format", "prometheus", "--no-vllm"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("# TYPE node_cpu_seconds_total counter");
    expect(result.stdout).toContain('vigil_source_up{source="host"} 1');
  });

  it("serves /metrics with host, vLLM and agent families in text format 0.0.4", async () => {
    const response = await fetch(`${agent.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(response.headers.get("date")).not.toBeNull();
    const body = await response.text();
    expect(body).toMatch(/^node_cpu_seconds_total\{cpu="0",mode="idle"\} /m);
    expect(body).toMatch(/^node_load1 /m);
    expect(body).toMatch(/^vllm:num_requests_running\{engine="0",model_name="meta-llama\/Llama-3.1-8B-Instruct"\} 4$/m);
    expect(body).toContain(`vigil_vllm_up{target="${vllm.url.replace("http://", "")}"} 1`);
    expect(body).toMatch(/^vigil_agent_info\{version="[^"]+",runtime="bun [^"]+"\} 1$/m);
    expect(body).toMatch(/^process_resident_memory_bytes \d+/m);
    // vLLM's python_*/process_* families belong to vLLM's own exporter, not ours.
    expect(body).not.toContain("python_gc_objects_collected_total");
  });

  it("passes promtool check metrics for every vigil_ and node_ family", async () => {
    const promtool = findTool("promtool");
    if (!promtool) return;
    const body = await (await fetch(`${agent.url}/metrics`)).text();
    const check = promtoolCheckMetrics(promtool, body);
    // 1 = the body did not parse at all; 3 = lint problems, which we filter below.
    expect(check.exitCode, check.output).not.toBe(1);
    const problems = check.lines.filter((line) => !line.startsWith("vllm:") && !ACCEPTED_LINT.test(line));
    expect(problems).toEqual([]);
  });

  it("serves OpenMetrics when asked, and gzip when accepted", async () => {
    const om = await fetch(`${agent.url}/metrics`, { headers: { accept: "application/openmetrics-text;version=1.0.0,text/plain;q=0.5" } });
    expect(om.headers.get("content-type")).toBe("application/openmetrics-text; version=1.0.0; charset=utf-8");
    const text = await om.text();
    expect(text.endsWith("# EOF\n")).toBe(true);
    expect(text).toContain("# TYPE vigil_source_errors counter");

    const gz = await fetch(`${agent.url}/metrics`, { headers: { "accept-encoding": "gzip" }, decompress: false } as RequestInit);
    expect(gz.headers.get("content-encoding")).toBe("gzip");
    const plain = new TextDecoder().decode(Bun.gunzipSync(new Uint8Array(await gz.arrayBuffer())));
    expect(plain).toContain("# TYPE node_load1 gauge");
  });

  it("answers health, readiness, the snapshot and the timeline with the agent's clock", async () => {
    expect((await fetch(`${agent.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${agent.url}/readyz`)).status).toBe(200);
    const before = Date.now();
    const snapshot = await (await fetch(`${agent.url}/api/v1/snapshot`)).json();
    expect(snapshot.serverTimeMs).toBeGreaterThanOrEqual(before - 1000);
    expect(snapshot.sample.vllm[0].up).toBe(true);
    await Bun.sleep(500);
    const timeline = await (await fetch(`${agent.url}/api/v1/timeline?since=${before - 60_000}`)).json();
    expect(timeline.points.length).toBeGreaterThanOrEqual(2);
    expect(timeline.points[0].vllm[0].summary.requestsRunning).toBe(4);
    expect((await fetch(`${agent.url}/api/v1/timeline?since=yesterday-ish`)).status).toBe(400);
  });
});

describe("vigil-agent with a token", () => {
  it("guards the JSON API (and /metrics with --metrics-auth) with a bearer token", async () => {
    await using agent = await startAgent(["--no-vllm", "--token", "s3cret", "--metrics-auth"]);
    expect((await fetch(`${agent.url}/api/v1/snapshot`)).status).toBe(401);
    expect((await fetch(`${agent.url}/metrics`)).status).toBe(401);
    const authed = { headers: { authorization: "Bearer s3cret" } };
    expect((await fetch(`${agent.url}/api/v1/snapshot`, authed)).status).toBe(200);
    expect((await fetch(`${agent.url}/metrics`, authed)).status).toBe(200);
    expect((await fetch(`${agent.url}/healthz`)).status).toBe(200);
  });

  it("stops cleanly with exit 0 on SIGINT", async () => {
    const agent = await startAgent(["--no-vllm"]);
    agent.process.kill("SIGINT");
    expect(await agent.process.exited).toBe(0);
    expect(agent.logs()).not.toContain("level=error");
  });
});
