import { describe, expect, it } from "vitest";
import { UsageError } from "../errors.ts";
import { parseDurationMs } from "./duration.ts";
import { parseConfig } from "./parse-config.ts";
import { renderHelp } from "./render-help.ts";
import { OPTION_TABLE } from "./option-table.ts";

function run(argv: string[], env: Record<string, string> = {}) {
  const request = parseConfig(argv, env);
  if (request.kind !== "run") throw new Error(`expected run, got ${request.kind}`);
  return request.config;
}

function usageMessage(argv: string[], env: Record<string, string> = {}): string {
  try {
    parseConfig(argv, env);
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error("expected a UsageError");
}

describe("parseDurationMs()", () => {
  it.each([
    ["500ms", 500],
    ["1s", 1000],
    ["1.5s", 1500],
    ["1m30s", 90_000],
    ["2h", 7_200_000],
    ["0", 0],
    ["2", 2000],
  ])("reads %s as %d ms", (text, ms) => expect(parseDurationMs(text, { bareUnit: "s" })).toBe(ms));

  it("reads a bare number as ms when told", () => expect(parseDurationMs("250", { bareUnit: "ms" })).toBe(250));

  it.each(["", "1x", "s", "-1s", "1s2", "abc"])("rejects %j", (text) => expect(parseDurationMs(text)).toBeUndefined());
});

describe("parseConfig()", () => {
  it("applies the documented defaults", () => {
    const config = run([]);
    expect(config).toMatchObject({
      listenHost: "0.0.0.0",
      listenPort: 19400,
      intervalMs: 1000,
      vllmTargets: [{ baseUrl: "http://127.0.0.1:8000", probed: true }],
      vllmTimeoutMs: 800,
      timelineRetentionMs: 3_600_000,
      token: null,
      metricsAuth: false,
      logLevel: "info",
      once: false,
      onceFormat: "json",
      procfsPath: "/proc",
    });
  });

  it("takes --flag value and --flag=value", () => {
    const config = run(["--listen", "127.0.0.1:0", "--interval=250ms", "--once", "--format", "prometheus"]);
    expect(config).toMatchObject({ listenHost: "127.0.0.1", listenPort: 0, intervalMs: 250, once: true, onceFormat: "prometheus" });
  });

  it("collects a repeated --vllm and normalises /metrics URLs", () => {
    const config = run(["--vllm", "http://127.0.0.1:8000/metrics", "--vllm", "127.0.0.1:8001", "--vllm", "http://127.0.0.1:8000/"]);
    expect(config.vllmTargets).toEqual([
      { baseUrl: "http://127.0.0.1:8000", probed: false },
      { baseUrl: "http://127.0.0.1:8001", probed: false },
    ]);
  });

  it("lets a flag win over VIGIL_* and VIGIL_* over other exporters' names", () => {
    expect(run(["--interval", "2s"], { VIGIL_INTERVAL: "5s", METRICS_INTERVAL: "9" }).intervalMs).toBe(2000);
    expect(run([], { VIGIL_INTERVAL: "5s", METRICS_INTERVAL: "9" }).intervalMs).toBe(5000);
    expect(run([], { METRICS_INTERVAL: "9" }).intervalMs).toBe(9000);
  });

  it("reads VIGIL_VLLM as a comma-separated list and VLLM_PORT as a local port", () => {
    expect(run([], { VIGIL_VLLM: "http://a:1, http://b:2" }).vllmTargets.map((t) => t.baseUrl)).toEqual(["http://a:1", "http://b:2"]);
    expect(run([], { VLLM_PORT: "8100" }).vllmTargets).toEqual([{ baseUrl: "http://127.0.0.1:8100", probed: false }]);
  });

  it("drops the default probe with --no-vllm", () => expect(run(["--no-vllm"]).vllmTargets).toEqual([]));

  it.each([
    [["--bogus"], "unknown flag --bogus (see --help)"],
    [["--interval", "fast"], "--interval must be a duration like 500ms, 1s or 2m: got 'fast'"],
    [["--listen", "nowhere"], "--listen must be HOST:PORT, e.g. 0.0.0.0:19400 or 127.0.0.1:0: got 'nowhere'"],
    [["--listen", "1.2.3.4:70000"], "--listen must be HOST:PORT, e.g. 0.0.0.0:19400 or 127.0.0.1:0: got '1.2.3.4:70000'"],
    [["--log-level", "loud"], "--log-level must be one of debug, info, warn, error: got 'loud'"],
    [["--vllm", "ftp://x"], "--vllm must be an http(s) URL: got 'ftp://x'"],
    [["--vllm-max-body", "lots"], "--vllm-max-body must be a size like 16MiB or 500kB: got 'lots'"],
    [["--vllm-pid", "-4"], "--vllm-pid must be an integer >= 1: got '-4'"],
    [["--interval"], "flag --interval needs a value (a duration like 1s)"],
    [["--listen", "a:1", "--listen", "b:2"], "flag --listen given twice: 'a:1' and 'b:2'"],
    [["--metrics-auth"], "--metrics-auth needs --token (or VIGIL_TOKEN)"],
    [["--tls-cert", "c.pem"], "--tls-cert and --tls-key must be given together"],
    [["serve"], "unexpected argument 'serve': flags start with -- (see --help)"],
  ])("rejects %j with one clear line", (argv, message) => {
    const text = usageMessage(argv);
    expect(text).toBe(message);
    expect(text).not.toContain("\n");
  });

  it("names the environment variable in the message when the bad value came from there", () => {
    expect(usageMessage([], { VIGIL_VLLM_TIMEOUT: "soon" })).toBe("VIGIL_VLLM_TIMEOUT must be a duration like 500ms, 1s or 2m: got 'soon'");
  });

  it("answers --help and --version before checking anything else", () => {
    expect(parseConfig(["--help", "--interval", "x"], {})).toEqual({ kind: "help" });
    expect(parseConfig(["--version"], {})).toEqual({ kind: "version" });
  });

  it("lists every flag and its environment variable in --help", () => {
    const help = renderHelp("1.2.3");
    for (const spec of OPTION_TABLE) expect(help).toContain(`--${spec.flag}`);
    expect(help).toContain("VIGIL_VLLM_TIMEOUT");
    expect(help).toContain("VLLM_PORT");
  });
});
