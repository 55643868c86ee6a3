/**
 * Starts the vLLM simulator in this process (tests, the harness's own tests, benchmarks).
 *
 * @example
 *   await using sim = await startSimulator({ port: 0, maxNumSeqs: 4, seed: 1 });
 *   const res = await fetch(`${sim.url}/v1/completions`, { method: "POST", body: JSON.stringify({ model: sim.options.model, prompt: "hi", max_tokens: 8 }) });
 *   const truth = await sim.record(res.headers.get("x-vigil-sim-request-id")!);
 *
 * Wire format: exactly vLLM's (OpenAI-compatible JSON and SSE, vLLM's error bodies,
 * V1 /metrics). Two additions a vLLM client never looks at carry the ground truth:
 *
 * 1. Every completion response (streamed or not, errors included) has the header
 *    `x-vigil-sim-request-id: sim-<n>`. `GET /sim/requests/<id>` returns that request's
 *    SimRequestRecord as JSON (404 once it has aged out: `recordLimit`), and
 *    `GET /sim/requests` all kept records. RunningSimulator.record(id) reads it in-process.
 * 2. A streamed response ends with an SSE comment line just before `data: [DONE]`:
 *    `: vigil-sim {SimRequestRecord JSON}` followed by a blank line. SSE clients
 *    (vLLM's benchmark, the OpenAI SDKs) skip lines starting with `:`. Its write times
 *    cover every content chunk; `completedMs` there is the time the comment was built.
 *    Turn it off with `groundTruthComment: false` (`--no-ground-truth-comment`).
 *
 * SimRequestRecord times are ms on the simulator's clock (0 = start, `timeOriginUnixMs`
 * converts to Unix ms). Per choice: `queueTimeMs`, `ttftMs` and `tokenTimesMs` are the
 * engine model's (what vLLM's own histograms observe), `writeTimesMs` when each token's
 * chunk was enqueued on the response stream (what a client can at best measure).
 * Injected faults are in `fault` and counted in counters().injected.
 *
 * Admin API on the same port (vLLM has no /sim routes): GET /sim/counters (SimCounters
 * JSON), GET /sim/metrics (vigil_sim_* Prometheus text), GET /sim/options,
 * GET /sim/faults, PUT /sim/faults (JSON Partial<FaultOptions>, merged; answers the result).
 *
 * With `gpuStatePath`, the fake-NVML state file is written every 500 ms until stop()
 * (see gpu-emulation.ts).
 */
import { createLogger } from "../../agent/log.ts";
import { type GpuActivitySource, startGpuEmulation } from "./gpu-emulation.ts";
import { createSimServer, type SimServer } from "./sim-server.ts";
import { INJECTED_DISCONNECT } from "./sse-sink.ts";
import type { SimCounters } from "./sim-counters.ts";
import type { SimRequestRecord } from "./sim-request-record.ts";
import { type FaultOptions, resolveSimulatorOptions, type SimulatorOptions, type SimulatorOptionsInput } from "./simulator-options.ts";

export type { FaultOptions, FaultRule, SimulatorOptions, SimulatorOptionsInput } from "./simulator-options.ts";
export type { SimCounters } from "./sim-counters.ts";
export type { SimChoiceRecord, SimRequestRecord } from "./sim-request-record.ts";

/** A started simulator. Stop it with `await sim.stop()` or `await using`. */
export interface RunningSimulator extends AsyncDisposable {
  /** `http://127.0.0.1:PORT` (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** The options in force (defaults filled in). */
  readonly options: SimulatorOptions;
  /** What was served and injected so far (a snapshot). */
  counters(): SimCounters;
  /** The ground-truth record of one request, by its `x-vigil-sim-request-id`; undefined if unknown or aged out. */
  record(simRequestId: string): SimRequestRecord | undefined;
  /** All kept records, oldest first. */
  records(): readonly SimRequestRecord[];
  /** Changes faults at run time (merged over the current ones). */
  setFaults(faults: Partial<FaultOptions>): void;
  /** Engine activity (busy time, batch, KV use) that GPU emulation turns into NVML readings. */
  gpuActivity(): GpuActivitySource;
  /** The /metrics body as a scrape would see it now (no fault applied). */
  metricsText(): string;
  /** Stops listening, ends open streams, stops the engine timers. */
  stop(): Promise<void>;
}

/**
 * Starts a simulator. Options default to DEFAULT_SIMULATOR_OPTIONS except `port`,
 * which defaults to 0 here (a free port) so tests never collide.
 * Throws SimulatorOptionsError on bad options.
 */
export async function startSimulator(options: SimulatorOptionsInput = {}): Promise<RunningSimulator> {
  const resolved = resolveSimulatorOptions({ port: 0, ...options });
  const server: SimServer = createSimServer(resolved);
  const listening = Bun.serve({
    hostname: resolved.host,
    port: resolved.port,
    idleTimeout: 0, // streams may stall on purpose (faults, long queues); Bun's default 10 s would cut them
    fetch: (request, bunServer) => server.handle(request, bunServer.requestIP(request)?.address ?? ""),
    // An injected disconnect errors the response stream on purpose; anything else is a bug worth a 500.
    error: (error: unknown) => {
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      if (text !== INJECTED_DISCONNECT) process.stderr.write(`vigil-sim: unexpected server error: ${text}\n`);
      return new Response("Internal Server Error", { status: 500 });
    },
  });
  const port = listening.port ?? resolved.port;
  const host = resolved.host.includes(":") ? `[${resolved.host}]` : resolved.host;
  const gpu = resolved.gpuStatePath === undefined ? undefined : await startGpuEmulation(server, resolved.gpuStatePath, createLogger("info"));
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      gpu?.stop();
      server.close();
      await listening.stop(true);
    })();
    return stopped;
  };
  return {
    url: `http://${host}:${port}`,
    port,
    options: server.options,
    counters: () => server.counters(),
    record: (id) => server.record(id),
    records: () => server.records(),
    setFaults: (faults) => server.setFaults(faults),
    metricsText: () => server.metricsText(),
    gpuActivity: () => server.gpuActivity(),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
