/**
 * Test support: normalizes a scenario object, runs it with the native runner in this process and
 * returns the report plus every request record (what the CLI does, minus files and the terminal).
 */
import { buildReport } from "../report/build-report.ts";
import type { EnvironmentFingerprint, Report } from "../report/report-types.ts";
import type { RequestRecord } from "../runner/request-record.ts";
import { closeTransport, createTransport, type HttpClientChoice } from "../runner/create-transport.ts";
import { runScenario, type ScenarioRunResult } from "../run-scenario.ts";
import type { Scenario } from "../scenario.ts";
import type { NormalizedScenario } from "../scenario/normalized-scenario.ts";
import { normalizeScenario } from "../scenario/normalize-scenario.ts";
import { createRequestSource } from "../workload/request-source.ts";

/** What a test run produced. */
export interface TestRun {
  readonly scenario: NormalizedScenario;
  readonly result: ScenarioRunResult;
  readonly report: Report;
  readonly records: RequestRecord[];
}

/** A fixed fingerprint, so tests need no git or target calls. */
export const TEST_ENVIRONMENT: EnvironmentFingerprint = {
  harnessVersion: "test",
  gitCommit: null,
  gitDirty: null,
  bunVersion: Bun.version,
  platform: process.platform,
  arch: process.arch,
  host: "test",
  cpuCount: 1,
  cpuModel: "test",
  memoryTotalBytes: 0,
  target: { url: "", models: null, version: null, errors: [] },
};

/**
 * Runs `input` (a Scenario literal) to completion. `keepRecords: false` keeps no records (as the CLI
 * without --ndjson), for benchmarks of the runner itself.
 */
export async function runForTest(
  input: Scenario,
  options: { readonly onRunner?: Parameters<typeof runScenario>[1]["onRunner"]; readonly keepRecords?: boolean; readonly httpClient?: HttpClientChoice } = {},
): Promise<TestRun> {
  const scenario = normalizeScenario(input, { file: "", defaultName: "test" });
  const records: RequestRecord[] = [];
  const headers = { "content-type": "application/json" };
  const transport = createTransport(scenario.target.url, headers, options.httpClient);
  let result: ScenarioRunResult;
  try {
    result = await runScenario(scenario, {
      source: createRequestSource(scenario),
      send: { baseUrl: scenario.target.url, headers, stream: scenario.workload.stream, transport, now: () => performance.now() },
      wallNow: Date.now,
      requestIdPrefix: "test",
      onRecord: options.keepRecords === false ? undefined : (record) => records.push(record),
      onRunner: options.onRunner,
    });
  } finally {
    closeTransport(transport);
  }
  const report = buildReport({ scenario, result, environment: TEST_ENVIRONMENT, argv: [], id: `${scenario.name}-test` });
  return { scenario, result, report, records };
}
