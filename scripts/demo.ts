/**
 * The README demo: a vLLM /metrics fixture served locally, the agent scraping it
 * and the host, and the commands to look at what it serves. Stops on Ctrl-C.
 *
 *   npm run demo                     (or: bun scripts/demo.ts [--exit-after 10])
 */
import { startVllmFixtureServer } from "./vllm-fixture-server.ts";

const root = new URL("..", import.meta.url).pathname;
const exitAfterIndex = process.argv.indexOf("--exit-after");
const exitAfterMs = exitAfterIndex === -1 ? null : Number(process.argv[exitAfterIndex + 1]) * 1000;

const vllm = await startVllmFixtureServer();
const listen = (await portIsFree(19400)) ? "127.0.0.1:19400" : "127.0.0.1:0";
const agent = Bun.spawn([process.execPath, `${root}agent/main.ts`, "--listen", listen, "--vllm", vllm.url, "--interval", "1s"], {
  cwd: root,
  stdout: "inherit",
  stderr: "pipe",
});

const agentUrl = await waitForListenUrl(agent.stderr);
const base = agentUrl.replace(/\/metrics$/, "");
process.stdout.write(
  [
    "",
    `Vigil agent ${base} is scraping this host and a vLLM /metrics fixture at ${vllm.url}.`,
    "Try:",
    `  curl -s ${base}/metrics | grep -E '^(vigil_|node_load|vllm:num_requests)'`,
    `  curl -s ${base}/api/v1/snapshot | head -c 600`,
    `  curl -s "${base}/api/v1/timeline?since=$(($(date +%s%3N)-10000))" | head -c 600`,
    "Ctrl-C stops both.",
    "",
  ].join("\n"),
);

const stop = async (code: number) => {
  agent.kill("SIGTERM");
  await agent.exited;
  vllm.stop();
  process.exit(code);
};
process.once("SIGINT", () => void stop(0));
process.once("SIGTERM", () => void stop(0));
if (exitAfterMs !== null) setTimeout(() => void stop(0), exitAfterMs);
void agent.exited.then((code) => {
  process.stderr.write(`demo: the agent exited with code ${code}\n`);
  vllm.stop();
  process.exit(code === 0 ? 0 : 1);
});

async function portIsFree(port: number): Promise<boolean> {
  try {
    const probe = Bun.listen({ hostname: "127.0.0.1", port, socket: { data() {} } });
    probe.stop(true);
    return true;
  } catch {
    // EADDRINUSE: someone (maybe an agent already) has the port; the demo takes any free one instead.
    return false;
  }
}

/** Copies the agent's log to our stderr and resolves with the URL from its "Serving metrics" line. */
async function waitForListenUrl(stream: ReadableStream<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  const reader = stream.getReader();
  let buffered = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) throw new Error("demo: the agent exited before it started serving; see its log above");
    const text = decoder.decode(value, { stream: true });
    process.stderr.write(text);
    buffered += text;
    const match = /msg="Serving metrics" url=(\S+)/.exec(buffered);
    if (match) {
      void (async () => {
        for (;;) {
          const next = await reader.read();
          if (next.done) return;
          process.stderr.write(next.value);
        }
      })();
      return match[1] as string;
    }
  }
}
