/**
 * Measures compare's false-alarm rate and power on real simulator runs (one VU, 4 s each, the
 * scenario of test/compare-sim.test.ts): N runs of the same thing compared pairwise (every ordered
 * pair: N·(N-1) same-vs-same comparisons), a 5-run baseline against each remaining single run (how
 * the CI gate is used), and single runs of a simulator 10 % slower in prefill or decode against that
 * baseline. Writes reports/bench/compare-false-alarms.json.
 *
 *   bun scripts/bench/compare-false-alarms.ts [--runs 10]
 */
import { compareReports } from "../../loadtest/compare/compare-reports.ts";
import { mergeRuns } from "../../loadtest/compare/merge-runs.ts";
import type { Report } from "../../loadtest/report/report-types.ts";
import { COMPARE_SIM_TIMINGS, compareSimFlags, compareSimRuns } from "../../loadtest/testing/compare-sim-runs.ts";

const runsAt = process.argv.indexOf("--runs");
const count = runsAt === -1 ? 10 : Number(process.argv[runsAt + 1]);
if (!Number.isInteger(count) || count < 6) {
  process.stderr.write(`compare-false-alarms: --runs must be an integer >= 6: current value is ${process.argv[runsAt + 1]}\n`);
  process.exit(2);
}

const { prefillMsPerToken: prefill, decodeMsPerSeq: decode } = COMPARE_SIM_TIMINGS;
const flags = (prefillMsPerToken: number = prefill, decodeMsPerSeq: number = decode) => compareSimFlags({ prefillMsPerToken, decodeMsPerSeq });

const started = performance.now();
const same = await compareSimRuns(flags(), count);
let pairs = 0;
let pairAlarms = 0;
let metricComparisons = 0;
let metricAlarms = 0;
const alarmsByMetric: Record<string, number> = {};
for (let i = 0; i < same.length; i++) {
  for (let j = 0; j < same.length; j++) {
    if (i === j) continue;
    const comparison = compareReports(same[i] as Report, same[j] as Report);
    pairs++;
    metricComparisons += comparison.metrics.length;
    if (comparison.regressions.length > 0) pairAlarms++;
    metricAlarms += comparison.regressions.length;
    for (const key of comparison.regressions) alarmsByMetric[key] = (alarmsByMetric[key] ?? 0) + 1;
  }
}
const baseline = mergeRuns(same.slice(0, 5));
const gateAlarms = same.slice(5).filter((candidate) => compareReports(baseline, candidate).regressions.length > 0).length;
const detection = async (label: string, simFlags: readonly string[], expected: RegExp) => {
  const candidates = await compareSimRuns(simFlags, 2);
  return candidates.map((candidate) => {
    const comparison = compareReports(baseline, candidate);
    return { label, regressions: comparison.regressions, detected: comparison.regressions.some((k) => expected.test(k)) };
  });
};
const power = [...(await detection("prefill +10%", flags(prefill * 1.1), /^ttft_/)), ...(await detection("decode +10%", flags(prefill, decode * 1.1), /^itl_|^tpot_/))];
const result = {
  name: "compare-false-alarms",
  measuredAt: new Date().toISOString(),
  method: `real simulator runs (1 VU, 4 s + 0.8 s warm-up, 200-token prompts, 16 output tokens; prefill ${prefill} ms/token, decode ${decode} ms/step), default compare options (99.7 % intervals, 1 % floor, 0.1 ms jitter)`,
  runs: count,
  sameVsSame: { comparisons: pairs, comparisonsWithAnyRegression: pairAlarms, falseAlarmRate: pairAlarms / pairs, metricComparisons, metricFalseAlarms: metricAlarms, metricFalseAlarmRate: metricAlarms / metricComparisons, alarmsByMetric },
  gate: { baselineRuns: 5, candidates: same.length - 5, falseAlarms: gateAlarms },
  power: { candidates: power.length, detected: power.filter((p) => p.detected).length, details: power },
  durationS: (performance.now() - started) / 1000,
};
await Bun.write("reports/bench/compare-false-alarms.json", `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
