import { describe, expect, it } from "vitest";
import { createSimServer } from "./sim-server.ts";
import { resolveSimulatorOptions } from "./simulator-options.ts";

// handle() is a plain Request -> Response function: no socket needed.
describe("createSimServer().handle()", () => {
  const server = () => createSimServer(resolveSimulatorOptions({ model: "m", timeScale: 0, numGpuBlocks: 100, blockSize: 16 }));

  it("caps max_model_len by the KV cache and says so in /v1/models", async () => {
    const sim = server();
    const body = (await (await sim.handle(new Request("http://sim/v1/models"), "")).json()) as { data: { id: string; max_model_len: number }[] };
    expect(body.data[0]).toMatchObject({ id: "m", max_model_len: 1600 });
    expect(sim.maxModelLen).toBe(1600);
    sim.close();
  });

  it("answers a completion without a socket and records it", async () => {
    const sim = server();
    const response = await sim.handle(new Request("http://sim/v1/completions", { method: "POST", body: JSON.stringify({ prompt: "abc", max_tokens: 3, ignore_eos: true }) }), "");
    expect(response.status).toBe(200);
    const id = response.headers.get("x-vigil-sim-request-id") ?? "";
    expect(((await response.json()) as { usage: { completion_tokens: number } }).usage.completion_tokens).toBe(3);
    expect(sim.record(id)?.choices[0]?.tokenTimesMs).toHaveLength(3);
    expect(sim.counters()).toMatchObject({ acceptedRequests: 1, finishedSequences: { length: 1 }, inFlightRequests: 0, generationTokens: 3 });
    sim.close();
  });

  it("answers Starlette's 404 and 405, and counts them under handler none / their path", async () => {
    const sim = server();
    expect((await sim.handle(new Request("http://sim/nope"), "")).status).toBe(404);
    expect((await sim.handle(new Request("http://sim/v1/completions"), "")).status).toBe(405);
    expect(sim.counters().httpResponses).toEqual({ "GET none 404": 1, "GET /v1/completions 405": 1 });
    expect(sim.metricsText()).toContain('http_requests_total{handler="none",method="GET",status="4xx"} 1.0');
    sim.close();
  });
});
