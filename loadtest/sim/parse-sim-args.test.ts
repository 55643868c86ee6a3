import { describe, expect, it } from "vitest";
import { parseSimArgs, renderSimHelp, SimUsageError } from "./parse-sim-args.ts";
import { resolveSimulatorOptions, SimulatorOptionsError } from "./simulator-options.ts";

describe("parseSimArgs()", () => {
  it("maps flags to options, faults included", () => {
    const input = parseSimArgs(["--port", "0", "--max-num-seqs=4", "--zero-latency", "--error-every-500", "10", "--stall-duration", "1.5s", "--no-enable-prefix-caching", "--metrics-delay", "200ms"]);
    expect(input).not.toBe("help");
    const options = resolveSimulatorOptions(input === "help" ? {} : input);
    expect(options).toMatchObject({ port: 0, maxNumSeqs: 4, timeScale: 0, enablePrefixCaching: false });
    expect(options.faults).toMatchObject({ http500: { rate: 0, every: 10 }, stallMs: 1500, metricsDelayMs: 200 });
  });

  it("reports every problem at once", () => {
    expect(() => parseSimArgs(["--port", "x", "--nope", "--error-rate-429", "2"])).toThrow(SimUsageError);
    try {
      parseSimArgs(["--port", "x", "--nope", "--error-rate-429", "2"]);
    } catch (error) {
      expect((error as Error).message).toBe('--port must be a non-negative integer: got "x"; unknown flag "--nope" (see --help); --error-rate-429 must be a fraction in [0, 1]: got "2"');
    }
  });

  it("returns help, and --help lists every flag", () => {
    expect(parseSimArgs(["--help"])).toBe("help");
    expect(renderSimHelp()).toContain("--max-num-seqs N");
    expect(renderSimHelp()).toContain("--gpu-state TEXT");
  });

  it("resolveSimulatorOptions() names the offending values", () => {
    expect(() => resolveSimulatorOptions({ maxNumSeqs: 0, stepJitter: 1 })).toThrow(SimulatorOptionsError);
    expect(() => resolveSimulatorOptions({ maxNumSeqs: 0 })).toThrow("'maxNumSeqs' must be an integer >= 1: current value is 0");
  });
});
