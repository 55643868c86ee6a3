/**
 * Each vLLM target: reachable, its version (GET /version, which vLLM's API server
 * serves), and which of the metrics the agent and its dashboards rely on are
 * present, missing, or present only under an older name.
 */
import type { VllmTargetConfig } from "../config/agent-config.ts";
import { parseExposition } from "../exposition/parse-exposition.ts";
import { type ClockReading, type DoctorCheck, clockOf } from "./doctor-check.ts";

/** The metrics the agent reads, each with the older names vLLM used for it. */
export const EXPECTED_VLLM_METRICS: readonly (readonly [current: string, ...older: string[]])[] = [
  ["vllm:num_requests_running"],
  ["vllm:num_requests_waiting"],
  ["vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc"],
  ["vllm:prompt_tokens_total"],
  ["vllm:generation_tokens_total"],
  ["vllm:num_preemptions_total"],
  ["vllm:request_success_total"],
  ["vllm:time_to_first_token_seconds"],
  ["vllm:inter_token_latency_seconds", "vllm:time_per_output_token_seconds"],
  ["vllm:e2e_request_latency_seconds"],
  ["vllm:request_queue_time_seconds"],
];

export interface VllmCheckResult {
  readonly checks: DoctorCheck[];
  /** The server's Date header, for the clock check. */
  readonly dateHeader: ClockReading | null;
}

/** Checks one target; never throws. */
export async function checkVllm(target: VllmTargetConfig, options: { timeoutMs: number; fetch?: typeof fetch }): Promise<VllmCheckResult> {
  const fetchImpl = options.fetch ?? fetch;
  const subject = `vllm ${target.baseUrl}`;
  let response: Response;
  try {
    response = await fetchImpl(`${target.baseUrl}/metrics`, { signal: AbortSignal.timeout(options.timeoutMs) });
  } catch (error) {
    const reason = error instanceof Error && error.name === "TimeoutError" ? `no answer within ${options.timeoutMs} ms` : describeFetchError(error);
    if (target.probed) return { checks: [{ subject, status: "warn", message: `no vLLM at the default address (${reason}); pass --vllm URL, or --no-vllm on a host without one` }], dateHeader: null };
    return { checks: [{ subject, status: "fail", message: `unreachable: ${reason}` }], dateHeader: null };
  }
  const dateHeader = clockOf(response);
  if (!response.ok) return { checks: [{ subject, status: "fail", message: `GET /metrics answered status ${response.status}` }], dateHeader };
  let names: Set<string>;
  try {
    names = new Set(parseExposition(await response.text()).map((f) => f.name));
  } catch (error) {
    return { checks: [{ subject, status: "fail", message: `GET /metrics is not Prometheus text: ${error instanceof Error ? error.message : String(error)}` }], dateHeader };
  }
  const version = await readVersion(target.baseUrl, fetchImpl, options.timeoutMs);
  const missing: string[] = [];
  const renamed: string[] = [];
  for (const [current, ...older] of EXPECTED_VLLM_METRICS) {
    if (names.has(current)) continue;
    const old = older.find((name) => names.has(name));
    if (old) renamed.push(`${old} instead of ${current}`);
    else missing.push(current);
  }
  const present = EXPECTED_VLLM_METRICS.length - missing.length - renamed.length;
  const checks: DoctorCheck[] = [
    { subject, status: "ok", message: `reachable, ${version ? `vLLM ${version}` : "version unknown (no /version)"}, ${present}/${EXPECTED_VLLM_METRICS.length} expected metrics present` },
  ];
  if (renamed.length > 0) {
    checks.push({ subject, status: "warn", message: `renamed: ${renamed.join("; ")} (an older vLLM; the agent falls back, but dashboards built on the new names stay empty)` });
  }
  if (missing.length > 0) checks.push({ subject, status: "warn", message: `missing: ${missing.join(", ")} (panels built on them stay empty)` });
  return { checks, dateHeader };
}

async function readVersion(baseUrl: string, fetchImpl: typeof fetch, timeoutMs: number): Promise<string | null> {
  try {
    const response = await fetchImpl(`${baseUrl}/version`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return null;
    const body = (await response.json()) as { version?: unknown };
    return typeof body.version === "string" ? body.version : null;
  } catch {
    // Not every server in front of vLLM exposes /version: the version is then just unknown.
    return null;
  }
}

/** `ECONNREFUSED` and friends from Bun's fetch error. */
export function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as Error & { code?: string }).code;
  return code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
}
