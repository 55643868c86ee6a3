/** Reads and checks a report.json: a clear one-line error for a missing file, bad JSON or another schema. */
import { UsageError } from "../../agent/errors.ts";
import { REPORT_SCHEMA, type Report } from "./report-types.ts";

/** Parses `path`; throws UsageError naming the file and what is wrong. */
export async function readReportFile(path: string): Promise<Report> {
  const file = Bun.file(path);
  if (!(await file.exists())) throw new UsageError(`Cannot read the report ${path}: no such file`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(await file.text());
  } catch (error) {
    throw new UsageError(`Cannot read the report ${path}: not JSON (${(error as Error).message})`);
  }
  const schema = (parsed as { schema?: unknown } | null)?.schema;
  if (schema !== REPORT_SCHEMA) throw new UsageError(`Cannot read the report ${path}: schema is ${JSON.stringify(schema)}, expected "${REPORT_SCHEMA}"`);
  return parsed as Report;
}
