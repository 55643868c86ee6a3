/** Summary cards: latency percentiles per metric, throughput, goodput, errors, counts and schedule. */
import type { MetricName, Report } from "../report-types.ts";
import { escapeHtml } from "./escape-html.ts";
import { dl, num } from "./html-parts.ts";

const LATENCY_CARDS: readonly [MetricName, string][] = [
  ["ttftMs", "TTFT"],
  ["itlMs", "ITL"],
  ["tpotMs", "TPOT"],
  ["e2eMs", "E2E"],
  ["ttftFromPlannedMs", "TTFT from planned send"],
  ["e2eFromPlannedMs", "E2E from planned send"],
];

/** The cards. */
export function summarySection(report: Report): string {
  const cards: string[] = [];
  for (const [metric, title] of LATENCY_CARDS) {
    const s = report.summary[metric];
    if (!s) {
      if (metric.includes("Planned")) continue;
      cards.push(`<div class="card" data-metric="${metric}"><h3>${escapeHtml(title)}</h3><p class="note">not measured</p></div>`);
      continue;
    }
    const p = (k: "p50" | "p90" | "p95" | "p99" | "p999" | "mean" | "max") => num(s[k], "ms", `summary.${metric}.${k}`);
    cards.push(
      `<div class="card" data-metric="${metric}"><h3>${escapeHtml(title)}</h3>${dl([
        ["p50", p("p50")],
        ["p90", p("p90")],
        ["p95", p("p95")],
        ["p99", p("p99")],
        ["p99.9", p("p999")],
        ["mean", p("mean")],
        ["max", p("max")],
        ["count", num(s.count, "count", `summary.${metric}.count`)],
      ])}</div>`,
    );
  }
  const t = report.throughput;
  cards.push(
    `<div class="card" data-metric="throughput"><h3>Throughput</h3>${dl([
      ["requests", num(t.requestsPerS, "1/s", "throughput.requestsPerS")],
      ["output tokens", num(t.outputTokensPerS, "1/s", "throughput.outputTokensPerS")],
      ["total tokens", num(t.totalTokensPerS, "1/s", "throughput.totalTokensPerS")],
      ["sent", num(t.sentPerS, "1/s", "throughput.sentPerS")],
      ["measured for", num(t.durationMs, "ms", "throughput.durationMs")],
    ])}</div>`,
  );
  const g = report.goodput;
  const slo = g.slo ? Object.entries(g.slo).filter(([, v]) => v !== null).map(([k, v]) => `${k.replace(/Ms$/, "")} ≤ ${v} ms`).join(", ") : "none (goodput = completed)";
  cards.push(
    `<div class="card" data-metric="goodput"><h3>Goodput</h3>${dl([
      ["good requests", num(g.goodputPerS, "1/s", "goodput.goodputPerS")],
      ["good ratio", num(g.goodRatio, "percent", "goodput.goodRatio")],
      ["good count", num(g.goodRequests, "count", "goodput.goodRequests")],
      ["SLO", escapeHtml(slo || "none")],
    ])}</div>`,
  );
  const e = report.errors;
  cards.push(
    `<div class="card" data-metric="errors"><h3>Errors</h3>${dl([
      ["failed", num(e.total, "count", "errors.total")],
      ["error rate", num(e.rate, "percent", "errors.rate")],
      ...Object.entries(e.byType).map(([type, v]) => [type, num(v?.count, "count", `errors.byType.${type}.count`)] as const),
    ])}</div>`,
  );
  const c = report.counts;
  cards.push(
    `<div class="card" data-metric="counts"><h3>Requests</h3>${dl([
      ["started", num(c.started, "count", "counts.started")],
      ["completed", num(c.completed, "count", "counts.completed")],
      ["failed", num(c.failed, "count", "counts.failed")],
      ["not sent", num(c.notSent, "count", "counts.notSent")],
      ["warm-up", num(c.warmup, "count", "counts.warmup")],
      ["output tokens", num(c.outputTokens, "count", "counts.outputTokens")],
      ["token counts from", escapeHtml(c.tokenSource)],
    ])}</div>`,
  );
  const sc = report.schedule;
  cards.push(
    `<div class="card" data-metric="schedule"><h3>Schedule (${escapeHtml(sc.model)} loop)</h3>${dl([
      ["target rate", num(sc.targetRatePerS, "1/s", "schedule.targetRatePerS")],
      ["achieved rate", num(sc.achievedRatePerS, "1/s", "schedule.achievedRatePerS")],
      ["lag p99", num(sc.lagMs?.p99 ?? null, "ms", "schedule.lagMs.p99")],
      ["queued", num(sc.queuedRequests, "count", "schedule.queuedRequests")],
      ["fell behind", sc.fellBehind ? `<strong>yes</strong>: ${escapeHtml(sc.reasons.join("; "))}` : "no"],
    ])}</div>`,
  );
  return `<section id="summary"><h2>Summary</h2><div class="cards">${cards.join("")}</div></section>`;
}
