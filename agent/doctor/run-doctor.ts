/**
 * `vigil-agent doctor [agent flags]`: checks and explains, one line each, why a
 * dashboard could be empty: NVML and the GPUs, each vLLM target and its metrics,
 * the listen port, the OTLP collector, the Pushgateway, the recording path, the
 * clock. Takes the same flags and environment as the agent. Exit 0 when healthy, 1
 * otherwise (2 for a usage error).
 */
import { parseConfig } from "../config/parse-config.ts";
import { UsageError } from "../errors.ts";
import { checkNvml } from "./check-nvml.ts";
import { checkVllm } from "./check-vllm.ts";
import { checkClock, checkListen, checkOtlp, checkPushgateway, checkRecord } from "./check-endpoints.ts";
import { type DoctorCheck, doctorExitCode, renderDoctorReport } from "./doctor-check.ts";

export interface DoctorIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly version: string;
}

export const DOCTOR_HELP = `Usage: vigil-agent doctor [agent flags]

Checks and explains, one line each: NVML and the GPUs, each vLLM target (reachable,
version, expected metrics present, missing or renamed), the listen port, the OTLP
collector, the Pushgateway, the recording path, the clock. Takes the agent's flags
(--vllm, --nvml-library, --listen, --otlp, ...). Exit 0 when healthy, 1 otherwise.
`;

export async function runDoctor(argv: readonly string[], io: DoctorIo): Promise<number> {
  let config;
  try {
    const request = parseConfig(argv, io.env);
    if (request.kind === "help") {
      io.stdout.write(DOCTOR_HELP);
      return 0;
    }
    if (request.kind === "version") {
      io.stdout.write(`vigil-agent ${io.version}\n`);
      return 0;
    }
    config = request.config;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`vigil-agent: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const timeoutMs = Math.max(config.vllmTimeoutMs, 2_000);
  const [nvml, vllm, listen, otlp, pushgateway] = await Promise.all([
    checkNvml(config.nvmlLibrary, config.procfsPath),
    Promise.all(config.vllmTargets.map((target) => checkVllm(target, { timeoutMs }))),
    checkListen(config),
    checkOtlp(config.otlp, { timeoutMs }),
    checkPushgateway(config.pushgateway, { timeoutMs }),
  ]);
  const dates = [
    ...vllm.flatMap((v, i) => (v.dateHeader ? [{ from: config.vllmTargets[i]?.baseUrl ?? "vllm", clock: v.dateHeader }] : [])),
    ...(otlp.dateHeader ? [{ from: "otlp", clock: otlp.dateHeader }] : []),
    ...(pushgateway?.dateHeader ? [{ from: "pushgateway", clock: pushgateway.dateHeader }] : []),
  ];
  const vllmChecks: DoctorCheck[] = config.vllmTargets.length === 0 ? [{ subject: "vllm", status: "skip", message: "no target (--no-vllm)" }] : vllm.flatMap((v) => v.checks);
  const record = checkRecord(config.record);
  const checks: DoctorCheck[] = [
    ...nvml,
    ...vllmChecks,
    listen,
    otlp.check,
    ...(pushgateway ? [pushgateway.check] : []),
    ...(record ? [record] : []),
    checkClock(dates, Date.now()),
  ];
  io.stdout.write(renderDoctorReport(checks));
  return doctorExitCode(checks);
}
