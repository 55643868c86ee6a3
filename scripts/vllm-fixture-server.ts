/**
 * Serves the real-shaped vLLM /metrics fixture on 127.0.0.1, for the demo, the
 * integration tests and the benchmark, until the simulator (loadtest/sim/) exists.
 * Its behaviour can be switched to the failures the agent must survive.
 *
 *   bun scripts/vllm-fixture-server.ts [--port 8000]
 */

export type FixtureBehaviour =
  | { readonly kind: "fixture" }
  | { readonly kind: "status"; readonly status: number }
  | { readonly kind: "slow"; readonly delayMs: number }
  | { readonly kind: "garbage" }
  /** An endless body: the agent must stop reading at its cap. */
  | { readonly kind: "huge" };

export const FIXTURE_PATH = new URL("../test/fixtures/vllm/vllm-metrics-v1.txt", import.meta.url).pathname;

/** A running fixture server; `behaviour` may be changed while it runs. */
export interface FixtureServer extends Disposable {
  readonly url: string;
  behaviour: FixtureBehaviour;
  /** /metrics requests answered so far. */
  readonly requests: number;
  stop(): void;
}

/** Starts the server on 127.0.0.1 (port 0 = any free port). */
export async function startVllmFixtureServer(options: { port?: number; behaviour?: FixtureBehaviour } = {}): Promise<FixtureServer> {
  const body = await Bun.file(FIXTURE_PATH).text();
  let requests = 0;
  const state = { behaviour: options.behaviour ?? ({ kind: "fixture" } as FixtureBehaviour) };
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: options.port ?? 0,
    idleTimeout: 60,
    async fetch(request) {
      const path = new URL(request.url).pathname;
      if (path === "/health") return new Response("");
      if (path !== "/metrics") return new Response("not found", { status: 404 });
      requests++;
      const behaviour = state.behaviour;
      switch (behaviour.kind) {
        case "fixture":
          return new Response(body, { headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" } });
        case "status":
          return new Response("Internal Server Error", { status: behaviour.status });
        case "slow":
          await Bun.sleep(behaviour.delayMs);
          return new Response(body, { headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" } });
        case "garbage":
          return new Response("<html>\u0000\u0001 this is { not metrics\nfoo{a=\"1\" 1\n", { headers: { "content-type": "text/plain" } });
        case "huge": {
          const chunk = new TextEncoder().encode(`${"vllm:filler{model_name=\"x\"} 1\n".repeat(2048)}`);
          let sent = 0;
          return new Response(
            new ReadableStream({
              pull(controller) {
                // Stop after 1 GiB whatever happens, so a broken client cannot make this run forever.
                if (sent > 1024 ** 3) return controller.close();
                sent += chunk.byteLength;
                controller.enqueue(chunk);
              },
            }),
            { headers: { "content-type": "text/plain; version=0.0.4" } },
          );
        }
      }
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    get behaviour() {
      return state.behaviour;
    },
    set behaviour(next: FixtureBehaviour) {
      state.behaviour = next;
    },
    get requests() {
      return requests;
    },
    stop: () => void server.stop(true),
    [Symbol.dispose]() {
      void server.stop(true);
    },
  };
}

if (import.meta.main) {
  const portFlag = process.argv.indexOf("--port");
  const port = portFlag === -1 ? 8000 : Number(process.argv[portFlag + 1]);
  const server = await startVllmFixtureServer({ port });
  process.stdout.write(`vLLM metrics fixture at ${server.url}/metrics\n`);
}
