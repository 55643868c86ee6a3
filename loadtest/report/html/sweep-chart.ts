/** The sweep chart: achieved throughput against latency per level, with the capacity knee marked. */
import type { Report } from "../report-types.ts";
import { type ChartSpec, PALETTE } from "./chart-spec.ts";

/** null unless the run was a sweep. */
export function sweepChart(report: Report): ChartSpec | null {
  const sweep = report.sweep;
  if (!sweep || sweep.levels.length === 0) return null;
  const levels = sweep.levels.map((level, index) => ({ level, index })).sort((a, b) => a.level.throughput.requestsPerS - b.level.throughput.requestsPerS);
  const x = levels.map((l) => l.level.throughput.requestsPerS);
  const ttft = levels.map((l) => l.level.summary.ttftMs?.p95 ?? null);
  const e2e = levels.map((l) => l.level.summary.e2eMs?.p95 ?? null);
  const knee = levels.map((l) => (l.index === sweep.kneeLevelIndex ? (l.level.summary.ttftMs?.p95 ?? l.level.summary.e2eMs?.p95 ?? 0) : null));
  return {
    id: "sweep",
    title: `Sweep: throughput against latency (${sweep.mode === "rate" ? "rate" : "concurrency"} levels; knee ${sweep.knee === null ? "not found" : `at ${sweep.knee}`})`,
    xKind: "number",
    xLabel: "achieved requests/s",
    yLabel: "ms",
    series: [
      { label: "TTFT p95", unit: "ms", color: PALETTE[0] as string, scale: "y", style: "line" },
      { label: "E2E p95", unit: "ms", color: PALETTE[1] as string, scale: "y", style: "line" },
      { label: "knee", unit: "ms", color: PALETTE[6] as string, scale: "y", style: "points" },
    ],
    data: [x, ttft, e2e, knee],
    height: 260,
  };
}
