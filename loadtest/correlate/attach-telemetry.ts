/**
 * Puts telemetry into a report: sets `telemetry` and appends its findings to the report's own
 * (replacing telemetry findings from an earlier attach, so re-correlating a report is idempotent).
 */
import type { Finding, Report } from "../report/report-types.ts";
import type { TelemetryReport } from "../report/telemetry-types.ts";

/** Prefix of the `code` of every finding that came from telemetry. */
export const TELEMETRY_FINDING_PREFIX = "telemetry.";

/** A new report with `telemetry` set and its findings appended. */
export function attachTelemetry(report: Report, telemetry: TelemetryReport): Report {
  const own = report.findings.filter((f) => !f.code.startsWith(TELEMETRY_FINDING_PREFIX));
  const added: Finding[] = telemetry.findings.map((f) => ({ severity: f.severity, code: `${TELEMETRY_FINDING_PREFIX}${f.code}`, message: f.message }));
  return { ...report, telemetry, findings: [...own, ...added] };
}
