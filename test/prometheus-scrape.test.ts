/**
 * A real Prometheus scrapes the compiled agent: it negotiates OpenMetrics and gzip,
 * so this proves both our renderings against the parser that matters.
 */
import { describe, expect, it } from "vitest";
import { startVllmFixtureServer } from "../scripts/vllm-fixture-server.ts";
import { startAgent } from "./support/agent-process.ts";
import { startPrometheus } from "./support/prometheus-server.ts";
import { findTool } from "./support/require-tool.ts";

describe("Prometheus scraping the agent", () => {
  it("stores up == 1, a vllm: series and a node_ series", async () => {
    const binary = findTool("prometheus");
    if (!binary) return;
    using vllm = await startVllmFixtureServer();
    await using agent = await startAgent(["--vllm", vllm.url]);
    await using prometheus = await startPrometheus(binary, { targets: [agent.url.replace("http://", "")] });

    const up = await prometheus.waitFor('up{job="vigil"} == 1', 20_000);
    expect(up).toHaveLength(1);
    const running = await prometheus.waitFor("vllm:num_requests_running", 10_000);
    expect(running[0]?.metric).toMatchObject({ model_name: "meta-llama/Llama-3.1-8B-Instruct", engine: "0" });
    expect(running[0]?.value[1]).toBe("4");
    const ttft = await prometheus.waitFor("vllm:time_to_first_token_seconds_count", 10_000);
    expect(ttft[0]?.value[1]).toBe("3894");
    expect(await prometheus.waitFor('node_cpu_seconds_total{mode="idle"}', 10_000)).not.toHaveLength(0);
    expect(await prometheus.waitFor("node_memory_MemAvailable_bytes", 10_000)).toHaveLength(1);
    expect((await prometheus.query("vigil_vllm_up"))[0]?.value[1]).toBe("1");
    // Prometheus gives up on a target whose exposition it cannot parse; none of that here.
    expect((await prometheus.query("scrape_samples_scraped"))[0]?.value[1]).not.toBe("0");
  });
});
