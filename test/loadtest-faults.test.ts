/**
 * Every fault the simulator injects is recorded under the right error type, with counts equal to
 * what it injected (its /sim/counters): HTTP 429/500/503 -> http_status (by status), stall -> stall,
 * mid-stream disconnect -> disconnected, malformed chunk -> protocol. A refused connection -> connect.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSimulator, type SpawnedSimulator } from "../loadtest/testing/spawn-simulator.ts";
import { runForTest, type TestRun } from "../loadtest/testing/run-for-test.ts";

describe("fault injection", () => {
  let sim: SpawnedSimulator;
  let run: TestRun;

  beforeAll(async () => {
    sim = await spawnSimulator([
      "--step-base-ms", "2",
      "--error-every-429", "7",
      "--error-every-500", "11",
      "--error-every-503", "13",
      "--stall-every", "5",
      "--stall-duration", "1500ms",
      "--disconnect-every", "6",
      "--malformed-every", "9",
    ]);
    run = await runForTest({
      target: { url: sim.url, model: "meta-llama/Llama-3.1-8B-Instruct", api: "chat" },
      workload: { prompts: { kind: "synthetic", inputTokens: 24 }, outputTokens: 8 },
      load: { executor: "constant-vus", vus: 8, requests: 80 },
      timeouts: { ttft: "5s", stall: "300ms" },
      gracefulStop: "10s",
    });
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it("records every request, failures included, without crashing", () => {
    expect(run.report.counts.started).toBe(80);
    expect(run.report.counts.completed + run.report.counts.failed).toBe(80);
    expect(run.report.counts.failed).toBeGreaterThan(10);
  });

  it("matches the simulator's injected counts type by type", async () => {
    const injected = (await sim.counters()).injected;
    const byType = run.report.errors.byType;
    expect(byType.http_status?.byStatus ?? {}).toEqual(
      Object.fromEntries(
        [
          ["429", injected.http_429],
          ["500", injected.http_500],
          ["503", injected.http_503],
        ].filter(([, n]) => (n as number) > 0),
      ),
    );
    expect(byType.http_status?.count ?? 0).toBe(injected.http_429 + injected.http_500 + injected.http_503);
    expect(byType.stall?.count ?? 0).toBe(injected.stall);
    expect(byType.disconnected?.count ?? 0).toBe(injected.disconnect);
    expect(byType.protocol?.count ?? 0).toBe(injected.malformed_chunk);
    expect(injected.stall).toBeGreaterThan(0);
    expect(injected.disconnect).toBeGreaterThan(0);
    expect(injected.malformed_chunk).toBeGreaterThan(0);
    expect(run.report.counts.failed).toBe(injected.http_429 + injected.http_500 + injected.http_503 + injected.stall + injected.disconnect + injected.malformed_chunk);
  });

  it("keeps the server's error message in the examples", () => {
    const example = run.report.errors.byType.http_status?.examples[0];
    expect(example?.message).toMatch(/^HTTP (429|500|503): \S/);
    expect(run.report.errors.byType.stall?.examples[0]?.message).toBe("no chunk for 300 ms");
  });

  it("records a refused connection as connect", async () => {
    const port = sim.url.split(":").pop();
    await sim.stop();
    const refused = await runForTest({
      target: { url: `http://127.0.0.1:${port}`, model: "m" },
      workload: { prompts: { kind: "synthetic", inputTokens: 16 }, outputTokens: 4 },
      load: { executor: "constant-vus", vus: 1, requests: 3 },
    });
    expect(refused.report.errors.byType.connect?.count).toBe(3);
    expect(refused.report.run.exitCode).toBe(1);
  });
});
