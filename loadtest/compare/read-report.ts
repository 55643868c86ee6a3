/**
 * Reads a report for compare: a `report.json` path or a report folder. `parseReport` is the pure
 * check (schema tag and the sections compare reads); `readReport` adds the file system.
 */
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { REPORT_SCHEMA, type Report } from "../report/report-types.ts";
import { ReportReadError } from "./compare-errors.ts";

/** Validates parsed JSON as a `vigil.report/v1` report, naming every missing section at once. */
export function parseReport(json: unknown, path: string): Report {
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new ReportReadError(path, "not a JSON object");
  const record = json as Record<string, unknown>;
  if (record.schema !== REPORT_SCHEMA) throw new ReportReadError(path, `schema is ${JSON.stringify(record.schema)}, expected "${REPORT_SCHEMA}"`);
  const missing = ["run", "scenario", "counts", "throughput", "summary", "histograms", "windows", "errors", "goodput", "runs"].filter((key) => typeof record[key] !== "object" || record[key] === null);
  const run = record.run as Record<string, unknown> | undefined;
  if (run && (typeof run.environment !== "object" || run.environment === null)) missing.push("run.environment");
  if (missing.length > 0) throw new ReportReadError(path, `missing ${missing.join(", ")}`);
  return json as Report;
}

/** Reads and validates `path` (a file, or a folder holding `report.json`). */
export async function readReport(path: string): Promise<Report> {
  let file = path;
  try {
    if ((await stat(path)).isDirectory()) file = join(path, "report.json");
  } catch (error) {
    throw new ReportReadError(path, "no such file or folder", { cause: error });
  }
  let text: string;
  try {
    text = await Bun.file(file).text();
  } catch (error) {
    throw new ReportReadError(file, (error as Error).message, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ReportReadError(file, `invalid JSON: ${(error as Error).message}`, { cause: error });
  }
  return parseReport(json, file);
}
