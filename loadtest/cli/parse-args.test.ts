import { describe, expect, it } from "vitest";
import { UsageError } from "../../agent/errors.ts";
import { applyOverrides } from "./apply-overrides.ts";
import { parseArgs } from "./parse-args.ts";

describe("parseArgs()", () => {
  it("parses a run with overrides", () => {
    expect(parseArgs(["s.ts", "--rate", "5", "--duration=30s", "--target", "http://h:1", "--json", "--seed", "3"])).toEqual({
      kind: "run",
      scenarioPath: "s.ts",
      overrides: { target: "http://h:1", model: undefined, rate: 5, vus: undefined, duration: "30s", agent: undefined, seed: 3 },
      outRoot: "reports",
      json: true,
      ndjson: false,
      quiet: false,
      repeat: 1,
      baseline: false,
      runner: "native",
      ingestK6: [],
      httpClient: "native",
    });
    expect(parseArgs(["--help"])).toEqual({ kind: "help" });
  });

  it("picks the runner; --ingest-k6 implies k6", () => {
    expect(parseArgs(["s.ts", "--runner", "autocannon", "--repeat", "3"])).toMatchObject({ runner: "autocannon", repeat: 3, ingestK6: [] });
    expect(parseArgs(["s.ts", "--ingest-k6", "out.ndjson.gz"])).toMatchObject({ runner: "k6", ingestK6: ["out.ndjson.gz"] });
    expect(parseArgs(["s.ts", "--runner=k6", "--ingest-k6=o.ndjson"])).toMatchObject({ runner: "k6", ingestK6: ["o.ndjson"] });
    expect(parseArgs(["s.ts", "--ingest-k6", "pod-0.ndjson.gz", "--ingest-k6=pod-1.ndjson.gz"])).toMatchObject({ runner: "k6", ingestK6: ["pod-0.ndjson.gz", "pod-1.ndjson.gz"] });
    expect(parseArgs(["s.ts", "--no-stream"])).toMatchObject({ overrides: { stream: false } });
    expect(parseArgs(["s.ts", "--http-client", "fetch"])).toMatchObject({ runner: "native", httpClient: "fetch" });
  });

  const bad: Array<[string[], string]> = [
    [[], "missing the scenario file"],
    [["a.ts", "b.ts"], "one scenario file at a time"],
    [["s.ts", "--nope"], "unknown flag --nope"],
    [["s.ts", "--rate"], "flag --rate needs a value"],
    [["s.ts", "--rate", "0"], "--rate must be a number > 0, got '0'"],
    [["s.ts", "--vus", "1.5"], "--vus must be an integer > 0, got '1.5'"],
    [["s.ts", "--duration", "soon"], "--duration must be a duration > 0"],
    [["s.ts", "--rate", "1", "--vus", "2"], "exclude each other"],
    [["s.ts", "--http-client", "curl"], "--http-client must be one of native, bun-sockets, fetch, got 'curl'"],
    [["s.ts", "--runner", "k6", "--http-client", "fetch"], "--http-client picks the native runner's client; it does not apply to --runner k6"],
    [["s.ts", "--json=yes"], "takes no value"],
    [["s.ts", "--runner", "wrk"], "--runner must be one of native, k6, autocannon, got 'wrk'"],
    [["s.ts", "--runner", "autocannon", "--ingest-k6", "f"], "--ingest-k6 reads a k6 result"],
    [["s.ts", "--runner", "k6", "--repeat", "2"], "--repeat works with the native and autocannon runners"],
  ];
  it.each(bad)("rejects %j", (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
    expect(() => parseArgs(argv)).toThrow(message);
  });
});

describe("applyOverrides()", () => {
  const raw = { target: { url: "http://a", model: "m" }, load: { executor: "ramping-vus", stages: [{ duration: "10s", target: 4 }, { duration: 5000, target: 0 }] } };

  it("replaces the executor with --rate, keeping the stages' total as duration, and never mutates the input", () => {
    const before = JSON.stringify(raw);
    expect(applyOverrides(raw, { rate: 3, target: "http://b" })).toEqual({
      target: { url: "http://b", model: "m" },
      load: { executor: "constant-arrival-rate", rate: 3, duration: 15_000 },
    });
    expect(JSON.stringify(raw)).toBe(before);
  });

  it("sets --vus and --duration, and --duration on a sweep sets levelDuration", () => {
    expect(applyOverrides(raw, { vus: 8, duration: "2s" })).toMatchObject({ load: { executor: "constant-vus", vus: 8, duration: "2s" } });
    expect(applyOverrides({ load: { executor: "sweep", levelDuration: "10s" } }, { duration: "1s" })).toEqual({ load: { executor: "sweep", levelDuration: "1s" } });
  });

  it("turns streaming off with --no-stream, keeping the rest of the workload", () => {
    expect(applyOverrides({ workload: { outputTokens: 8, stream: true } }, { stream: false })).toEqual({ workload: { outputTokens: 8, stream: false } });
  });

  it("refuses --duration on a ramping executor", () => {
    expect(() => applyOverrides(raw, { duration: "1s" })).toThrow("--duration does not apply to ramping-vus");
  });
});
