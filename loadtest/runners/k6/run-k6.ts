/**
 * `--runner k6` and `--ingest-k6`: NOT BUILT YET (issue 9 is open). The CLI is wired to these two
 * functions; until the k6 script generator and the NDJSON ingest land, both refuse with one clear line
 * (exit 2) instead of writing a report that would claim a k6 run.
 */
import { UsageError } from "../../../agent/errors.ts";
import type { RunnerInfo } from "../../report/report-types.ts";
import type { ScenarioRunResult } from "../../run-scenario.ts";
import type { NormalizedScenario } from "../../scenario/normalized-scenario.ts";

/** What `--runner k6` did: wrote the script only (k6 not on PATH), or ran k6 and ingested its results. */
export type K6Outcome =
  | { readonly kind: "script-only"; readonly scriptPath: string; readonly command: string; readonly message: string }
  | { readonly kind: "ran"; readonly scriptPath: string; readonly ndjsonPath: string; readonly k6ExitCode: number; readonly result: ScenarioRunResult; readonly info: RunnerInfo };

const NOT_BUILT = "is not built yet (issue 9: the k6 script generator and NDJSON ingest are still to come); use the native runner or --runner autocannon";

/** @throws UsageError: not built yet. */
export async function runK6(_scenario: NormalizedScenario, _options: { readonly directory: string; readonly headers: Readonly<Record<string, string>>; readonly requestIdPrefix: string; readonly env?: Readonly<Record<string, string | undefined>> }): Promise<K6Outcome> {
  throw new UsageError(`--runner k6 ${NOT_BUILT}`);
}

/** @throws UsageError: not built yet. */
export async function ingestK6File(_path: string, _scenario: NormalizedScenario): Promise<{ readonly result: ScenarioRunResult; readonly info: RunnerInfo }> {
  throw new UsageError(`--ingest-k6 ${NOT_BUILT}`);
}
