/** --help text, generated from the option table so it lists every flag. */
import { OPTION_TABLE, envNameOf } from "./option-table.ts";

/** Returns the help text; the caller prints it. */
export function renderHelp(version: string): string {
  const lines = [
    `vigil-agent ${version}: GPU, host and vLLM metrics for Prometheus, with a timeline for load tests`,
    "",
    "Usage: vigil-agent [flags]",
    "       vigil-agent doctor [flags]        check NVML, vLLM targets, the listen port and OTLP; explain what is wrong",
    "       vigil-agent export RECORDING ...  turn a --record file into csv, json or prom (see export --help)",
    "",
    "Serves /metrics (Prometheus text or OpenMetrics), /healthz, /readyz, /api/v1/snapshot and /api/v1/timeline.",
    "Each flag can also be set by its environment variable; a flag wins over the environment.",
    "",
    "Flags:",
  ];
  for (const spec of OPTION_TABLE) {
    const value = spec.kind === "boolean" ? "" : ` ${spec.valueName ?? spec.kind.toUpperCase()}`;
    const env = spec.flag === "help" || spec.flag === "version" ? "" : ` [${[envNameOf(spec.flag), ...(spec.envAliases ?? [])].join(", ")}]`;
    const fallback = spec.defaultText ? ` (default ${spec.defaultText})` : "";
    const choices = spec.values ? ` One of: ${spec.values.join(", ")}.` : "";
    lines.push(`  --${spec.flag}${value}`, `      ${spec.help}${choices}${fallback}${env}`);
  }
  lines.push("", "Exit status: 0 ok, 1 failure, 2 usage error.");
  return `${lines.join("\n")}\n`;
}
