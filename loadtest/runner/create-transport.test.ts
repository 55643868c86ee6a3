import { afterEach, describe, expect, it } from "vitest";
import { closeTransport, createTransport } from "./create-transport.ts";
import { RequestCancel } from "./request-cancel.ts";
import type { Transport } from "./send-request.ts";

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function serve(): string {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("ok") });
  cleanups.push(() => server.stop(true));
  return `http://127.0.0.1:${server.port}`;
}

function keep(transport: Transport): Transport {
  cleanups.push(() => closeTransport(transport));
  return transport;
}

async function bodyOf(transport: Transport): Promise<string> {
  if (transport.kind !== "http1") throw new Error(`expected the HTTP/1.1 client, got ${transport.kind}`);
  let body = "";
  const decoder = new TextDecoder();
  await transport.client.request({ path: "/", body: "" }, { onRead() {}, onHead() {}, onBody: (bytes) => (body += decoder.decode(bytes)) }, new RequestCancel());
  return body;
}

const UNAVAILABLE = () => ({ connector: null, unavailable: "kernel receive stamps need Linux, this is darwin" }) as const;

describe("createTransport", () => {
  it.runIf(process.platform === "linux")("gives plain http:// the HTTP/1.1 client with kernel stamps on Linux", async () => {
    const transport = keep(createTransport(serve(), {}));
    expect(transport.info).toEqual({ client: "http1", receiveStamps: "kernel", fallbackReason: null });
    expect(await bodyOf(transport)).toBe("ok");
  });

  it("falls back to Bun's sockets where kernel stamps are unavailable, says why, and still works", async () => {
    const transport = keep(createTransport(serve(), {}, "native", UNAVAILABLE));
    expect(transport.info).toEqual({ client: "http1", receiveStamps: "socket-callback", fallbackReason: "kernel receive stamps unavailable: kernel receive stamps need Linux, this is darwin" });
    expect(await bodyOf(transport)).toBe("ok");
  });

  it("uses Bun's sockets for --http-client bun-sockets without asking for kernel stamps", async () => {
    const transport = keep(createTransport(serve(), {}, "bun-sockets", () => { throw new Error("probed"); }));
    expect(transport.info).toEqual({ client: "http1", receiveStamps: "socket-callback", fallbackReason: null });
    expect(await bodyOf(transport)).toBe("ok");
  });

  it("uses fetch when asked, and for https:// targets (saying so)", () => {
    expect(createTransport("http://127.0.0.1:1", {}, "fetch").info).toEqual({ client: "fetch", receiveStamps: "body-reader", fallbackReason: null });
    expect(createTransport("https://example.invalid", {}, "native").info).toEqual({ client: "fetch", receiveStamps: "body-reader", fallbackReason: "https:// targets use Bun's fetch" });
  });
});
