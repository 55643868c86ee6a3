/**
 * Correlation on constructed data: an agent whose clock runs a known amount ahead, probed through an
 * injected fetch with uneven network delays, and a timeline whose queue and KV cache fill at a known
 * moment. The offset must be recovered within its stated uncertainty and the expected finding made.
 */
import { describe, expect, it } from "vitest";
import { attachTelemetry } from "../loadtest/correlate/attach-telemetry.ts";
import { collectTelemetry } from "../loadtest/correlate/collect-telemetry.ts";
import { cumulativeSeries, increaseOver } from "../loadtest/correlate/cumulative-series.ts";
import { estimateClockOffset } from "../loadtest/correlate/estimate-clock-offset.ts";
import { fromTimelinePoint } from "../loadtest/correlate/from-timeline-point.ts";
import { joinWindows } from "../loadtest/correlate/join-windows.ts";
import { buildReportFixture, buildTimelineFixture, FIXTURE_START_MS } from "./support/report-fixture.ts";

/** A fake agent on a virtual clock: the harness clock is `now()`, the agent's is now() + offsetMs; each request takes `delays[i]` ms (split unevenly). */
function fakeAgent(options: { offsetMs: number; points: ReturnType<typeof buildTimelineFixture>; delaysMs: readonly number[] }) {
  let clock = FIXTURE_START_MS + 70_000;
  let call = 0;
  const now = () => clock;
  const fetch = async (url: string) => {
    const delay = options.delaysMs[call++ % options.delaysMs.length] as number;
    // Asymmetric: 80% of the delay before the agent reads its clock, 20% after.
    clock += delay * 0.8;
    const serverTimeMs = Math.round(clock + options.offsetMs);
    clock += delay * 0.2;
    const u = new URL(url);
    if (u.pathname === "/api/v1/snapshot") return Response.json({ serverTimeMs, sample: { gpus: [{ index: 0, name: "NVIDIA H100 80GB HBM3", uuid: "GPU-fixture-0", simulated: true }] } });
    const since = Number(u.searchParams.get("since") ?? 0);
    const until = Number(u.searchParams.get("until") ?? Number.POSITIVE_INFINITY);
    const points = options.points.filter((p) => p.timeMs >= since && p.timeMs <= until);
    return Response.json({ serverTimeMs, intervalMs: 1000, retentionMs: 3_600_000, points }, { headers: { date: new Date(serverTimeMs).toUTCString() } });
  };
  return { fetch, now };
}

describe("estimateClockOffset()", () => {
  it.each([
    { offsetMs: 2345, delays: [4, 9, 2, 30, 3] },
    { offsetMs: -812.4, delays: [1, 1, 1, 1, 1] },
    { offsetMs: 0, delays: [50, 20, 80] },
    { offsetMs: 3_600_000, delays: [7, 3, 11] },
  ])("recovers an offset of $offsetMs ms within its uncertainty (delays $delays)", ({ offsetMs, delays }) => {
    let clock = 1_000_000;
    const probes = delays.map((d) => {
      const sentAtMs = clock;
      clock += d * 0.7;
      const serverTimeMs = Math.round(clock + offsetMs);
      clock += d * 0.3;
      return { sentAtMs, receivedAtMs: clock, serverTimeMs, dateHeaderMs: null };
    });
    const estimate = estimateClockOffset(probes)!;
    expect(estimate.method).toBe("serverTimeMs");
    expect(Math.abs(estimate.offsetMs - offsetMs)).toBeLessThanOrEqual(estimate.uncertaintyMs);
    expect(estimate.uncertaintyMs).toBeLessThanOrEqual(Math.min(...delays) / 2 + 2);
  });

  it("falls back to the Date header with a one-second-wide interval", () => {
    const offsetMs = 1500;
    const probes = [0, 250, 500, 750].map((t) => {
      const sentAtMs = 2_000_000 + t;
      const server = sentAtMs + 2 + offsetMs;
      return { sentAtMs, receivedAtMs: sentAtMs + 4, serverTimeMs: null, dateHeaderMs: Math.floor(server / 1000) * 1000 };
    });
    const estimate = estimateClockOffset(probes)!;
    expect(estimate.method).toBe("date-header");
    expect(Math.abs(estimate.offsetMs - offsetMs)).toBeLessThanOrEqual(estimate.uncertaintyMs);
    expect(estimate.uncertaintyMs).toBeLessThanOrEqual(510);
  });

  it("returns null when no probe carried a clock", () => {
    expect(estimateClockOffset([{ sentAtMs: 1, receivedAtMs: 2, serverTimeMs: null, dateHeaderMs: null }])).toBeNull();
  });
});

describe("cumulativeSeries()", () => {
  it("counts the increase across a counter reset as the value after it", () => {
    const series = cumulativeSeries([
      { timeMs: 0, values: [10] },
      { timeMs: 1000, values: [15] },
      { timeMs: 2000, values: [3] },
      { timeMs: 3000, values: [5] },
    ]);
    expect(increaseOver(series, 0, 3000)).toEqual([15 - 10 + 3 + 2]);
    expect(increaseOver(series, 500, 1500)?.[0]).toBeCloseTo(4, 6);
    expect(increaseOver(series, -1, 1000)).toBeNull();
  });
});

describe("collectTelemetry() on a constructed timeline", () => {
  it("recovers a 2.345 s agent clock offset and finds TTFT rising with the queue and KV cache", async () => {
    const offsetMs = 2345;
    const report = buildReportFixture({ riseAtWindow: 30 });
    const agent = fakeAgent({ offsetMs, points: buildTimelineFixture({ offsetMs, causeAtS: 30, jitterMs: 120 }), delaysMs: [3, 12, 2, 40, 5] });
    const telemetry = await collectTelemetry(report, { agentUrl: "http://agent.test:19400", fetch: agent.fetch, now: agent.now, settleMs: 0 });
    expect(telemetry.status).toBe("partial"); // the fixture has no ITL histogram
    const offset = telemetry.clockOffset!;
    expect(Math.abs(offset.offsetMs - offsetMs)).toBeLessThanOrEqual(offset.uncertaintyMs);
    expect(offset.uncertaintyMs).toBeLessThan(5);
    expect(telemetry.gpus[0]?.simulated).toBe(true);
    // Joined on the harness clock: window 31 is after the cause, window 25 before it.
    expect(telemetry.windows[25]?.requestsWaiting).toBe(0);
    expect(telemetry.windows[31]?.requestsWaiting).toBe(12);
    expect(telemetry.windows[31]?.kvCacheUsageRatio).toBe(0.97);
    const rise = telemetry.findings.find((f) => f.code === "latency-rise")!;
    expect(rise.message).toMatch(/^TTFT p95 rose from 8\d ms to 1\.90 s when waiting requests exceeded 0, KV-cache usage reached 0\.97/);
    expect(rise.message).toContain("at 14:00:30");
    expect(rise.evidence?.fromWindow).toBe(30);
    expect(telemetry.findings.map((f) => f.code)).toEqual(expect.arrayContaining(["power-at-limit", "kv-cache-full", "preemptions", "clock-throttled", "clock-offset"]));
    const kv = telemetry.correlations.find((c) => c.client === "ttftMs.p95" && c.telemetry === "kvCacheUsageRatio")!;
    expect(kv.pearson).toBeGreaterThan(0.7);
    const attached = attachTelemetry(report, telemetry);
    expect(attached.findings.filter((f) => f.code === "telemetry.latency-rise")).toHaveLength(1);
    expect(attachTelemetry(attached, telemetry).findings).toHaveLength(attached.findings.length);
  });

  it("shifting by a wrong offset moves the change to the wrong window (the offset matters)", () => {
    const report = buildReportFixture();
    const points = buildTimelineFixture({ offsetMs: 5000 });
    const stream = [{ instance: "a", samples: points.map(fromTimelinePoint) }];
    const windows = report.windows.windows;
    const right = joinWindows(stream, { windows, windowMs: 1000, offsetMs: 5000 });
    const wrong = joinWindows(stream, { windows, windowMs: 1000, offsetMs: 0 });
    expect(right[29]?.requestsWaiting).toBe(0);
    expect(right[30]?.requestsWaiting).toBe(12);
    expect(wrong[34]?.requestsWaiting).toBe(0);
    expect(wrong[35]?.requestsWaiting).toBe(12);
  });

  it("computes per-window vLLM TTFT quantiles from bucket deltas, also across a counter reset", () => {
    const report = buildReportFixture();
    const points = buildTimelineFixture({ resetAt: 40 });
    const joined = joinWindows([{ instance: "a", samples: points.map(fromTimelinePoint) }], { windows: report.windows.windows, windowMs: 1000, offsetMs: 0 });
    // 0.07 s observations fall in the (0.06, 0.08] bucket; 1.5 s ones in (1, 2.5].
    expect(joined[10]?.vllmTtftP50Ms).toBeGreaterThan(60);
    expect(joined[10]?.vllmTtftP50Ms).toBeLessThanOrEqual(80);
    for (const w of [38, 39, 40, 41, 42]) {
      expect(joined[w]?.vllmTtftP95Ms).toBeGreaterThan(1000);
      expect(joined[w]?.vllmTtftP95Ms).toBeLessThanOrEqual(2500);
    }
  });

  it("says telemetry is missing, never zero, when the agent is unreachable", async () => {
    const report = buildReportFixture();
    const telemetry = await collectTelemetry(report, {
      agentUrl: "http://127.0.0.1:9",
      fetch: async () => {
        throw new TypeError("Unable to connect. Is the computer able to access the url?");
      },
      settleMs: 0,
    });
    expect(telemetry.status).toBe("missing");
    expect(telemetry.errors[0]).toContain("http://127.0.0.1:9");
    expect(telemetry.series.every((s) => !s.available)).toBe(true);
    expect(telemetry.windows.every((w) => Object.entries(w).every(([k, v]) => k === "index" || v === null))).toBe(true);
    expect(telemetry.findings[0]?.code).toBe("telemetry-missing");
  });

  it("marks a host without GPUs as partial with the GPU series missing", async () => {
    const report = buildReportFixture();
    const agent = fakeAgent({ offsetMs: 0, points: buildTimelineFixture({ noGpu: true }), delaysMs: [2] });
    const telemetry = await collectTelemetry(report, { agentUrl: "http://agent.test", fetch: agent.fetch, now: agent.now, settleMs: 0 });
    expect(telemetry.status).toBe("partial");
    expect(telemetry.series.find((s) => s.name === "gpuPowerWatts")?.available).toBe(false);
    expect(telemetry.windows[10]?.gpuPowerWatts).toBeNull();
    expect(telemetry.findings.find((f) => f.code === "telemetry-partial")?.message).toContain("no GPU series");
  });
});
