/** `bun run loadtest --help`. */
import { LOADTEST_FLAGS } from "./parse-args.ts";

/** The help text. */
export function renderHelp(): string {
  const flags = LOADTEST_FLAGS.map((f) => `  --${f.flag}${f.value ? ` ${f.value}` : ""}`.padEnd(22) + f.help).join("\n");
  return `Usage: bun run loadtest <scenario.ts> [flags]

Runs a capacity test against an OpenAI-compatible inference server (vLLM, the Vigil simulator, ...)
from a scenario file (scenarios/*.ts: export default { target, workload, load, ... } satisfies Scenario)
and writes reports/<scenario>-<time>/report.json (schema vigil.report/v1).

Flags (override the scenario's fields):
${flags}

Executors (load.executor): constant-vus, ramping-vus (closed loop); constant-arrival-rate,
ramping-arrival-rate (open loop: arrival uniform | poisson | gamma + burstiness, maxInFlight);
sweep (levels of rate or concurrency; finds the knee: highest level meeting the thresholds).

Thresholds (k6 grammar): { ttft_ms: ["p(95)<500"], error_rate: ["rate<0.01"], output_tokens_per_s: ["avg>1000"] }
  trends: ttft_ms ttft_vllm_ms itl_ms tpot_ms e2e_ms ttft_from_planned_ms e2e_from_planned_ms queue_ms
          schedule_lag_ms input_tokens output_tokens  (avg min max med count p(N))
  rates: error_rate good_ratio (rate); counters: requests failed_requests (count rate)
  per second: requests_per_s output_tokens_per_s total_tokens_per_s goodput_per_s (avg = whole run;
          min max med p(N) over 1 s windows); achieved_ratio (value)

Runners (--runner): native (streaming, every metric; our HTTP/1.1 client for http://, its reads
stamped by the kernel on Linux, or in Bun's socket callback elsewhere and with --http-client
bun-sockets; Bun fetch for https:// or with --http-client fetch; report.json's run.client says which);
autocannon (non-streamed requests only: E2E, tokens, throughput; pair with --no-stream); k6 (writes
a k6 script, runs k6 when it is on PATH and ingests its --out json results; without k6 it writes the
script and the commands, exit 0).
--ingest-k6 FILE builds the report from a k6 NDJSON file (plain or .gz) run elsewhere; repeat it to
ingest one file per k6 instance (k6-operator pods) as one run.

Ctrl-C stops sending, gives in-flight requests the scenario's gracefulStop (default 30s; a second
Ctrl-C aborts them), writes the report of what was measured and exits 130.

Exit codes: 0 ok, 1 failure (nothing completed, or an internal error), 2 usage or scenario error,
99 thresholds failed, 130 interrupted.
`;
}
