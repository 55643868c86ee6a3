/**
 * The simulator's HTTP side: routes vLLM's endpoints, turns each completion request
 * into engine sequences, drives the engine with one timer (set to the end of the step in
 * flight; none when idle), writes tokens when the engine emits them, and keeps the
 * metrics, counters and ground-truth records. Bun.serve calls handle(); the clock is
 * injectable for tests.
 */
import { BatchEngine, type EngineEvent } from "./batch-engine.ts";
import { FaultInjector } from "./fault-injector.ts";
import type { GpuActivitySource } from "./gpu-emulation.ts";
import { type FinishedChoice, completionBody, contentChunk, type ResponseIdentity, roleChunk, sseData, streamUsage, usage, usageChunk } from "./openai-chunks.ts";
import { type CompletionEndpoint, type CompletionRequest, parseCompletionRequest, resolveMaxTokens } from "./parse-completion-request.ts";
import { type OutputPlan, planOutput } from "./plan-output.ts";
import { readProcessStats } from "./process-stats.ts";
import { renderSimMetrics } from "./render-sim-metrics.ts";
import { renderVllmMetrics } from "./render-vllm-metrics.ts";
import { hashString } from "./seeded-random.ts";
import { FAULT_COUNTER_NAMES, type FaultCounterName, type SimCounters } from "./sim-counters.ts";
import type { FinishReason, InjectedFault, SimChoiceRecord, SimRequestRecord } from "./sim-request-record.ts";
import type { FaultOptions, SimulatorOptions } from "./simulator-options.ts";
import { SseSink } from "./sse-sink.ts";
import { ERROR_TYPE_BY_STATUS, VllmApiError, vllmErrorBody, vllmErrorResponse, validationError } from "./vllm-error.ts";
import { VllmMetrics } from "./vllm-metrics.ts";

/** Milliseconds since start (monotonic) and Unix ms (wall), injectable for tests. */
export interface SimClock {
  readonly nowMs: () => number;
  readonly unixMs: () => number;
}

export interface SimServer {
  readonly options: SimulatorOptions;
  /** Effective max model length: --max-model-len capped by the KV cache (vLLM refuses to start otherwise). */
  readonly maxModelLen: number;
  handle(request: Request, clientAddress: string): Response | Promise<Response>;
  counters(): SimCounters;
  record(simRequestId: string): SimRequestRecord | undefined;
  records(): readonly SimRequestRecord[];
  setFaults(faults: Partial<FaultOptions>): FaultOptions;
  metricsText(): string;
  /** Engine activity for GPU emulation. */
  gpuActivity(): GpuActivitySource;
  close(): void;
}

interface MutableChoice {
  index: number;
  seqId: number;
  plan: OutputPlan;
  emitted: number;
  text: string;
  cachedPromptTokens: number;
  scheduledMs: number | null;
  tokenTimesMs: number[];
  writeTimesMs: number[];
  preemptions: number;
  finishReason: FinishReason | null;
  finishedMs: number | null;
}

interface ActiveRequest {
  readonly simRequestId: string;
  readonly identity: ResponseIdentity;
  readonly parsed: CompletionRequest;
  readonly clientRequestId: string | null;
  readonly maxTokens: number;
  readonly arrivalMs: number;
  readonly startedMs: number;
  readonly requestBytes: number;
  readonly fault: InjectedFault | null;
  readonly choices: MutableChoice[];
  completedMs: number | null;
  status: number;
  unfinished: number;
  sentRole: boolean;
  aborted: boolean;
  sink: SseSink | undefined;
  resolveBody: ((response: Response) => void) | undefined;
}

const EXCLUDED_HANDLERS = new Set(["/metrics", "/health", "/health/decode", "/load", "/ping", "/version", "/server_info"]);
const MAX_STEPS_PER_TICK = 1000;

/** 32 hex digits derived from the seed and a counter (vLLM uses a random uuid4 hex; ours is reproducible). */
function hex32(seed: number, counter: number): string {
  let out = "";
  for (let part = 0; part < 4; part++) out += (hashString(`id:${counter}:${part}`, seed) % 4294967296).toString(16).padStart(8, "0");
  return out;
}

export function createSimServer(options: SimulatorOptions, clock?: SimClock): SimServer {
  const originPerfMs = performance.now();
  const timeOriginUnixMs = Date.now();
  const time: SimClock = clock ?? { nowMs: () => performance.now() - originPerfMs, unixMs: () => Date.now() };
  const maxModelLen = Math.min(options.maxModelLen, options.numGpuBlocks * options.blockSize);
  const engine = new BatchEngine({ ...options });
  const metrics = new VllmMetrics(maxModelLen, time.unixMs() / 1000);
  const faults = new FaultInjector(options.faults, options.seed);
  const injected = Object.fromEntries(FAULT_COUNTER_NAMES.map((name) => [name, 0])) as Record<FaultCounterName, number>;
  const httpResponses: Record<string, number> = {};
  const finishedSequences = { stop: 0, length: 0, abort: 0 };
  /** Kept ground truth: live requests, or the fixed record of one refused with an error. */
  const records = new Map<string, ActiveRequest | SimRequestRecord>();
  const bySeq = new Map<number, { request: ActiveRequest; choice: MutableChoice }>();
  const active = new Set<ActiveRequest>();
  let requestCounter = 0;
  let seqCounter = 0;
  let acceptedRequests = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let immediate: ReturnType<typeof setImmediate> | undefined;
  let timerAtMs: number | undefined;
  let closed = false;
  let busyMsTotal = 0;

  // ---- engine driving -------------------------------------------------------

  function cancelTimer(): void {
    if (timer !== undefined) clearTimeout(timer);
    if (immediate !== undefined) clearImmediate(immediate);
    timer = undefined;
    immediate = undefined;
  }

  /** One wake-up at the end of the step in flight; none when idle. Due now: setImmediate (setTimeout(0) costs ~1 ms in Bun). */
  function schedule(): void {
    if (closed) return;
    const wake = engine.nextWakeMs();
    if (wake === timerAtMs && (timer !== undefined || immediate !== undefined)) return;
    cancelTimer();
    timerAtMs = wake;
    if (wake === undefined) return;
    const delayMs = wake - time.nowMs();
    if (delayMs <= 0) immediate = setImmediate(tick);
    else timer = setTimeout(tick, delayMs);
  }

  function tick(): void {
    timer = undefined;
    immediate = undefined;
    timerAtMs = undefined;
    // Zero-latency steps all end "now": one per tick, so sockets get written between them.
    dispatch(engine.advance(time.nowMs(), options.timeScale === 0 ? 1 : MAX_STEPS_PER_TICK));
    schedule();
  }

  function dispatch(events: readonly EngineEvent[]): void {
    for (const event of events) {
      switch (event.kind) {
        case "step":
          busyMsTotal += event.endMs - event.startMs;
          if (event.iterationTokens > 0) metrics.iterationTokens.observe(event.iterationTokens);
          break;
        case "cache_query":
          metrics.prefixCacheQueries += event.queriedTokens;
          metrics.prefixCacheHits += event.hitTokens;
          break;
        case "scheduled": {
          const entry = bySeq.get(event.seqId);
          if (entry) {
            entry.choice.scheduledMs = event.timeMs;
            entry.choice.cachedPromptTokens = event.cachedTokens;
          }
          break;
        }
        case "preempted": {
          metrics.preemptions++;
          const entry = bySeq.get(event.seqId);
          if (entry) entry.choice.preemptions++;
          break;
        }
        case "token": {
          const entry = bySeq.get(event.seqId);
          if (entry) onToken(entry.request, entry.choice, event.timeMs, event.last);
          break;
        }
      }
    }
  }

  function onToken(request: ActiveRequest, choice: MutableChoice, timeMs: number, last: boolean): void {
    const previous = choice.tokenTimesMs[choice.tokenTimesMs.length - 1];
    choice.tokenTimesMs.push(timeMs);
    if (previous === undefined) metrics.observeFirstToken((timeMs - request.arrivalMs) / 1000, request.parsed.promptTokens.length, choice.cachedPromptTokens);
    else metrics.observeNextToken((timeMs - previous) / 1000);
    const tokenText = choice.plan.tokens[choice.emitted] ?? "";
    choice.emitted++;
    choice.text += tokenText;
    if (last) {
      choice.finishReason = choice.plan.finishReason;
      choice.finishedMs = timeMs;
    }
    if (request.sink !== undefined) {
      const identity = request.identity;
      let text = "";
      if (identity.endpoint === "/v1/chat/completions" && !request.sentRole) {
        request.sentRole = true;
        for (const other of request.choices) text += sseData(roleChunk(identity, other.index));
      }
      const chunkUsage = request.parsed.continuousUsageStats ? streamUsage(request.parsed.promptTokens.length, choice.emitted) : undefined;
      // Completions `echo`: vLLM puts the prompt in front of the first delta.
      const delta = request.parsed.echo && choice.emitted === 1 ? request.parsed.promptText + tokenText : tokenText;
      text += sseData(contentChunk(identity, choice.index, delta, last ? choice.plan.finishReason : null, chunkUsage));
      const finalChunk = last && request.unfinished === 1;
      const outcome = request.sink.writeToken(text, finalChunk, (writeMs) => choice.writeTimesMs.push(writeMs));
      if (outcome === "cut") {
        // The token was generated but never reached the client.
        abortRequest(request, timeMs);
        return;
      }
    }
    if (last) finishChoice(request, choice, timeMs);
  }

  function finishChoice(request: ActiveRequest, choice: MutableChoice, timeMs: number): void {
    const reason = choice.finishReason ?? "abort";
    bySeq.delete(choice.seqId);
    finishedSequences[reason]++;
    const first = choice.tokenTimesMs[0];
    const lastToken = choice.tokenTimesMs[choice.tokenTimesMs.length - 1];
    const scheduled = choice.scheduledMs;
    metrics.observeFinished({
      reason,
      promptTokens: request.parsed.promptTokens.length,
      cachedTokens: choice.cachedPromptTokens,
      generationTokens: choice.emitted,
      maxTokensParam: request.maxTokens,
      e2eSeconds: (timeMs - request.arrivalMs) / 1000,
      queueSeconds: ((scheduled ?? timeMs) - request.arrivalMs) / 1000,
      prefillSeconds: scheduled === null ? 0 : ((first ?? timeMs) - scheduled) / 1000,
      decodeSeconds: first === undefined || lastToken === undefined ? 0 : (lastToken - first) / 1000,
      inferenceSeconds: scheduled === null ? 0 : ((lastToken ?? timeMs) - scheduled) / 1000,
    });
    request.unfinished--;
    if (request.unfinished === 0) {
      metrics.observeParentFinished(request.choices.length, Math.max(...request.choices.map((other) => other.emitted)));
      completeRequest(request);
    }
  }

  /** Ends every unfinished choice as "abort" (client gone, injected disconnect): vLLM counts them in request_success{abort}. */
  function abortRequest(request: ActiveRequest, timeMs: number): void {
    if (request.aborted) return;
    request.aborted = true;
    for (const choice of request.choices) {
      if (!bySeq.has(choice.seqId)) continue;
      choice.finishReason = "abort";
      choice.finishedMs = timeMs;
      finishChoice(request, choice, timeMs);
      dispatch(engine.abort(choice.seqId, time.nowMs()));
    }
    schedule();
  }

  function completeRequest(request: ActiveRequest): void {
    const usageValue = usage(request.parsed.promptTokens.length, request.choices.reduce((sum, choice) => sum + choice.emitted, 0));
    if (request.sink !== undefined) {
      const sink = request.sink;
      if (!sink.closed && request.choices.every((choice) => choice.finishReason !== "abort")) {
        if (request.parsed.includeUsage) sink.write(sseData(usageChunk(request.identity, streamUsage(usageValue.prompt_tokens, usageValue.completion_tokens))));
        if (options.groundTruthComment) sink.write(() => `: vigil-sim ${JSON.stringify(snapshotRecord(request, time.nowMs()))}\n\n`);
        sink.write("data: [DONE]\n\n");
        sink.write(() => {
          finishHttp(request, 0);
          return "";
        });
        sink.close();
      } else finishHttp(request, 0);
      return;
    }
    const aborted = request.choices.some((choice) => choice.finishReason === "abort");
    if (aborted) {
      finishHttp(request, 0);
      return;
    }
    const finished: FinishedChoice[] = request.choices.map((choice) => ({
      index: choice.index,
      text: (request.parsed.echo ? request.parsed.promptText : "") + choice.text,
      finishReason: choice.finishReason ?? "stop",
    }));
    const body = JSON.stringify(completionBody(request.identity, finished, usageValue));
    const writeMs = time.nowMs();
    for (const choice of request.choices) choice.writeTimesMs.push(writeMs);
    finishHttp(request, body.length);
    request.resolveBody?.(new Response(body, { status: 200, headers: { "content-type": "application/json", "x-vigil-sim-request-id": request.simRequestId } }));
  }

  function finishHttp(request: ActiveRequest, responseBytes: number): void {
    if (request.completedMs !== null) return;
    request.completedMs = time.nowMs();
    active.delete(request);
    observeHttp(request.parsed.endpoint, "POST", request.status, request.requestBytes, responseBytes, request.startedMs);
  }

  // ---- records ----------------------------------------------------------------

  function snapshotChoice(choice: MutableChoice, arrivalMs: number): SimChoiceRecord {
    const first = choice.tokenTimesMs[0];
    return {
      index: choice.index,
      completionTokens: choice.emitted,
      finishReason: choice.finishReason,
      cachedPromptTokens: choice.cachedPromptTokens,
      scheduledMs: choice.scheduledMs,
      queueTimeMs: choice.scheduledMs === null ? null : choice.scheduledMs - arrivalMs,
      ttftMs: first === undefined ? null : first - arrivalMs,
      tokenTimesMs: [...choice.tokenTimesMs],
      writeTimesMs: [...choice.writeTimesMs],
      preemptions: choice.preemptions,
      finishedMs: choice.finishedMs,
    };
  }

  function snapshotRecord(request: ActiveRequest, completedMs?: number): SimRequestRecord {
    return {
      simRequestId: request.simRequestId,
      responseId: request.identity.id,
      clientRequestId: request.clientRequestId,
      endpoint: request.parsed.endpoint,
      stream: request.parsed.stream,
      status: request.status,
      fault: request.fault,
      promptTokens: request.parsed.promptTokens.length,
      maxTokens: request.maxTokens,
      n: request.parsed.n,
      arrivalMs: request.arrivalMs,
      timeOriginUnixMs,
      completedMs: request.completedMs ?? completedMs ?? null,
      choices: request.choices.map((choice) => snapshotChoice(choice, request.arrivalMs)),
    };
  }

  function view(entry: ActiveRequest | SimRequestRecord): SimRequestRecord {
    return "identity" in entry ? snapshotRecord(entry) : entry;
  }

  function keep(request: ActiveRequest | SimRequestRecord): void {
    records.set(request.simRequestId, request);
    while (records.size > options.recordLimit) {
      const oldest = records.keys().next();
      if (oldest.done === true) break;
      records.delete(oldest.value);
    }
  }

  // ---- HTTP -------------------------------------------------------------------

  function observeHttp(handler: string, method: string, status: number, requestBytes: number, responseBytes: number, startedMs: number): void {
    const key = `${method} ${handler} ${status}`;
    httpResponses[key] = (httpResponses[key] ?? 0) + 1;
    if (EXCLUDED_HANDLERS.has(handler) || handler.startsWith("/sim/")) return;
    metrics.observeHttp({ handler, method, status, requestBytes, responseBytes, durationSeconds: (time.nowMs() - startedMs) / 1000, nowUnixSeconds: time.unixMs() / 1000 });
  }

  function json(value: unknown, status = 200, headers: Record<string, string> = {}): Response {
    return new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json", ...headers } });
  }

  function respond(handler: string, method: string, startedMs: number, requestBytes: number, response: Response): Response {
    const length = Number(response.headers.get("content-length") ?? 0);
    observeHttp(handler, method, response.status, requestBytes, length, startedMs);
    return response;
  }

  function ready(): boolean {
    return time.nowMs() >= options.faults.startupDelayMs;
  }

  function notReady(): VllmApiError {
    return new VllmApiError(503, "The simulated engine is still starting (--startup-delay)", "ServiceUnavailableError");
  }

  function modelsBody(): unknown {
    const created = Math.floor(timeOriginUnixMs / 1000);
    return {
      object: "list",
      data: [
        {
          id: options.model,
          object: "model",
          created,
          owned_by: "vllm",
          root: options.model,
          parent: null,
          max_model_len: maxModelLen,
          permission: [
            {
              id: `modelperm-${hex32(options.seed, -1)}`,
              object: "model_permission",
              created,
              allow_create_engine: false,
              allow_sampling: true,
              allow_logprobs: true,
              allow_search_indices: false,
              allow_view: true,
              allow_fine_tuning: false,
              organization: "*",
              group: null,
              is_blocking: false,
            },
          ],
        },
      ],
    };
  }

  function metricsText(): string {
    const snapshot = engine.snapshot();
    return renderVllmMetrics({
      metrics,
      model: options.model,
      running: snapshot.running,
      waiting: snapshot.waiting,
      kvCacheUsage: snapshot.kvCacheUsage,
      cacheConfig: { blockSize: options.blockSize, numGpuBlocks: options.numGpuBlocks, enablePrefixCaching: options.enablePrefixCaching, maxModelLen },
      process: readProcessStats(),
    });
  }

  async function serveMetrics(startedMs: number): Promise<Response> {
    const delayMs = faults.faults.metricsDelayMs;
    if (delayMs > 0) {
      injected.metrics_delay++;
      await Bun.sleep(delayMs);
    }
    if (faults.nextScrapeFails()) {
      injected.metrics_failure++;
      return respond("/metrics", "GET", startedMs, 0, new Response("Internal Server Error", { status: 500, headers: { "content-type": "text/plain; charset=utf-8" } }));
    }
    return respond("/metrics", "GET", startedMs, 0, new Response(metricsText(), { headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" } }));
  }

  function counters(): SimCounters {
    return {
      httpResponses: { ...httpResponses },
      acceptedRequests,
      finishedSequences: { ...finishedSequences },
      inFlightRequests: active.size,
      promptTokens: metrics.promptTokens,
      generationTokens: metrics.generationTokens,
      preemptions: metrics.preemptions,
      injected: { ...injected },
    };
  }

  async function handleAdmin(request: Request, path: string): Promise<Response> {
    if (path === "/sim/counters") return json(counters());
    if (path === "/sim/metrics") return new Response(renderSimMetrics(counters()), { headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" } });
    if (path === "/sim/options") return json({ ...options, faults: faults.faults, maxModelLenEffective: maxModelLen });
    if (path === "/sim/requests") return json([...records.values()].map(view));
    if (path.startsWith("/sim/requests/")) {
      const entry = records.get(decodeURIComponent(path.slice("/sim/requests/".length)));
      return entry === undefined ? json({ error: `No record for ${path.slice("/sim/requests/".length)} (unknown, or older than the last ${options.recordLimit})` }, 404) : json(view(entry));
    }
    if (path === "/sim/faults" && request.method === "GET") return json(faults.faults);
    if (path === "/sim/faults" && (request.method === "PUT" || request.method === "POST")) {
      let body: unknown;
      try {
        body = await request.json();
      } catch (error) {
        return json({ error: `Cannot parse the fault settings as JSON: ${(error as Error).message}` }, 400);
      }
      if (typeof body !== "object" || body === null || Array.isArray(body)) return json({ error: "Fault settings must be a JSON object (Partial<FaultOptions>)" }, 400);
      return json(faults.update(body as Partial<FaultOptions>));
    }
    return json({ error: `No admin route ${request.method} ${path}` }, 404);
  }

  async function handleCompletion(request: Request, endpoint: CompletionEndpoint, startedMs: number): Promise<Response> {
    const simRequestId = `sim-${++requestCounter}`;
    const headers = { "x-vigil-sim-request-id": simRequestId };
    const raw = await request.text();
    const requestBytes = Number(request.headers.get("content-length") ?? raw.length);
    const receivedMs = time.nowMs();
    const fail = (error: VllmApiError, fault: InjectedFault | null = null, parsedRequest?: CompletionRequest): Response => {
      const response = vllmErrorResponse(error, headers);
      keep({
        simRequestId,
        responseId: "",
        clientRequestId: request.headers.get("x-request-id"),
        endpoint,
        stream: parsedRequest?.stream ?? false,
        status: error.status,
        fault,
        promptTokens: parsedRequest?.promptTokens.length ?? 0,
        maxTokens: parsedRequest?.maxTokens ?? 0,
        n: parsedRequest?.n ?? 0,
        arrivalMs: receivedMs,
        timeOriginUnixMs,
        completedMs: time.nowMs(),
        choices: [],
      });
      observeHttp(endpoint, "POST", error.status, requestBytes, vllmErrorBody(error).length, startedMs);
      return response;
    };
    if (!ready()) return fail(notReady());
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch (error) {
      return fail(validationError([{ type: "json_invalid", loc: ["body", 0], msg: "JSON decode error", input: {} }]));
    }
    let parsed: CompletionRequest;
    let maxTokens: number;
    try {
      parsed = parseCompletionRequest(endpoint, body);
      if (parsed.model !== undefined && parsed.model !== options.model) throw new VllmApiError(404, `The model \`${parsed.model}\` does not exist.`, "NotFoundError", "model");
      maxTokens = resolveMaxTokens(parsed, maxModelLen);
    } catch (error) {
      if (error instanceof VllmApiError) return fail(error);
      throw error;
    }
    const fault = faults.nextRequest(parsed.stream);
    if (fault === "http_429" || fault === "http_500" || fault === "http_503") {
      injected[fault]++;
      const status = Number(fault.slice(5));
      const message = status === 429 ? "Too many requests (injected by vigil-sim)" : status === 503 ? "Service unavailable (injected by vigil-sim)" : "Internal server error (injected by vigil-sim)";
      return fail(new VllmApiError(status, message, ERROR_TYPE_BY_STATUS[status] ?? "InternalServerError"), fault, parsed);
    }
    if (fault !== null) injected[fault]++;
    acceptedRequests++;
    const clientRequestId = request.headers.get("x-request-id");
    const base = clientRequestId ?? hex32(options.seed, requestCounter);
    const identity: ResponseIdentity = {
      endpoint,
      id: `${endpoint === "/v1/completions" ? "cmpl" : "chatcmpl"}-${base}`,
      created: Math.floor(time.unixMs() / 1000),
      model: options.model,
    };
    // vLLM's arrival_time: when the frontend starts on the parsed request.
    const arrivalMs = time.nowMs();
    const choices: MutableChoice[] = [];
    for (let index = 0; index < parsed.n; index++) {
      const plan = planOutput({
        seed: options.seed,
        mode: options.mode,
        outputLenMean: options.outputLenMean,
        promptTokens: parsed.promptTokens,
        contentTokens: parsed.contentTokens,
        choiceIndex: index,
        requestSeed: parsed.seed,
        maxTokens,
        minTokens: parsed.minTokens,
        ignoreEos: parsed.ignoreEos,
        chat: endpoint === "/v1/chat/completions",
      });
      choices.push({ index, seqId: ++seqCounter, plan, emitted: 0, text: "", cachedPromptTokens: 0, scheduledMs: null, tokenTimesMs: [], writeTimesMs: [], preemptions: 0, finishReason: null, finishedMs: null });
    }
    const active_: ActiveRequest = {
      simRequestId,
      identity,
      parsed,
      clientRequestId,
      maxTokens,
      arrivalMs,
      startedMs,
      requestBytes,
      fault,
      choices,
      completedMs: null,
      status: 200,
      unfinished: choices.length,
      sentRole: false,
      aborted: false,
      sink: undefined,
      resolveBody: undefined,
    };
    keep(active_);
    active.add(active_);
    const blockHashes = promptBlockHashes(parsed.promptTokens);
    let response: Response | Promise<Response>;
    if (parsed.stream) {
      active_.sink = new SseSink({
        nowMs: time.nowMs,
        fault: fault === "stall" || fault === "disconnect" || fault === "malformed_chunk" ? fault : null,
        afterTokens: faults.faults.afterTokens,
        stallMs: faults.faults.stallMs,
        onCancel: () => abortRequest(active_, time.nowMs()),
      });
      response = new Response(active_.sink.stream, { status: 200, headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", ...headers } });
    } else {
      response = new Promise<Response>((resolve) => {
        active_.resolveBody = resolve;
      });
      request.signal.addEventListener("abort", () => {
        if (active_.completedMs === null) abortRequest(active_, time.nowMs());
      });
    }
    for (const choice of choices) bySeq.set(choice.seqId, { request: active_, choice });
    dispatch(engine.submit(choices.map((choice) => ({ id: choice.seqId, promptTokens: parsed.promptTokens.length, promptBlockHashes: blockHashes, outputTokens: choice.plan.tokens.length })), arrivalMs));
    schedule();
    return response;
  }

  /** Chained hashes of the prompt's full blocks: block i's hash covers tokens 0 .. (i+1)·blockSize. */
  function promptBlockHashes(tokens: readonly string[]): number[] {
    if (!options.enablePrefixCaching) return [];
    const hashes: number[] = [];
    let previous = 0;
    for (let end = options.blockSize; end <= tokens.length; end += options.blockSize) {
      previous = hashString(tokens.slice(end - options.blockSize, end).join("\u0001"), previous % 4294967296);
      hashes.push(previous);
    }
    return hashes;
  }

  async function handle(request: Request): Promise<Response> {
    const startedMs = time.nowMs();
    const path = new URL(request.url).pathname;
    const method = request.method;
    if (path.startsWith("/sim/")) return handleAdmin(request, path);
    if (method === "POST" && (path === "/v1/completions" || path === "/v1/chat/completions")) return handleCompletion(request, path, startedMs);
    if (method === "GET" && path === "/metrics") return serveMetrics(startedMs);
    if (method === "GET" && path === "/health") {
      if (!ready()) {
        injected.health_not_ready++;
        return respond(path, method, startedMs, 0, new Response(null, { status: 503 }));
      }
      return respond(path, method, startedMs, 0, new Response(null, { status: 200 }));
    }
    if (method === "GET" && path === "/version") return respond(path, method, startedMs, 0, json({ version: options.vllmVersion }));
    if (method === "GET" && path === "/v1/models") {
      if (!ready()) return respond(path, method, startedMs, 0, vllmErrorResponse(notReady()));
      const body = JSON.stringify(modelsBody());
      return respond(path, method, startedMs, 0, new Response(body, { headers: { "content-type": "application/json", "content-length": String(body.length) } }));
    }
    const known = ["/v1/completions", "/v1/chat/completions", "/metrics", "/health", "/version", "/v1/models"].includes(path);
    // Starlette's answers: 405 for a known path with the wrong method, else 404 {"detail":"Not Found"}.
    if (known) return respond(path, method, startedMs, 0, json({ detail: "Method Not Allowed" }, 405));
    return respond("none", method, startedMs, 0, json({ detail: "Not Found" }, 404));
  }

  return {
    options,
    maxModelLen,
    handle,
    counters,
    record: (id) => {
      const entry = records.get(id);
      return entry === undefined ? undefined : view(entry);
    },
    records: () => [...records.values()].map(view),
    setFaults: (update) => faults.update(update),
    metricsText,
    gpuActivity: () => {
      const snapshot = engine.snapshot();
      const nowMs = time.nowMs();
      // A long prefill step is busy time before it ends: count the part already run.
      const inFlightMs = snapshot.stepStartMs === null || snapshot.stepEndMs === null ? 0 : Math.max(0, Math.min(nowMs, snapshot.stepEndMs) - snapshot.stepStartMs);
      return { busyMsTotal: busyMsTotal + inFlightMs, nowMs, running: snapshot.running, maxNumSeqs: options.maxNumSeqs, kvCacheUsage: snapshot.kvCacheUsage };
    },
    close() {
      closed = true;
      cancelTimer();
      for (const request of active) {
        request.sink?.abort();
        request.resolveBody?.(vllmErrorResponse(new VllmApiError(503, "The simulator is shutting down", "ServiceUnavailableError")));
      }
      active.clear();
    },
  };
}
