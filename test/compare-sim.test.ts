/**
 * compare against the real simulator (its own process, deterministic modelled timings, fixed seed):
 * repeated runs of one scenario never regress against each other; a simulator 10 % slower in
 * prefill (TTFT) or decode (ITL) is flagged on exactly the metrics that physics moves; a 2 % change
 * stays within tolerance. Candidates are 3 merged runs (`--repeat 3`), the baseline 5. One VU, so
 * prefill and decode never share an engine step: a slower prefill moves TTFT only (E2E by 2.5 %), a
 * slower decode moves ITL, TPOT, E2E and, in this closed loop, the throughputs. The timings and why
 * they are sized so: COMPARE_SIM_TIMINGS in loadtest/testing/compare-sim-runs.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareReports } from "../loadtest/compare/compare-reports.ts";
import { mergeRuns } from "../loadtest/compare/merge-runs.ts";
import type { Report } from "../loadtest/report/report-types.ts";
import { COMPARE_SIM_TIMINGS, compareSimFlags as simulatorFlags, compareSimRuns as runsAgainst } from "../loadtest/testing/compare-sim-runs.ts";

const { prefillMsPerToken, decodeMsPerSeq } = COMPARE_SIM_TIMINGS;

let same: Report[] = [];
let baseline: Report;

beforeAll(async () => {
  same = await runsAgainst(simulatorFlags(), 5);
  baseline = mergeRuns(same);
}, 180_000);

afterAll(() => {
  same = [];
});

describe("compare against the simulator", () => {
  it("finds no regression among five runs of the same scenario (all 20 ordered pairs)", () => {
    const alarms: string[] = [];
    for (let i = 0; i < same.length; i++) {
      for (let j = 0; j < same.length; j++) {
        if (i === j) continue;
        const comparison = compareReports(same[i] as Report, same[j] as Report);
        if (comparison.regressions.length > 0) alarms.push(`run ${i} vs run ${j}: ${comparison.regressions.join(", ")}`);
      }
    }
    expect(alarms).toEqual([]);
    expect(baseline.runs).toHaveLength(5);
  });

  it("flags a simulator 10 % slower in prefill on TTFT and nothing else", async () => {
    const slow = mergeRuns(await runsAgainst(simulatorFlags({ prefillMsPerToken: prefillMsPerToken * 1.1 }), 3));
    const comparison = compareReports(baseline, slow);
    expect(comparison.regressions).toContain("ttft_p50");
    expect(comparison.regressions.filter((key) => !key.startsWith("ttft_"))).toEqual([]);
    expect(comparison.verdict).toBe("regression");
  }, 90_000);

  it("flags a simulator 10 % slower in decode on ITL, TPOT, E2E and throughput, never on TTFT", async () => {
    const slow = mergeRuns(await runsAgainst(simulatorFlags({ decodeMsPerSeq: decodeMsPerSeq * 1.1 }), 3));
    const comparison = compareReports(baseline, slow);
    expect(comparison.regressions).toEqual(expect.arrayContaining(["itl_p50", "tpot_p50", "e2e_p50"]));
    const decodeBound = /^(itl|tpot|e2e)_|^(requests|output_tokens|goodput)_per_s$/;
    expect(comparison.regressions.filter((key) => !decodeBound.test(key))).toEqual([]);
  }, 90_000);

  it("does not flag a 2 % slower prefill (within the 5 % tolerance)", async () => {
    const slightly = mergeRuns(await runsAgainst(simulatorFlags({ prefillMsPerToken: prefillMsPerToken * 1.02 }), 3));
    const comparison = compareReports(baseline, slightly);
    expect(comparison.regressions).toEqual([]);
  }, 90_000);
});
