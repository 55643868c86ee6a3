import { describe, expect, it } from "vitest";
import { createVllmSource } from "./vllm-source.ts";

const body = (running: number) => `# TYPE vllm:num_requests_running gauge\nvllm:num_requests_running{engine="0"} ${running}\n# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total ${running + 0.5}\n`;

function sourceServing(bodies: string[]) {
  let next = 0;
  const fetch = (async () => new Response(bodies[Math.min(next++, bodies.length - 1)], { headers: { "content-type": "text/plain" } })) as unknown as typeof globalThis.fetch;
  return createVllmSource({ targets: [{ baseUrl: "http://127.0.0.1:8000", probed: false }], timeoutMs: 1000, maxBodyBytes: 1 << 20, maxSeries: 100, fetch });
}

describe("createVllmSource()", () => {
  it("summarizes each scrape, reusing the summary while the vllm: families do not move", async () => {
    const source = sourceServing([body(1), body(1), body(3)]);
    const signal = new AbortController().signal;
    const first = (await source.read(signal)).value[0];
    const second = (await source.read(signal)).value[0];
    const third = (await source.read(signal)).value[0];
    expect(first?.summary?.requestsRunning).toBe(1);
    expect(second?.summary).toBe(first?.summary);
    expect(third?.summary?.requestsRunning).toBe(3);
    expect(third?.families.map((family) => family.name)).toEqual(["vllm:num_requests_running"]);
  });
});
