/** Loads a scenario file with dynamic import() and validates it; every failure is a ScenarioError (exit 2) naming the file. */
import { basename, resolve } from "node:path";
import type { NormalizedScenario } from "../scenario/normalized-scenario.ts";
import { normalizeScenario } from "../scenario/normalize-scenario.ts";
import { ScenarioError } from "../scenario/scenario-error.ts";
import { applyOverrides } from "./apply-overrides.ts";
import type { ScenarioOverrides } from "./parse-args.ts";

/**
 * Imports `path`, applies the overrides and normalizes.
 * @throws ScenarioError: missing file, syntax error, no default export, or invalid fields (all listed).
 */
export async function loadScenarioFile(path: string, overrides: ScenarioOverrides = {}): Promise<NormalizedScenario> {
  const file = resolve(path);
  if (!(await Bun.file(file).exists())) throw new ScenarioError(path, ["cannot read the scenario file: no such file"]);
  let module: Record<string, unknown>;
  try {
    module = (await import(file)) as Record<string, unknown>;
  } catch (error) {
    throw new ScenarioError(path, [`cannot load the scenario file: ${(error as Error).message.split("\n")[0]}`], { cause: error });
  }
  if (!("default" in module) || module.default === undefined) {
    throw new ScenarioError(path, ["has no default export: write `export default { target, workload, load } satisfies Scenario`"]);
  }
  const defaultName = basename(file).replace(/\.[cm]?[jt]s$/, "");
  return normalizeScenario(applyOverrides(module.default, overrides), { file, defaultName });
}
