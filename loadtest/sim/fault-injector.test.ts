import { describe, expect, it } from "vitest";
import { FaultInjector } from "./fault-injector.ts";
import { DEFAULT_SIMULATOR_OPTIONS } from "./simulator-options.ts";

const NONE = DEFAULT_SIMULATOR_OPTIONS.faults;

describe("FaultInjector", () => {
  it("fires every Nth request exactly", () => {
    const faults = new FaultInjector({ ...NONE, http429: { rate: 0, every: 3 }, disconnect: { rate: 0, every: 2 } }, 0);
    const got = Array.from({ length: 9 }, () => faults.nextRequest(true));
    // Requests 3, 6, 9 get 429; the other six streams are counted for disconnect: their 2nd, 4th, 6th.
    expect(got).toEqual([null, "disconnect", "http_429", null, "disconnect", "http_429", null, "disconnect", "http_429"]);
  });

  it("draws rates from the seed: the same seed gives the same decisions", () => {
    const decide = (seed: number) => {
      const faults = new FaultInjector({ ...NONE, http500: { rate: 0.3, every: 0 } }, seed);
      return Array.from({ length: 200 }, () => faults.nextRequest(false));
    };
    expect(decide(5)).toEqual(decide(5));
    const count = decide(5).filter((fault) => fault === "http_500").length;
    expect(count).toBeGreaterThan(30);
    expect(count).toBeLessThan(90);
    expect(decide(5)).not.toEqual(decide(6));
  });

  it("stream faults never hit non-streamed requests; updates apply at once", () => {
    const faults = new FaultInjector({ ...NONE, stall: { rate: 1, every: 0 } }, 0);
    expect(faults.nextRequest(false)).toBeNull();
    expect(faults.nextRequest(true)).toBe("stall");
    faults.update({ stall: { rate: 0, every: 0 }, metricsFailure: { rate: 0, every: 2 } });
    expect(faults.nextRequest(true)).toBeNull();
    expect([faults.nextScrapeFails(), faults.nextScrapeFails()]).toEqual([false, true]);
  });
});
