import { describe, expect, it } from "vitest";
import { createLogger } from "../log.ts";
import type { HostReading, VllmReading } from "../sample.ts";
import { Sampler, type SamplerSources } from "./sampler.ts";

const EMPTY_HOST = { cpus: [] } as unknown as HostReading;

function quietLogger(lines: string[] = []) {
  return createLogger("debug", { write: (line) => lines.push(line), now: () => 0 });
}

describe("Sampler", () => {
  it("shares one in-flight sample between concurrent callers (single flight)", async () => {
    let reads = 0;
    const sources: SamplerSources = {
      host: {
        async read() {
          reads++;
          await Bun.sleep(20);
          return { value: EMPTY_HOST, errors: [] };
        },
      },
    };
    const sampler = new Sampler({ sources, intervalMs: 0, sourceTimeoutMs: 1000, logger: quietLogger() });
    const [a, b, c] = await Promise.all([sampler.sampleNow(), sampler.fresh(), sampler.sampleNow()]);
    expect(reads).toBe(1);
    expect(a).toBe(b);
    expect(b).toBe(c);
  });

  it("cuts off a hanging source and still returns the others", async () => {
    const sources: SamplerSources = {
      host: { read: async () => ({ value: EMPTY_HOST, errors: [] }) },
      vllm: { read: () => new Promise<never>(() => {}) },
    };
    const sampler = new Sampler({ sources, intervalMs: 0, sourceTimeoutMs: 30, logger: quietLogger() });
    const sample = await sampler.sampleNow();
    expect(sample.host).toBe(EMPTY_HOST);
    expect(sample.vllm).toEqual([]);
    expect(sample.sources).toEqual([
      { source: "host", up: true, durationMs: expect.any(Number) },
      { source: "vllm", up: false, durationMs: expect.any(Number) },
    ]);
    expect(sample.errors).toEqual([{ source: "vllm", target: "", code: "timeout", message: "Cannot read the vllm source: no answer within 30 ms" }]);
  });

  it("turns a source that throws into an error entry", async () => {
    const sources: SamplerSources = { host: { read: async () => Promise.reject(new Error("boom")) } };
    const sampler = new Sampler({ sources, intervalMs: 0, sourceTimeoutMs: 100, logger: quietLogger() });
    const sample = await sampler.sampleNow();
    expect(sample.host).toBeNull();
    expect(sample.errors[0]).toMatchObject({ source: "host", code: "internal", message: "Cannot read the host source: boom" });
    expect(sampler.errorTotals.host).toBe(1);
  });

  it("logs a lasting failure once when it starts and once when it ends", async () => {
    const lines: string[] = [];
    let failing = true;
    const down: VllmReading = { target: "http://x", up: false, scrapeDurationMs: 1, families: [], summary: null };
    const sources: SamplerSources = {
      vllm: {
        read: async () => ({
          value: [down],
          errors: failing ? [{ source: "vllm", target: "http://x", code: "connect", message: "Cannot scrape vLLM metrics from http://x/metrics: refused" }] : [],
        }),
      },
    };
    const sampler = new Sampler({ sources, intervalMs: 0, sourceTimeoutMs: 100, logger: quietLogger(lines) });
    for (let i = 0; i < 5; i++) await sampler.sampleNow();
    failing = false;
    for (let i = 0; i < 3; i++) await sampler.sampleNow();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('level=warn msg="Cannot scrape vLLM metrics from http://x/metrics: refused" source=vllm target=http://x code=connect');
    expect(lines[1]).toContain('level=info msg="The vllm source recovered"');
    expect(sampler.errorTotals.vllm).toBe(5);
  });

  it("serves the latest sample while it is younger than the interval", async () => {
    let nowMs = 1_000_000;
    let reads = 0;
    const sources: SamplerSources = { host: { read: async () => (reads++, { value: EMPTY_HOST, errors: [] }) } };
    const sampler = new Sampler({ sources, intervalMs: 1000, sourceTimeoutMs: 100, logger: quietLogger(), now: () => nowMs });
    const first = await sampler.fresh();
    nowMs += 900;
    expect(await sampler.fresh()).toBe(first);
    nowMs += 2000;
    expect(await sampler.fresh()).not.toBe(first);
    expect(reads).toBe(2);
  });

  it("samples on its interval once started, and stops", async () => {
    const samples: number[] = [];
    const sources: SamplerSources = { host: { read: async () => ({ value: EMPTY_HOST, errors: [] }) } };
    const sampler = new Sampler({ sources, intervalMs: 10, sourceTimeoutMs: 100, logger: quietLogger(), onSample: (s) => samples.push(s.timeMs) });
    sampler.start();
    await Bun.sleep(120);
    sampler.stop();
    await sampler.idle();
    const count = samples.length;
    expect(count).toBeGreaterThanOrEqual(3);
    await Bun.sleep(40);
    expect(samples.length).toBe(count);
  });
});
