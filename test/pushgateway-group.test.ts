/**
 * The compiled agent pushing to a real Pushgateway (Debian's prometheus-pushgateway):
 * its group (job + instance in the URL) holds the agent's /metrics while it runs, and
 * is deleted when the agent gets SIGTERM. A gateway that is down costs a log line.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FixtureServer, startVllmFixtureServer } from "../scripts/vllm-fixture-server.ts";
import { startAgent } from "./support/agent-process.ts";
import { freePort } from "./support/prometheus-server.ts";
import { findTool } from "./support/require-tool.ts";

interface Group {
  labels: Record<string, string>;
  [family: string]: unknown;
}

async function groups(url: string): Promise<Group[]> {
  const body = (await (await fetch(`${url}/api/v1/metrics`)).json()) as { data: Group[] };
  return body.data;
}

describe("--pushgateway", () => {
  const binary = findTool("prometheus-pushgateway");
  let gateway: ReturnType<typeof Bun.spawn> | null = null;
  let url = "";
  let vllm: FixtureServer;

  beforeAll(async () => {
    vllm = await startVllmFixtureServer();
    if (!binary) return;
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    gateway = Bun.spawn([binary, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"], { stdout: "ignore", stderr: "ignore" });
    for (let i = 0; i < 100; i++) {
      if (await fetch(`${url}/-/ready`).then((r) => r.ok, () => false)) break;
      await Bun.sleep(100);
    }
  });
  afterAll(async () => {
    vllm.stop();
    gateway?.kill();
    await gateway?.exited;
  });

  it("holds the agent's group while it runs and loses it after SIGTERM", async () => {
    if (!binary) return;
    const agent = await startAgent(["--vllm", vllm.url, "--interval", "200ms", "--pushgateway", url, "--job", "vigil", "--instance", "gpu-node/01", "--pushgateway-interval", "300ms"]);
    let group: Group | undefined;
    for (let i = 0; i < 100 && !group; i++) {
      group = (await groups(url)).find((g) => g.labels.job === "vigil");
      if (!group) await Bun.sleep(100);
    }
    // A `/` in the instance travels as base64 in the URL and comes back intact.
    expect(group?.labels).toEqual({ job: "vigil", instance: "gpu-node/01" });
    const exposed = await (await fetch(`${url}/metrics`)).text();
    expect(exposed).toMatch(/^vllm:num_requests_running\{engine="0",instance="gpu-node\/01",job="vigil",model_name="meta-llama\/Llama-3.1-8B-Instruct"\} 4$/m);
    expect(exposed).toMatch(/^node_load1\{instance="gpu-node\/01",job="vigil"\} /m);
    // No failed push: the gateway sets push_failure_time_seconds when one is rejected.
    expect(exposed).toMatch(/^push_failure_time_seconds\{instance="gpu-node\/01",job="vigil"\} 0$/m);

    expect(await agent.stop()).toBe(0);
    expect((await groups(url)).filter((g) => g.labels.job === "vigil")).toEqual([]);
    expect(agent.logs()).toContain("Deleted the Pushgateway group");
  });

  it("logs an unreachable gateway once and keeps serving", async () => {
    const port = await freePort();
    await using agent = await startAgent(["--no-vllm", "--interval", "100ms", "--pushgateway", `http://127.0.0.1:${port}`, "--job", "vigil", "--pushgateway-interval", "100ms"]);
    await Bun.sleep(1_500);
    expect((await fetch(`${agent.url}/metrics`)).status).toBe(200);
    expect(agent.logs().match(/Cannot push to the Pushgateway/g)).toHaveLength(1);
  });
});
