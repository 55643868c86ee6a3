/** What the alternative runners cannot measure, shared by each runner's RunnerInfo. */
import type { MetricName } from "../report/report-types.ts";

/** Metrics a non-streamed run cannot measure (autocannon always, k6 without xk6-sse). */
export const NON_STREAMED_NOT_AVAILABLE: readonly MetricName[] = ["ttftMs", "ttftVllmMs", "itlMs", "tpotMs", "ttftFromPlannedMs"];
