import { describe, expect, it } from "vitest";
import { normalizeScenario } from "./normalize-scenario.ts";
import { ScenarioError } from "./scenario-error.ts";

const valid = {
  target: { url: "http://127.0.0.1:8000/", model: "m" },
  workload: { prompts: { kind: "synthetic", inputTokens: 100 }, outputTokens: 10 },
  load: { executor: "constant-arrival-rate", rate: 2, duration: "10s" },
};

function problemsOf(input: unknown): readonly string[] {
  try {
    normalizeScenario(input, { file: "x.ts", defaultName: "x" });
  } catch (error) {
    if (error instanceof ScenarioError) return error.problems;
    throw error;
  }
  return [];
}

describe("normalizeScenario()", () => {
  it("fills defaults and expands shortcuts", () => {
    const s = normalizeScenario(valid, { file: "x.ts", defaultName: "x" });
    expect(s.name).toBe("x");
    expect(s.target).toEqual({ url: "http://127.0.0.1:8000", model: "m", api: "chat", headers: {}, apiKeyEnv: null });
    expect(s.workload.prompts).toEqual({ kind: "synthetic", inputTokens: { kind: "fixed", value: 100 }, sharedPrefixTokens: 0 });
    expect(s.workload.outputTokens).toEqual({ kind: "fixed", value: 10 });
    expect(s.workload).toMatchObject({ stream: true, includeUsage: true, ignoreEos: true });
    expect(s.load).toEqual({ executor: "constant-arrival-rate", ratePerS: 2, durationMs: 10_000, requests: null, arrival: "poisson", burstiness: 1, maxInFlight: null });
    expect(s).toMatchObject({ warmupMs: 0, gracefulStopMs: 30_000, seed: 1, windowMs: 1000, slo: null, agent: null });
  });

  it("converts rate per timeUnit to per second", () => {
    const s = normalizeScenario({ ...valid, load: { executor: "constant-arrival-rate", rate: 120, timeUnit: "1m", duration: 1000 } }, { file: "", defaultName: "x" });
    expect(s.load).toMatchObject({ ratePerS: 2 });
  });

  const table: Array<[string, unknown, string[]]> = [
    ["a negative rate", { ...valid, load: { executor: "constant-arrival-rate", rate: -3, duration: "1s" } }, ["load.rate: must be > 0, got -3"]],
    ["an unknown executor", { ...valid, load: { executor: "per-vu-iterations" } }, ['load.executor: must be one of "constant-vus", "ramping-vus", "constant-arrival-rate", "ramping-arrival-rate", "sweep", got "per-vu-iterations"']],
    ["no duration or requests", { ...valid, load: { executor: "constant-vus", vus: 2 } }, ["load.duration: is required (or set requests)"]],
    ["a typo'd field", { ...valid, load: { executor: "constant-vus", vus: 2, duraton: "1s", duration: "1s" } }, ["load.duraton: unknown field"]],
    ["burstiness without gamma", { ...valid, load: { executor: "constant-arrival-rate", rate: 1, duration: "1s", burstiness: 0.5 } }, ['load.burstiness: applies only to arrival "gamma"']],
    ["a bad threshold aggregation", { ...valid, thresholds: { error_rate: ["p(95)<1"] } }, ["thresholds.error_rate[0]: p(95) does not apply to error_rate"]],
    ["descending sweep levels", { ...valid, load: { executor: "sweep", mode: "rate", levels: [4, 2], levelDuration: "1s" } }, ["load.levels: must be strictly ascending"]],
    ["uniform max < min", { ...valid, workload: { prompts: { kind: "synthetic", inputTokens: { kind: "uniform", min: 10, max: 5 } }, outputTokens: 1 } }, ["workload.prompts.inputTokens.max: must be >= min (10), got 5"]],
    ["not an object", 42, ["the default export must be a scenario object, got 42"]],
  ];
  it.each(table)("reports %s with its field path", (_name, input, expected) => {
    const problems = problemsOf(input);
    for (const line of expected) expect(problems.some((p) => p.startsWith(line)), `${line}\n in ${problems.join("\n")}`).toBe(true);
  });

  it("reports every problem at once", () => {
    const problems = problemsOf({ target: { url: "x" }, workload: {}, load: { executor: "constant-vus", vus: 0, duration: "-" }, seed: -1, window: 0 });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^target\.url: must be an http\(s\) URL/),
        "target.model: is required",
        expect.stringMatching(/^workload\.prompts: is required/),
        expect.stringMatching(/^workload\.outputTokens: must be a token count/),
        "load.vus: must be >= 1, got 0",
        expect.stringMatching(/^load\.duration: must be a duration/),
        "seed: must be >= 0, got -1",
        "window: must be > 0, got 0",
      ]),
    );
  });
});
