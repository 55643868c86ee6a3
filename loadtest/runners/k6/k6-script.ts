/**
 * Writes the k6 script of a scenario: k6 options (the executors of k6-load.ts, the thresholds of
 * k6-thresholds.ts), the same seeded request bodies as the native runner (in `requests.json` beside the
 * script, read once with SharedArray), an `x-request-id` and a `vigil_request` metadata entry on every
 * request (so the ingest can put the points of one request back together), and custom metrics with the
 * report's definitions (k6-metric-names.ts). Streamed requests need the xk6-sse extension; without it the
 * script sends non-streamed requests. Pure: same scenario and options, same text.
 */
import { rampArea, stagesDurationMs, warmupLevel } from "../../executors/stages.ts";
import type { NormalizedScenario } from "../../scenario/normalized-scenario.ts";
import type { RequestSource } from "../../workload/request-source.ts";
import { k6Load } from "./k6-load.ts";
import { ERROR_TYPE_TAG, K6_CUSTOM_METRICS, MEASURE_SCENARIO, REQUEST_KEY, WARMUP_SCENARIO } from "./k6-metric-names.ts";
import { k6Thresholds } from "./k6-thresholds.ts";

/** Name of the request-body file the script reads (beside the script). */
export const REQUESTS_FILE = "requests.json";

/** Name of the results file k6 is asked to write (`--out json=`; gzip because of the `.gz`). */
export const K6_RESULTS_FILE = "k6-results.ndjson.gz";

/** Most request bodies written per k6 scenario; iterations beyond it reuse them in order. */
export const MAX_BODIES_PER_SCENARIO = 2000;

/** What the script is generated for. */
export interface K6ScriptOptions {
  /** Stream with xk6-sse (`k6/x/sse`): TTFT, ITL and TPOT measured. Else non-streamed requests. */
  readonly streaming: boolean;
  /** Default of `x-request-id` prefixes (`__ENV.VIGIL_RUN_ID` overrides it). */
  readonly runId: string;
  /** Scenario file as the user named it, for the comments (`scenarios/smoke.ts`). */
  readonly scenarioPath: string;
}

/** The request bodies of the script's two k6 scenarios, as written to {@link REQUESTS_FILE}. */
export interface K6RequestData {
  readonly warmup: ReadonlyArray<{ readonly path: string; readonly body: string }>;
  readonly measure: ReadonlyArray<{ readonly path: string; readonly body: string }>;
}

/** Headers the script sends as they are (the API key is read from the environment by the script, never written). */
function staticHeaders(scenario: NormalizedScenario): Record<string, string> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  for (const [name, value] of Object.entries(scenario.target.headers)) if (name.toLowerCase() !== "authorization") headers[name] = value;
  return headers;
}

/** How many requests each k6 scenario is likely to send (capped): the bodies written for it. */
export function bodyCounts(scenario: NormalizedScenario): { readonly warmup: number; readonly measure: number } {
  const load = scenario.load;
  const warmupS = scenario.warmupMs / 1000;
  const cap = (n: number) => Math.max(1, Math.min(MAX_BODIES_PER_SCENARIO, Math.ceil(n)));
  switch (load.executor) {
    case "constant-vus":
      return { warmup: warmupS > 0 ? cap(load.vus * warmupS * 2) : 0, measure: cap(load.requests ?? load.vus * ((load.durationMs as number) / 1000) * 2) };
    case "ramping-vus": {
      const peak = Math.max(load.startVUs, ...load.stages.map((stage) => stage.target));
      return { warmup: warmupS > 0 ? cap(peak * warmupS * 2) : 0, measure: cap((peak * stagesDurationMs(load.stages)) / 1000 * 2) };
    }
    case "constant-arrival-rate":
      return { warmup: warmupS > 0 ? cap(load.ratePerS * warmupS + 1) : 0, measure: cap(load.requests ?? (load.ratePerS * (load.durationMs as number)) / 1000 + 1) };
    case "ramping-arrival-rate":
      return { warmup: warmupS > 0 ? cap(warmupLevel(load.startRatePerS, load.stages) * warmupS + 1) : 0, measure: cap(rampArea(load.startRatePerS, load.stages) + 1) };
    case "sweep":
      return { warmup: 0, measure: 0 };
  }
}

/** The bodies, drawn in send order from the scenario's seeded source: the warm-up's first, as the native runner does. */
export function k6RequestData(scenario: NormalizedScenario, source: RequestSource): K6RequestData {
  const counts = bodyCounts(scenario);
  const draw = (n: number) => Array.from({ length: n }, () => {
    const request = source.next();
    return { path: request.path, body: request.body };
  });
  const warmup = draw(counts.warmup);
  return { warmup, measure: draw(counts.measure) };
}

/** The script text. @throws UsageError when the executor has no k6 equivalent (sweep). */
export function renderK6Script(scenario: NormalizedScenario, options: K6ScriptOptions): string {
  const load = k6Load(scenario);
  const slo = scenario.slo;
  const thresholds = k6Thresholds(scenario.parsedThresholds, { streaming: options.streaming, goodRatio: slo !== null });
  const k6Options = {
    scenarios: load.scenarios,
    thresholds: thresholds.thresholds,
    summaryTrendStats: ["avg", "min", "med", "max", "p(90)", "p(95)", "p(99)", "p(99.9)", "count"],
    tags: { vigil_scenario: scenario.name },
  };
  const m = K6_CUSTOM_METRICS;
  const hasWarmup = WARMUP_SCENARIO in load.scenarios;
  const lines: Array<string | false> = [
    `// k6 script generated by Vigil from scenario "${scenario.name}" (${options.scenarioPath}). Regenerate rather than edit:`,
    `//   bun run loadtest ${options.scenarioPath} --runner k6`,
    "// Run it, then build Vigil's report (statistics, HTML, compare) from k6's results:",
    `//   k6 run --out json=${K6_RESULTS_FILE} script.js`,
    `//   bun run loadtest --ingest-k6 ${K6_RESULTS_FILE} ${options.scenarioPath}`,
    options.streaming
      ? "// Requests: streamed through xk6-sse (k6/x/sse); TTFT, ITL and TPOT are timed with Date.now() (1 ms resolution)."
      : "// Requests: non-streamed (k6 core buffers response bodies; TTFT/ITL need a k6 built with xk6-sse). E2E is k6's http_req_duration.",
    ...load.notes.map((note) => `// Approximation: ${note}.`),
    ...thresholds.vigilOnly.map((entry) => `// Threshold evaluated by Vigil only: ${entry.metric} ${entry.expression} (${entry.reason}).`),
    options.streaming ? 'import sse from "k6/x/sse";' : 'import http from "k6/http";',
    'import exec from "k6/execution";',
    'import { SharedArray } from "k6/data";',
    'import { Counter, Rate, Trend } from "k6/metrics";',
    "",
    `const TARGET = __ENV.VIGIL_TARGET || ${JSON.stringify(scenario.target.url)};`,
    `const RUN_ID = __ENV.VIGIL_RUN_ID || ${JSON.stringify(options.runId)};`,
    `const HEADERS = ${JSON.stringify(staticHeaders(scenario))};`,
    `const API_KEY = ${scenario.target.apiKeyEnv === null ? "null" : `__ENV[${JSON.stringify(scenario.target.apiKeyEnv)}] || null`};`,
    !options.streaming && `const REQUEST_TIMEOUT = ${JSON.stringify(`${Math.ceil(scenario.timeouts.requestMs / 1000)}s`)};`,
    `const SLO = ${slo === null ? "null" : JSON.stringify(slo)};`,
    "const POOLS = {",
    hasWarmup && `  ${WARMUP_SCENARIO}: new SharedArray("vigil ${WARMUP_SCENARIO} requests", function () { return JSON.parse(open("./${REQUESTS_FILE}")).${WARMUP_SCENARIO}; }),`,
    `  ${MEASURE_SCENARIO}: new SharedArray("vigil ${MEASURE_SCENARIO} requests", function () { return JSON.parse(open("./${REQUESTS_FILE}")).${MEASURE_SCENARIO}; }),`,
    "};",
    "",
    "// The report's metrics (Vigil's definitions), measured per request.",
    "const METRICS = {",
    `  e2eMs: new Trend("${m.e2eMs.name}", true),`,
    ...(options.streaming ? [`  ttftMs: new Trend("${m.ttftMs.name}", true),`, `  ttftVllmMs: new Trend("${m.ttftVllmMs.name}", true),`, `  itlMs: new Trend("${m.itlMs.name}", true),`, `  tpotMs: new Trend("${m.tpotMs.name}", true),`] : []),
    `  inputTokens: new Trend("${m.inputTokens.name}"),`,
    `  outputTokens: new Trend("${m.outputTokens.name}"),`,
    `  errorRate: new Rate("${m.errorRate.name}"),`,
    ...(slo === null ? [] : [`  goodRatio: new Rate("${m.goodRatio.name}"),`]),
    `  requests: new Counter("${m.requests.name}"),`,
    `  failedRequests: new Counter("${m.failedRequests.name}"),`,
    "};",
    "",
    `export const options = ${JSON.stringify(k6Options, null, 2)};`,
    "",
    ...(hasWarmup ? [`export function ${WARMUP_SCENARIO}() {`, `  send("${WARMUP_SCENARIO}");`, "}", ""] : []),
    `export function ${MEASURE_SCENARIO}() {`,
    `  send("${MEASURE_SCENARIO}");`,
    "}",
    "",
    "// One request: the next seeded body of this k6 scenario, its id on every point it emits (metadata).",
    "function send(phase) {",
    "  const pool = POOLS[phase];",
    "  const i = exec.scenario.iterationInTest;",
    "  const request = pool[i % pool.length];",
    '  const id = RUN_ID + "-" + phase + "-" + i;',
    `  exec.vu.metrics.metadata[${JSON.stringify(REQUEST_KEY)}] = id;`,
    "  try {",
    `    record(${options.streaming ? "streamed" : "buffered"}(request, id));`,
    "  } finally {",
    `    delete exec.vu.metrics.metadata[${JSON.stringify(REQUEST_KEY)}];`,
    "  }",
    "}",
    "",
    "function headersFor(id) {",
    '  const headers = Object.assign({}, HEADERS, { "x-request-id": id });',
    '  if (API_KEY !== null) headers.authorization = "Bearer " + API_KEY;',
    "  return headers;",
    "}",
    "",
    ...(options.streaming ? STREAMED_FUNCTION : BUFFERED_FUNCTION),
    "",
    "// The report's definitions: latencies of successful requests only; an error counts in the error rate, by type.",
    "function record(outcome) {",
    "  const failed = outcome.error !== null;",
    `  METRICS.errorRate.add(failed, failed ? { ${ERROR_TYPE_TAG}: outcome.error } : {});`,
    "  if (failed) {",
    `    METRICS.failedRequests.add(1, { ${ERROR_TYPE_TAG}: outcome.error });`,
    "    return;",
    "  }",
    "  METRICS.requests.add(1);",
    "  METRICS.e2eMs.add(outcome.e2eMs);",
    "  METRICS.inputTokens.add(outcome.inputTokens);",
    "  METRICS.outputTokens.add(outcome.outputTokens);",
    ...(options.streaming
      ? [
          "  METRICS.ttftMs.add(outcome.ttftMs);",
          "  METRICS.ttftVllmMs.add(outcome.ttftVllmMs);",
          "  for (let g = 0; g < outcome.gapsMs.length; g++) METRICS.itlMs.add(outcome.gapsMs[g]);",
          "  if (outcome.tpotMs !== null) METRICS.tpotMs.add(outcome.tpotMs);",
        ]
      : []),
    ...(slo === null
      ? []
      : [
          "  const good = (SLO.ttftMs === null || (outcome.ttftMs !== null && outcome.ttftMs <= SLO.ttftMs)) &&",
          "    (SLO.tpotMs === null || outcome.tpotMs === null || outcome.tpotMs <= SLO.tpotMs) &&",
          "    (SLO.e2eMs === null || outcome.e2eMs <= SLO.e2eMs);",
          "  METRICS.goodRatio.add(good);",
        ]),
    "}",
    "",
  ];
  return lines.filter((line) => line !== false).join("\n");
}

const BUFFERED_FUNCTION = [
  "// A non-streamed completion: E2E is k6's own http_req_duration; tokens from usage.",
  "function buffered(request, id) {",
  '  const response = http.post(TARGET + request.path, request.body, { headers: headersFor(id), timeout: REQUEST_TIMEOUT, responseType: "text" });',
  '  if (response.status === 0) return { error: response.error_code === 1050 ? "aborted" : "connect" };',
  '  if (response.status < 200 || response.status > 299) return { error: "http_status" };',
  "  let usage = null;",
  "  try {",
  "    usage = JSON.parse(response.body).usage || null;",
  "  } catch (e) {",
  "    usage = null;",
  "  }",
  '  if (usage === null || typeof usage.completion_tokens !== "number") return { error: "protocol" };',
  "  return { error: null, e2eMs: response.timings.duration, ttftMs: null, tpotMs: null, inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens };",
  "}",
];

const STREAMED_FUNCTION = [
  "// A streamed completion through xk6-sse: every content chunk timed when its event arrives.",
  "function streamed(request, id) {",
  "  const sentAt = Date.now();",
  "  let firstChoiceAt = null;",
  "  let firstContentAt = null;",
  "  let lastContentAt = null;",
  "  let contentChunks = 0;",
  "  const gapsMs = [];",
  "  let usage = null;",
  "  let done = false;",
  "  let error = null;",
  '  const response = sse.open(TARGET + request.path, { method: "POST", body: request.body, headers: headersFor(id) }, function (client) {',
  '    client.on("event", function (event) {',
  "      const now = Date.now();",
  "      if (!event.data) return;",
  '      if (event.data === "[DONE]") {',
  "        done = true;",
  "        client.close();",
  "        return;",
  "      }",
  "      let chunk;",
  "      try {",
  "        chunk = JSON.parse(event.data);",
  "      } catch (e) {",
  '        error = "protocol";',
  "        client.close();",
  "        return;",
  "      }",
  "      if (chunk.usage) usage = chunk.usage;",
  "      const choices = chunk.choices || [];",
  "      if (choices.length === 0) return;",
  "      if (firstChoiceAt === null) firstChoiceAt = now;",
  "      const text = choices[0].delta ? choices[0].delta.content : choices[0].text;",
  "      if (!text) return;",
  "      if (firstContentAt === null) firstContentAt = now;",
  "      else gapsMs.push(now - lastContentAt);",
  "      lastContentAt = now;",
  "      contentChunks++;",
  "    });",
  '    client.on("error", function () {',
  '      if (error === null) error = "disconnected";',
  "    });",
  "  });",
  "  const endAt = Date.now();",
  '  if (!response || response.error) return { error: "connect" };',
  '  if (response.status < 200 || response.status > 299) return { error: "http_status" };',
  "  if (error !== null) return { error: error };",
  '  if (!done) return { error: "disconnected" };',
  '  if (firstContentAt === null) return { error: "protocol" };',
  "  const outputTokens = usage !== null && typeof usage.completion_tokens === \"number\" ? usage.completion_tokens : contentChunks;",
  "  return {",
  "    error: null,",
  "    e2eMs: endAt - sentAt,",
  "    ttftMs: firstContentAt - sentAt,",
  "    ttftVllmMs: firstChoiceAt - sentAt,",
  "    gapsMs: gapsMs,",
  "    tpotMs: outputTokens > 1 ? (lastContentAt - firstContentAt) / (outputTokens - 1) : null,",
  "    inputTokens: usage !== null ? usage.prompt_tokens : 0,",
  "    outputTokens: outputTokens,",
  "  };",
  "}",
];
