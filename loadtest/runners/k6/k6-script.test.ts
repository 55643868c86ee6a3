/**
 * The generated k6 script: stable (a file snapshot per shipped scenario, non-streamed and xk6-sse),
 * valid JavaScript, k6's option names, and, run once against stub k6 modules, it sends the seeded
 * bodies with their ids and emits the metrics the ingest reads back into the same request records.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenarioFile } from "../../cli/load-scenario-file.ts";
import type { NormalizedScenario } from "../../scenario/normalized-scenario.ts";
import { createRequestSource } from "../../workload/request-source.ts";
import { ingestK6Results } from "./ingest-k6.ts";
import { k6RequestData, renderK6Script } from "./k6-script.ts";
import { parseK6Ndjson } from "./parse-k6-ndjson.ts";

const ROOT = new URL("../../../", import.meta.url).pathname;
const SHIPPED = ["smoke", "ttft", "throughput", "demo"] as const;
const K6_MODULES = ["k6/http", "k6/x/sse", "k6/execution", "k6/data", "k6/metrics"];

async function shipped(name: string): Promise<NormalizedScenario> {
  return loadScenarioFile(join(ROOT, "scenarios", `${name}.ts`));
}

function script(scenario: NormalizedScenario, streaming: boolean): string {
  return renderK6Script(scenario, { streaming, runId: "snapshot", scenarioPath: `scenarios/${scenario.name}.ts` });
}

/** `export const options = {...};` of a script, parsed. */
function optionsOf(text: string): { scenarios: Record<string, Record<string, unknown>>; thresholds: Record<string, string[]> } {
  const match = /^export const options = (\{[\s\S]*?\n\});$/m.exec(text);
  if (match === null) throw new Error("no options");
  return JSON.parse(match[1] as string);
}

describe("renderK6Script()", () => {
  for (const name of SHIPPED) {
    for (const streaming of [false, true]) {
      it(`${name} (${streaming ? "xk6-sse" : "non-streamed"}): stable snapshot, valid JavaScript importing only k6 modules`, async () => {
        const scenario = await shipped(name);
        const text = script(scenario, streaming);
        await expect(text).toMatchFileSnapshot(`./__snapshots__/${name}${streaming ? ".sse" : ""}.k6.js`);
        const scan = new Bun.Transpiler({ loader: "js" }).scan(text);
        expect(scan.imports.map((entry) => entry.path).every((path) => K6_MODULES.includes(path))).toBe(true);
        expect(scan.imports.map((entry) => entry.path)).toContain(streaming ? "k6/x/sse" : "k6/http");
        expect(scan.exports).toContain("options");
        expect(scan.exports).toContain("measure");
        expect(script(scenario, streaming)).toBe(text);
      });
    }
  }

  it("maps executors to k6's (names, integer rates per timeUnit, warm-up scenario before the measured one)", async () => {
    const ttft = optionsOf(script(await shipped("ttft"), false));
    expect(ttft.scenarios.warmup).toMatchObject({ executor: "constant-arrival-rate", rate: 2, timeUnit: "1s", duration: "5s", exec: "warmup" });
    expect(ttft.scenarios.measure).toMatchObject({ executor: "constant-arrival-rate", rate: 2, timeUnit: "1s", duration: "60s", startTime: "5s", exec: "measure" });
    const demo = optionsOf(script(await shipped("demo"), false));
    // Rates 1 -> 1.5 -> 5 per second: integers per 2 s.
    expect(demo.scenarios.measure).toMatchObject({ executor: "ramping-arrival-rate", startRate: 2, timeUnit: "2s", stages: [{ duration: "10s", target: 3 }, { duration: "30s", target: 10 }] });
    const throughput = optionsOf(script(await shipped("throughput"), false));
    expect(throughput.scenarios.measure).toMatchObject({ executor: "constant-vus", vus: 128, duration: "60s", startTime: "10s" });
  });

  it("puts thresholds on the script's own metrics of the measured scenario; TTFT needs xk6-sse", async () => {
    const ttft = await shipped("ttft");
    expect(optionsOf(script(ttft, true)).thresholds).toEqual({ "vigil_ttft_ms{scenario:measure}": ["p(95)<500", "p(50)<200"], "vigil_error_rate{scenario:measure}": ["rate<0.01"] });
    const plain = script(ttft, false);
    expect(optionsOf(plain).thresholds).toEqual({ "vigil_error_rate{scenario:measure}": ["rate<0.01"] });
    expect(plain).toContain("// Threshold evaluated by Vigil only: ttft_ms p(95)<500 (not measured: the script sends non-streamed requests (no xk6-sse)).");
    expect(script(await shipped("throughput"), false)).toContain("// Threshold evaluated by Vigil only: output_tokens_per_s avg>1000");
  });

  it("refuses a sweep", async () => {
    const sweep = await shipped("sweep");
    expect(() => script(sweep, false)).toThrow(/sweep/);
  });

  it("writes the native runner's seeded bodies, warm-up first", async () => {
    const scenario = await shipped("ttft");
    const data = k6RequestData(scenario, createRequestSource(scenario));
    const native = createRequestSource(scenario);
    expect(data.warmup.length).toBe(11);
    for (const entry of [...data.warmup, ...data.measure].slice(0, 20)) expect(entry.body).toBe(native.next().body);
  });
});

/** A k6 run of the generated script against stub modules: the points it emits, as k6's writer prints them. */
function runAgainstStubs(text: string, data: unknown, options: { readonly iterations: number; readonly respond: (i: number) => { status: number; body: string; durationMs: number } | { events: string[] } }) {
  const lines: string[] = [];
  const sent: Array<{ url: string; body: string; headers: Record<string, string> }> = [];
  const metadata: Record<string, string> = {};
  const execution = { scenario: { iterationInTest: 0 }, vu: { metrics: { metadata } } };
  let clockMs = Date.UTC(2026, 11, 2, 8, 0, 0);
  let scenarioName = "measure";
  const emit = (name: string) => (value: number | boolean, tags: Record<string, string> = {}) =>
    lines.push(JSON.stringify({ type: "Point", metric: name, data: { time: new Date(clockMs).toISOString(), value: Number(value), tags: { ...tags, scenario: scenarioName }, metadata: { ...metadata } } }));
  class Metric {
    readonly add: (value: number | boolean, tags?: Record<string, string>) => void;
    constructor(name: string) {
      this.add = emit(name);
    }
  }
  const http = {
    post(url: string, body: string, params: { headers: Record<string, string> }) {
      sent.push({ url, body, headers: params.headers });
      const response = options.respond(execution.scenario.iterationInTest);
      if (!("status" in response)) throw new Error("stub: http.post got a streamed response");
      clockMs += response.durationMs;
      emit("http_req_duration")(response.durationMs, { status: String(response.status) });
      return { status: response.status, body: response.body, timings: { duration: response.durationMs }, error_code: 0 };
    },
  };
  const sse = {
    open(url: string, params: { body: string; headers: Record<string, string> }, setup: (client: unknown) => void) {
      sent.push({ url, body: params.body, headers: params.headers });
      const response = options.respond(execution.scenario.iterationInTest);
      if (!("events" in response)) throw new Error("stub: sse.open got a buffered response");
      const handlers: Record<string, (event: unknown) => void> = {};
      let closed = false;
      setup({ on: (name: string, handler: (event: unknown) => void) => (handlers[name] = handler), close: () => (closed = true) });
      const startMs = clockMs;
      for (const data of response.events) {
        if (closed) break;
        clockMs += 10;
        handlers.event?.({ id: "", name: "", data, comment: "" });
      }
      emit("http_req_duration")(clockMs - startMs, { status: "200" });
      return { status: 200, url, headers: {}, error: "" };
    },
  };
  const modules: Record<string, unknown> = {
    http,
    sse,
    exec: execution,
    SharedArray: function SharedArray(_name: string, fn: () => unknown) {
      return fn();
    },
    Counter: Metric,
    Rate: Metric,
    Trend: Metric,
    // The script's own clock (Date.now()) follows the stub's.
    Date: { now: () => clockMs },
  };
  const body = text.replace(/^import .*$/gm, "").replace(/^export /gm, "");
  const names = Object.keys(modules);
  const factory = new Function(...names, "__ENV", "open", `${body}\nreturn { options, measure, warmup: typeof warmup === "function" ? warmup : null };`);
  const program = factory(...names.map((name) => modules[name]), {}, () => JSON.stringify(data)) as { measure: () => void; warmup: (() => void) | null };
  for (let i = 0; i < options.iterations; i++) {
    execution.scenario.iterationInTest = i;
    scenarioName = "measure";
    program.measure();
    clockMs += 5;
  }
  return { ndjson: `${lines.join("\n")}\n`, sent, metadataLeft: { ...metadata } };
}

describe("the generated script, run against stub k6 modules", () => {
  it("non-streamed: seeded bodies with x-request-id, metrics that the ingest turns back into the same requests", async () => {
    const scenario = { ...(await shipped("smoke")), workload: { ...(await shipped("smoke")).workload, stream: false, includeUsage: false } };
    const data = k6RequestData(scenario, createRequestSource(scenario));
    const run = runAgainstStubs(script(scenario, false), data, {
      iterations: 10,
      respond: (i) => (i === 3 ? { status: 503, body: '{"error":{"message":"busy"}}', durationMs: 2 } : { status: 200, body: JSON.stringify({ usage: { prompt_tokens: 64, completion_tokens: 16 } }), durationMs: 100 + i }),
    });
    expect(run.sent.map((request) => request.body)).toEqual(data.measure.slice(0, 10).map((entry) => entry.body));
    expect(run.sent[4]?.headers["x-request-id"]).toBe("snapshot-measure-4");
    expect(run.metadataLeft).toEqual({});
    const ingested = ingestK6Results(parseK6Ndjson(run.ndjson, "stub"), scenario);
    const recorder = ingested.result.recorder;
    expect(recorder.started).toBe(10);
    expect(recorder.completed).toBe(9);
    expect(recorder.errorCounts.http_status).toBe(1);
    expect(recorder.outputTokens).toBe(9 * 16);
    expect(ingested.info.notAvailable).toContain("ttftMs");
  });

  it("xk6-sse: TTFT, ITL and TPOT from the chunk events", async () => {
    const scenario = await shipped("smoke");
    const data = k6RequestData(scenario, createRequestSource(scenario));
    const chunk = (content: string) => JSON.stringify({ choices: [{ index: 0, delta: { content } }] });
    const events = [JSON.stringify({ choices: [{ index: 0, delta: { role: "assistant", content: "" } }] }), chunk("a"), chunk(" b"), chunk(" c"), JSON.stringify({ choices: [], usage: { prompt_tokens: 64, completion_tokens: 3 } }), "[DONE]"];
    const run = runAgainstStubs(script(scenario, true), data, { iterations: 4, respond: () => ({ events }) });
    const ingested = ingestK6Results(parseK6Ndjson(run.ndjson, "stub"), scenario);
    const recorder = ingested.result.recorder;
    expect(recorder.completed).toBe(4);
    expect(recorder.outputTokens).toBe(12);
    // Each event 10 ms after the previous one: TTFT = 2 events, ITL = 10 ms, TPOT = 10 ms, E2E = 6 events.
    expect(recorder.moments.ttftMs.sum / recorder.moments.ttftMs.count).toBe(20);
    expect(recorder.moments.ttftVllmMs.sum / recorder.moments.ttftVllmMs.count).toBe(10);
    expect(recorder.moments.itlMs.count).toBe(8);
    expect(recorder.moments.itlMs.max).toBe(10);
    expect(recorder.moments.tpotMs.max).toBe(10);
    expect(recorder.moments.e2eMs.max).toBe(60);
    expect(ingested.info.notAvailable).not.toContain("ttftMs");
  });
});
