/**
 * Injected faults reach a plain client exactly as configured, and every one is counted,
 * so a harness test can check it saw exactly what was injected.
 */
import { describe, expect, it } from "vitest";
import { parseSseEvents } from "../loadtest/sim/read-sse-events.ts";
import { type RunningSimulator, startSimulator } from "../loadtest/sim/start-simulator.ts";

const body = (stream: boolean, maxTokens = 6) => JSON.stringify({ prompt: "fault test prompt", max_tokens: maxTokens, ignore_eos: true, stream });

async function complete(sim: RunningSimulator, stream: boolean, maxTokens = 6): Promise<{ status: number; text: string; cut: boolean; id: string }> {
  const response = await fetch(`${sim.url}/v1/completions`, { method: "POST", body: body(stream, maxTokens) });
  const id = response.headers.get("x-vigil-sim-request-id") ?? "";
  try {
    return { status: response.status, text: await response.text(), cut: false, id };
  } catch {
    return { status: response.status, text: "", cut: true, id };
  }
}

describe("fault injection", () => {
  it("answers every Nth request with the status asked for, in vLLM's error shape, and counts each", async () => {
    await using sim = await startSimulator({ timeScale: 0, faults: { http429: { rate: 0, every: 3 }, http503: { rate: 0, every: 4 } } });
    const results = [];
    for (let i = 0; i < 12; i++) results.push(await complete(sim, false));
    expect(results.map((result) => result.status)).toEqual([200, 200, 429, 503, 200, 429, 200, 503, 429, 200, 200, 429]);
    expect(JSON.parse(results[2]?.text ?? "")).toEqual({ error: { message: expect.any(String), type: "RateLimitError", param: null, code: 429 } });
    expect(sim.counters().injected).toMatchObject({ http_429: 4, http_503: 2, http_500: 0 });
    expect(sim.record(results[2]?.id ?? "")).toMatchObject({ status: 429, fault: "http_429" });
    const simMetrics = await (await fetch(`${sim.url}/sim/metrics`)).text();
    expect(simMetrics).toContain('vigil_sim_faults_injected_total{fault="http_429"} 4.0\n');
    expect(simMetrics).toContain('vigil_sim_faults_injected_total{fault="http_503"} 2.0\n');
  });

  it("cuts every 2nd stream mid-way; vLLM counts those as aborted", async () => {
    await using sim = await startSimulator({ timeScale: 0.1, faults: { disconnect: { rate: 0, every: 2 }, afterTokens: 2 } });
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await complete(sim, true));
    const sawDone = results.map((result) => result.text.includes("data: [DONE]"));
    expect(sawDone).toEqual([true, false, true, false]);
    for (const result of [results[1], results[3]]) {
      const chunks = parseSseEvents(result?.text ?? "").filter((event) => event.kind === "data");
      expect(chunks.length).toBeLessThanOrEqual(2);
      expect(sim.record(result?.id ?? "")?.choices[0]?.finishReason).toBe("abort");
    }
    expect(sim.counters().injected.disconnect).toBe(2);
    const metrics = sim.metricsText();
    expect(metrics).toMatch(/vllm:request_success_total\{engine="0",finished_reason="abort",model_name="[^"]+"\} 2\.0/);
    expect(metrics).toMatch(/vllm:request_success_total\{engine="0",finished_reason="length",model_name="[^"]+"\} 2\.0/);
  });

  it("sends one malformed chunk in an otherwise complete stream", async () => {
    await using sim = await startSimulator({ timeScale: 0.1, faults: { malformedChunk: { rate: 0, every: 1 }, afterTokens: 1 } });
    const result = await complete(sim, true, 4);
    const data = parseSseEvents(result.text).flatMap((event) => (event.kind === "data" ? [event.data] : []));
    const unparseable = data.filter((item) => {
      if (item === "[DONE]") return false;
      try {
        JSON.parse(item);
        return false;
      } catch {
        return true;
      }
    });
    expect(unparseable).toHaveLength(1);
    expect(data.indexOf(unparseable[0] as string)).toBe(1);
    expect(data.at(-1)).toBe("[DONE]");
    expect(data.length).toBe(4 + 1 + 1);
    expect(sim.counters().injected.malformed_chunk).toBe(1);
  });

  it("stalls a stream: writes pause for the stall while the engine keeps its schedule", async () => {
    await using sim = await startSimulator({ timeScale: 0.1, faults: { stall: { rate: 0, every: 1 }, stallMs: 300, afterTokens: 2 } });
    const result = await complete(sim, true, 6);
    expect(result.text).toContain("data: [DONE]");
    const truth = sim.record(result.id)?.choices[0];
    const writes = truth?.writeTimesMs ?? [];
    expect(writes).toHaveLength(6);
    // Timers never fire early: the held writes come at least stallMs after the stall began.
    expect((writes[2] as number) - (writes[1] as number)).toBeGreaterThanOrEqual(299);
    expect((truth?.tokenTimesMs[5] as number) - (truth?.tokenTimesMs[0] as number)).toBeLessThan(300);
    expect(sim.counters().injected.stall).toBe(1);
  });

  it("fails or delays /metrics as configured, and counts scrapes", async () => {
    await using sim = await startSimulator({ faults: { metricsFailure: { rate: 0, every: 2 }, metricsDelayMs: 50 } });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetch(`${sim.url}/metrics`)).status);
    expect(statuses).toEqual([200, 500, 200, 500]);
    expect(sim.counters().injected).toMatchObject({ metrics_failure: 2, metrics_delay: 4 });
  });

  it("starts slowly: /health 503 until the startup delay passes, each one counted", async () => {
    await using sim = await startSimulator({ faults: { startupDelayMs: 400 } });
    let notReady = 0;
    for (;;) {
      const status = (await fetch(`${sim.url}/health`)).status;
      if (status === 200) break;
      expect(status).toBe(503);
      notReady++;
      await Bun.sleep(50);
    }
    expect(notReady).toBeGreaterThan(0);
    expect(sim.counters().injected.health_not_ready).toBe(notReady);
  });

  it("changes faults at run time through PUT /sim/faults", async () => {
    await using sim = await startSimulator({ timeScale: 0 });
    expect((await complete(sim, false)).status).toBe(200);
    const put = await fetch(`${sim.url}/sim/faults`, { method: "PUT", body: JSON.stringify({ http500: { rate: 1, every: 0 } }) });
    expect(((await put.json()) as { http500: unknown }).http500).toEqual({ rate: 1, every: 0 });
    expect((await complete(sim, false)).status).toBe(500);
    sim.setFaults({ http500: { rate: 0, every: 0 } });
    expect((await complete(sim, false)).status).toBe(200);
    expect(sim.counters().injected.http_500).toBe(1);
    expect((await fetch(`${sim.url}/sim/faults`, { method: "PUT", body: "[1]" })).status).toBe(400);
  });
});
