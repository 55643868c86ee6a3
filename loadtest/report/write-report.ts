/**
 * Writes a report folder: `report.json` plus whatever other writers are plugged in (an HTML writer
 * sits beside the JSON one). Each writer is a pure `render(report) -> files`; this module does the I/O.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Report } from "./report-types.ts";

/** A view of the report as files in the report folder. */
export interface ReportWriter {
  readonly name: string;
  /** File name to content. */
  render(report: Report): Readonly<Record<string, string>>;
}

/** The canonical JSON writer. */
export const jsonReportWriter: ReportWriter = {
  name: "json",
  render: (report) => ({ "report.json": `${JSON.stringify(report, null, 2)}\n` }),
};

/** `reports/<scenario>-<time>`: the folder of a run under `outRoot`. */
export function reportDirectory(outRoot: string, id: string): string {
  return join(outRoot, id);
}

/** The id of a run: scenario name plus compact UTC time, e.g. `ttft-20261201T224501Z`. */
export function reportId(scenarioName: string, startedAtEpochMs: number): string {
  const stamp = new Date(startedAtEpochMs).toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  return `${scenarioName}-${stamp}`;
}

/** Writes every writer's files into `directory`; returns the paths written. */
export async function writeReport(report: Report, directory: string, writers: readonly ReportWriter[] = [jsonReportWriter]): Promise<string[]> {
  await mkdir(directory, { recursive: true });
  const written: string[] = [];
  for (const writer of writers) {
    for (const [name, content] of Object.entries(writer.render(report))) {
      const path = join(directory, name);
      await Bun.write(path, content);
      written.push(path);
    }
  }
  return written;
}
