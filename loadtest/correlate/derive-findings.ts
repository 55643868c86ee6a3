/**
 * Plain-language findings from the joined windows, most important first, each with the windows that
 * show it: a latency rise and what moved with it, time at the power limit, GPU saturation, a full KV
 * cache, preemptions, queueing, throttled clocks, the strongest correlation, and gaps in telemetry.
 * Thresholds are deliberately simple and printed in the wording, so a reader can check them by eye.
 */
import { clockEventReasonNames } from "../../agent/gpu/clock-event-reasons.ts";
import type { ReportWindow } from "../report/report-types.ts";
import { formatClock, formatMs, formatPercent, formatValue } from "../report/html/format-value.ts";
import { TELEMETRY_SERIES, type TelemetryCorrelation, type TelemetryFinding, type TelemetrySeriesInfo, type TelemetrySeriesName, type TelemetryWindow } from "../report/telemetry-types.ts";
import { CLIENT_SERIES, type ClientSeriesName } from "./client-series.ts";

export interface FindingsInput {
  /** Report windows, all of them (warm-up included; only measured ones are judged). */
  readonly windows: readonly ReportWindow[];
  readonly windowMs: number;
  readonly client: Readonly<Record<ClientSeriesName, readonly (number | null)[]>>;
  /** Aligned with `windows`. */
  readonly telemetry: readonly TelemetryWindow[];
  readonly series: readonly TelemetrySeriesInfo[];
  readonly correlations: readonly TelemetryCorrelation[];
}

/** Clock event reasons that mean the GPU was slowed down (not idle, not an app clock setting). */
const SLOWDOWN_BITS = 0x4 | 0x8 | 0x20 | 0x40 | 0x80;
/** Power within 3% of the enforced limit counts as "at the limit" (NVML's power reading is averaged). */
const POWER_AT_LIMIT = 0.97;

/** Computes the findings. */
export function deriveFindings(input: FindingsInput): TelemetryFinding[] {
  const measured = input.windows.map((w, i) => (w.phase === "warmup" ? -1 : i)).filter((i) => i >= 0);
  if (measured.length === 0) return [];
  const t = (i: number, name: TelemetrySeriesName): number | null => input.telemetry[i]?.[name] ?? null;
  const at = (i: number) => input.windows[i]!.startEpochMs;
  const evidence = (from: number, to: number) => ({ fromWindow: input.windows[from]!.index, toWindow: input.windows[to]!.index, atEpochMs: at(from) });
  const findings: TelemetryFinding[] = [];

  for (const name of ["ttftMs.p95", "itlMs.p95", "e2eMs.p95"] as const) {
    const rise = latencyRise(input, measured, name, t);
    if (rise) findings.push({ ...rise, evidence: evidence(rise.onset, rise.peak) });
    if (rise && name === "ttftMs.p95") break; // one rise story is enough when TTFT already tells it
  }

  // Fraction of measured windows (that have the series) where a condition holds.
  const share = (test: (i: number) => boolean | null) => {
    const known = measured.filter((i) => test(i) !== null);
    const hits = known.filter((i) => test(i) === true);
    return { known: known.length, hits, ratio: known.length === 0 ? 0 : hits.length / known.length };
  };

  const power = share((i) => {
    const p = t(i, "gpuPowerWatts");
    const limit = t(i, "gpuPowerLimitWatts");
    return p === null || limit === null || limit <= 0 ? null : p >= POWER_AT_LIMIT * limit;
  });
  if (power.hits.length > 0 && power.ratio >= 0.05) {
    const first = power.hits[0]!;
    findings.push({
      severity: "warning",
      code: "power-at-limit",
      message: `GPU power was at its limit (${formatValue(t(first, "gpuPowerLimitWatts"), "W")}, within ${Math.round((1 - POWER_AT_LIMIT) * 100)}%) for ${formatPercent(power.ratio)} of the run, first at ${formatClock(at(first))}.`,
      evidence: evidence(first, power.hits[power.hits.length - 1]!),
    });
  }

  const throttle = share((i) => {
    const mask = t(i, "gpuClockEventReasons");
    return mask === null ? null : (mask & SLOWDOWN_BITS) !== 0;
  });
  if (throttle.hits.length > 0 && throttle.ratio >= 0.05) {
    const reasons = new Set(throttle.hits.flatMap((i) => clockEventReasonNames((t(i, "gpuClockEventReasons") as number) & SLOWDOWN_BITS)));
    findings.push({
      severity: "warning",
      code: "clock-throttled",
      message: `GPU clocks were held down (${[...reasons].join(", ")}) for ${formatPercent(throttle.ratio)} of the run, first at ${formatClock(at(throttle.hits[0]!))}.`,
      evidence: evidence(throttle.hits[0]!, throttle.hits[throttle.hits.length - 1]!),
    });
  }

  const busy = share((i) => {
    const u = t(i, "gpuUtilizationRatio");
    return u === null ? null : u >= 0.95;
  });
  if (busy.hits.length > 0 && busy.ratio >= 0.2) {
    findings.push({
      severity: "info",
      code: "gpu-saturated",
      message: `GPU utilization was at or above 0.95 for ${formatPercent(busy.ratio)} of the run, first at ${formatClock(at(busy.hits[0]!))}.`,
      evidence: evidence(busy.hits[0]!, busy.hits[busy.hits.length - 1]!),
    });
  }

  const kv = share((i) => {
    const k = t(i, "kvCacheUsageRatio");
    return k === null ? null : k >= 0.9;
  });
  if (kv.hits.length > 0) {
    const peak = argMax(kv.hits, (i) => t(i, "kvCacheUsageRatio") ?? 0);
    findings.push({
      severity: "warning",
      code: "kv-cache-full",
      message: `KV-cache usage reached ${formatValue(t(peak, "kvCacheUsageRatio"), "ratio")} at ${formatClock(at(peak))} and was at or above 0.90 for ${formatPercent(kv.ratio)} of the run.`,
      evidence: evidence(kv.hits[0]!, kv.hits[kv.hits.length - 1]!),
    });
  }

  const preempting = measured.filter((i) => (t(i, "preemptionsPerS") ?? 0) > 0);
  if (preempting.length > 0) {
    const total = preempting.reduce((sum, i) => sum + (t(i, "preemptionsPerS") as number) * (input.windowMs / 1000), 0);
    findings.push({
      severity: "warning",
      code: "preemptions",
      message: `vLLM preempted about ${Math.round(total)} requests (KV cache full, work recomputed), first at ${formatClock(at(preempting[0]!))}.`,
      evidence: evidence(preempting[0]!, preempting[preempting.length - 1]!),
    });
  }

  const queued = share((i) => {
    const w = t(i, "requestsWaiting");
    return w === null ? null : w >= 0.5;
  });
  if (queued.hits.length > 0) {
    const peak = argMax(queued.hits, (i) => t(i, "requestsWaiting") ?? 0);
    findings.push({
      severity: "info",
      code: "queueing",
      message: `Requests waited in vLLM's queue in ${formatPercent(queued.ratio)} of the windows (up to ${formatValue(t(peak, "requestsWaiting"), "count")} waiting at ${formatClock(at(peak))}).`,
      evidence: evidence(queued.hits[0]!, queued.hits[queued.hits.length - 1]!),
    });
  }

  const strongest = input.correlations
    .filter((c) => c.client === "ttftMs.p95" && c.pearson !== null && c.n >= 5 && Math.abs(c.pearson) >= 0.6)
    .sort((a, b) => Math.abs(b.pearson as number) - Math.abs(a.pearson as number))[0];
  if (strongest) {
    findings.push({
      severity: "info",
      code: "strongest-correlation",
      message: `TTFT p95 moved most with ${TELEMETRY_SERIES[strongest.telemetry].label} (Pearson r = ${(strongest.pearson as number).toFixed(2)} over ${strongest.n} windows).`,
      evidence: null,
    });
  }

  const missingGroups = (["gpu", "vllm", "host"] as const).filter((group) => input.series.filter((s) => s.group === group).every((s) => !s.available));
  const gappy = input.series.filter((s) => s.available && s.missingWindows > 0.1 * measured.length);
  if (missingGroups.length > 0 || gappy.length > 0) {
    const parts = [
      ...missingGroups.map((g) => `no ${g === "gpu" ? "GPU" : g === "vllm" ? "vLLM" : "host"} series`),
      ...gappy.map((s) => `${s.label} missing in ${s.missingWindows} of ${measured.length} windows`),
    ];
    findings.push({ severity: "info", code: "telemetry-partial", message: `Telemetry is partial: ${parts.join("; ")}. Missing values are shown as gaps, not zeros.`, evidence: null });
  }
  return findings;
}

interface Rise {
  readonly severity: "warning";
  readonly code: string;
  readonly message: string;
  readonly onset: number;
  readonly peak: number;
}

/**
 * A latency series "rose" when, after a baseline (median of the first fifth of the measured windows,
 * at least 3), it stays above max(2 x baseline, baseline + 20 ms) for 2 of the next 3 windows. The
 * causes named are the telemetry conditions true within one window of the onset.
 */
function latencyRise(input: FindingsInput, measured: readonly number[], name: ClientSeriesName, t: (i: number, s: TelemetrySeriesName) => number | null): Rise | null {
  const values = input.client[name];
  const present = measured.filter((i) => values[i] !== null && values[i] !== undefined);
  if (present.length < 6) return null;
  const baseCount = Math.max(3, Math.floor(present.length / 5));
  const baseline = median(present.slice(0, baseCount).map((i) => values[i] as number));
  const limit = Math.max(2 * baseline, baseline + 20);
  let onsetPos = -1;
  for (let p = baseCount; p < present.length; p++) {
    if ((values[present[p]!] as number) <= limit) continue;
    const next = present.slice(p + 1, p + 4).map((i) => values[i] as number);
    if (next.length === 0 || next.filter((v) => v > limit).length >= Math.min(2, next.length)) {
      onsetPos = p;
      break;
    }
  }
  if (onsetPos === -1) return null;
  const onset = present[onsetPos]!;
  const after = present.slice(onsetPos);
  const peak = argMax(after, (i) => values[i] as number);
  const near = measured.filter((i) => i >= onset - 1 && i <= onset + 1);
  const baseWindows = present.slice(0, baseCount);
  const maxNear = (s: TelemetrySeriesName) => {
    const v = near.map((i) => t(i, s)).filter((x): x is number => x !== null);
    return v.length === 0 ? null : Math.max(...v);
  };
  const maxBase = (s: TelemetrySeriesName) => {
    const v = baseWindows.map((i) => t(i, s)).filter((x): x is number => x !== null);
    return v.length === 0 ? null : Math.max(...v);
  };
  const causes: string[] = [];
  const waiting = maxNear("requestsWaiting");
  if (waiting !== null && waiting >= 0.5) causes.push((maxBase("requestsWaiting") ?? 0) < 0.5 ? "waiting requests exceeded 0" : `waiting requests reached ${formatValue(waiting, "count")}`);
  const kv = maxNear("kvCacheUsageRatio");
  if (kv !== null && kv >= 0.8) causes.push(`KV-cache usage reached ${formatValue(kv, "ratio")}`);
  if ((maxNear("preemptionsPerS") ?? 0) > 0) causes.push("vLLM began preempting requests");
  const util = maxNear("gpuUtilizationRatio");
  if (util !== null && util >= 0.95) causes.push(`GPU utilization reached ${formatValue(util, "ratio")}`);
  const powerNear = near.some((i) => {
    const p = t(i, "gpuPowerWatts");
    const l = t(i, "gpuPowerLimitWatts");
    return p !== null && l !== null && l > 0 && p >= POWER_AT_LIMIT * l;
  });
  if (powerNear) causes.push("GPU power reached its limit");
  const running = maxNear("requestsRunning");
  const runningBase = maxBase("requestsRunning");
  if (causes.length === 0 && running !== null && runningBase !== null && running >= 2 * Math.max(1, runningBase)) causes.push(`running requests grew from ${formatValue(runningBase, "count")} to ${formatValue(running, "count")}`);
  const cpu = maxNear("hostCpuUtilizationRatio");
  if (cpu !== null && cpu >= 0.9) causes.push(`host CPU utilization reached ${formatValue(cpu, "ratio")}`);
  // The first three conditions (queue, KV cache, preemption come first) tell the story; more is noise.
  causes.splice(3);
  const label = CLIENT_SERIES[name].label;
  const from = formatMs(baseline);
  const to = formatMs(values[peak] as number);
  const when = formatClock(input.windows[onset]!.startEpochMs);
  const message =
    causes.length > 0
      ? `${label} rose from ${from} to ${to} when ${joinCauses(causes)} at ${when}.`
      : `${label} rose from ${from} to ${to} at ${when}; no telemetry series crossed a limit with it.`;
  return { severity: "warning", code: "latency-rise", message, onset, peak };
}

function joinCauses(causes: readonly string[]): string {
  if (causes.length <= 1) return causes.join("");
  return `${causes.slice(0, -1).join(", ")} and ${causes[causes.length - 1]}`;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function argMax(indexes: readonly number[], value: (i: number) => number): number {
  let best = indexes[0] as number;
  for (const i of indexes) if (value(i) > value(best)) best = i;
  return best;
}
