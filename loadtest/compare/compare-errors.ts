/** Typed failures of `compare`; the CLI maps each to exit 2 with its one-line message. */
import type { FieldDifference } from "./comparison-types.ts";

/** Two reports whose scenario, model or workload differ so that comparing them means nothing. */
export class IncompatibleReportsError extends Error {
  override readonly name = "IncompatibleReportsError";
  readonly code = "INCOMPATIBLE_REPORTS";
  constructor(readonly differences: readonly FieldDifference[]) {
    super(`Cannot compare the reports: ${differences.map(describeDifference).join("; ")}`);
  }
}

/** A report file that could not be read or is not a `vigil.report/v1` report. */
export class ReportReadError extends Error {
  override readonly name = "ReportReadError";
  readonly code = "REPORT_READ";
  constructor(
    readonly path: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`Cannot read report ${path}: ${reason}`, options);
  }
}

/** A bad command line or option value (tolerance, format, confidence). */
export class CompareUsageError extends Error {
  override readonly name = "CompareUsageError";
  readonly code = "COMPARE_USAGE";
}

/** `scenario.workload.stream differs: baseline true, candidate false`. */
export function describeDifference(difference: FieldDifference): string {
  return `${difference.field} differs: baseline ${show(difference.baseline)}, candidate ${show(difference.candidate)}`;
}

function show(value: unknown): string {
  if (value === undefined) return "(absent)";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
