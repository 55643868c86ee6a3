/** Evaluates parsed thresholds against measured values (pure: the values arrive as a lookup). */
import type { ThresholdResult } from "../report/report-types.ts";
import type { ScenarioThreshold } from "../scenario/normalized-scenario.ts";
import { compareThreshold } from "./parse-threshold.ts";

/** Returns the measured value of `metric` under `threshold`'s aggregation, or null when there is no data. */
export type ThresholdLookup = (threshold: ScenarioThreshold) => number | null;

/**
 * Evaluates every threshold; one with no data fails (k6 treats a missing metric as a failure only
 * when it is not there at all; we are stricter so a broken run cannot pass a latency gate).
 */
export function evaluateThresholds(thresholds: readonly ScenarioThreshold[], lookup: ThresholdLookup): ThresholdResult[] {
  return thresholds.map((threshold) => {
    const actual = lookup(threshold);
    return {
      metric: threshold.metric,
      expression: threshold.expression,
      aggregation: threshold.aggregation,
      operator: threshold.operator,
      limit: threshold.limit,
      actual,
      passed: actual !== null && Number.isFinite(actual) && compareThreshold(actual, threshold.operator, threshold.limit),
    };
  });
}
