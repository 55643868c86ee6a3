/**
 * Writes a report as a scenario's saved baseline, `reports/baseline/<scenario name>.json`. Only
 * `bun run baseline` / `loadtest --baseline` call it, so a normal run never touches a baseline; and
 * a run that failed (thresholds, errors, Ctrl-C) is refused, so a broken run cannot become the bar.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Report } from "../report/report-types.ts";

/** Where baselines live, relative to the repository root. */
export const BASELINE_ROOT = "reports/baseline";

/** A run that must not become a baseline. */
export class BaselineRefusedError extends Error {
  override readonly name = "BaselineRefusedError";
  readonly code = "BASELINE_REFUSED";
}

/** The baseline path of a scenario under `root`. */
export function baselinePath(scenarioName: string, root: string = BASELINE_ROOT): string {
  return join(root, `${scenarioName}.json`);
}

/**
 * Writes `report` as the baseline of its scenario and returns the path.
 * @throws BaselineRefusedError when the run was interrupted or exited non-zero.
 */
export async function writeBaseline(report: Report, root: string = BASELINE_ROOT): Promise<string> {
  if (report.run.status !== "completed" || report.run.exitCode !== 0) {
    throw new BaselineRefusedError(`Cannot write the baseline of ${report.scenario.name}: the run ${report.run.status === "completed" ? `exited ${report.run.exitCode}` : "was interrupted"}; fix the run first`);
  }
  await mkdir(root, { recursive: true });
  const path = baselinePath(report.scenario.name, root);
  await Bun.write(path, `${JSON.stringify(report, null, 2)}\n`);
  return path;
}
