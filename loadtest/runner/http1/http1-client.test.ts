import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RequestCancel } from "../request-cancel.ts";
import { ConnectError, DisconnectedError, ProtocolError, TtftTimeoutError } from "../request-failure.ts";
import { bunConnector, type Connector } from "./client-socket.ts";
import { Http1Client, type ExchangeSink } from "./http1-client.ts";
import { kernelStamps } from "./kernel-stamped-connector.ts";
import type { ResponseHead } from "./response-parser.ts";

/** Records what the client hands over, with the read count at each body piece. */
function recorder(): ExchangeSink & { reads: number; head: ResponseHead | null; body: string; pieces: number[] } {
  const decoder = new TextDecoder();
  const sink = {
    reads: 0,
    head: null as ResponseHead | null,
    body: "",
    pieces: [] as number[],
    onRead: () => void sink.reads++,
    onHead: (head: ResponseHead) => void (sink.head = head),
    onBody: (bytes: Uint8Array) => {
      sink.body += decoder.decode(bytes, { stream: true });
      sink.pieces.push(sink.reads);
    },
  };
  return sink;
}

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function serve(fetch: (request: Request) => Response | Promise<Response>): string {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch });
  cleanups.push(() => server.stop(true));
  return `http://127.0.0.1:${server.port}`;
}

/** A raw TCP server that answers each connection's data with `respond` (for what Bun.serve will not send). */
function listen(respond: (socket: Bun.Socket<undefined>, received: string) => void): string {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data: (socket, bytes) => respond(socket, bytes.toString()) } });
  cleanups.push(() => listener.stop(true));
  return `http://127.0.0.1:${listener.port}`;
}

const { connector: kernelStamped, unavailable } = kernelStamps();
if (kernelStamped === null && process.platform === "linux") throw new Error(`kernel-stamped sockets unavailable on Linux: ${unavailable}`);
/** Every test runs over both ways of opening connections. */
const CONNECTORS: Array<[string, Connector]> = [["Bun sockets", bunConnector], ...(kernelStamped ? [["kernel-stamped sockets", kernelStamped] as [string, Connector]] : [])];
let connector: Connector = bunConnector;

function client(baseUrl: string, headers: Record<string, string> = {}): Http1Client {
  const c = new Http1Client({ baseUrl, headers, connector });
  cleanups.push(() => c.close());
  return c;
}

/** A fresh switch per use: one listener at a time. */
const never = () => new RequestCancel();

describe.each(CONNECTORS)("Http1Client over %s", (_name, use) => {
  beforeEach(() => {
    connector = use;
  });

  it("sends the request as fetch would and reuses one keep-alive connection", async () => {
    const seen: Array<{ url: string; headers: Record<string, string>; body: string }> = [];
    const url = serve(async (request) => {
      seen.push({ url: request.url, headers: Object.fromEntries(request.headers), body: await request.text() });
      return Response.json({ ok: seen.length });
    });
    const c = client(`${url}/base/`, { "Content-Type": "application/json", Authorization: "Bearer k" });
    for (let i = 0; i < 3; i++) {
      const sink = recorder();
      await c.request({ path: "/v1/completions", body: `{"n":"é${i}"}`, extraHeaders: { "x-request-id": `r-${i}` } }, sink, never());
      expect(sink.head?.status).toBe(200);
      expect(JSON.parse(sink.body)).toEqual({ ok: i + 1 });
    }
    expect(c.openConnections).toBe(1);
    expect(seen[2]).toMatchObject({ url: `${url}/base/v1/completions`, body: '{"n":"é2"}', headers: { "content-type": "application/json", authorization: "Bearer k", "x-request-id": "r-2" } });
  });

  it("hands over each streamed piece when it arrives, not at the end", async () => {
    const url = serve(
      () =>
        new Response(
          new ReadableStream({
            async start(controller) {
              for (let i = 0; i < 3; i++) {
                controller.enqueue(new TextEncoder().encode(`data: ${i}\n\n`));
                await Bun.sleep(20);
              }
              controller.close();
            },
          }),
          { headers: { "content-type": "text/event-stream" } },
        ),
    );
    const sink = recorder();
    await client(url).request({ path: "/s", body: "{}" }, sink, never());
    expect(sink.body).toBe("data: 0\n\ndata: 1\n\ndata: 2\n\n");
    expect(new Set(sink.pieces).size).toBeGreaterThanOrEqual(3);
  });

  it("writes a large body in full under backpressure", async () => {
    const url = serve(async (request) => new Response(String((await request.arrayBuffer()).byteLength)));
    const sink = recorder();
    const body = "x".repeat(8 * 1024 * 1024);
    await client(url).request({ path: "/big", body }, sink, never());
    expect(sink.body).toBe(String(body.length));
  });

  it("fails with ConnectError when nothing listens", async () => {
    const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const port = listener.port;
    listener.stop(true);
    await expect(client(`http://127.0.0.1:${port}`).request({ path: "/", body: "" }, recorder(), never())).rejects.toThrow(ConnectError);
  });

  it("fails with ConnectError when the server closes before the head, and DisconnectedError inside the body", async () => {
    const closing = listen((socket) => socket.end());
    await expect(client(closing).request({ path: "/", body: "" }, recorder(), never())).rejects.toBeInstanceOf(ConnectError);
    const cut = listen((socket) => socket.end("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial"));
    const sink = recorder();
    const error = await client(cut).request({ path: "/", body: "" }, sink, never()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DisconnectedError);
    expect(String(error)).toContain("93 bytes still expected");
    expect(sink.body).toBe("partial");
  });

  it("fails with ProtocolError on a response that is not HTTP", async () => {
    const url = listen((socket) => socket.write("SSH-2.0-OpenSSH_9.6\r\n\r\n"));
    await expect(client(url).request({ path: "/", body: "" }, recorder(), never())).rejects.toThrow(/invalid HTTP response: not an HTTP\/1.x status line/);
    await expect(client(url).request({ path: "/", body: "" }, recorder(), never())).rejects.toBeInstanceOf(ProtocolError);
  });

  it("reads a body framed by the close, then uses a new connection", async () => {
    let connections = 0;
    const listener = Bun.listen({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        open: () => void connections++,
        data: (socket) => void socket.end("HTTP/1.1 200 OK\r\n\r\nall of it"),
      },
    });
    cleanups.push(() => listener.stop(true));
    const c = client(`http://127.0.0.1:${listener.port}`);
    for (let i = 0; i < 2; i++) {
      const sink = recorder();
      await c.request({ path: "/", body: "" }, sink, never());
      expect(sink.body).toBe("all of it");
    }
    expect(connections).toBe(2);
  });

  it("retries once on a new connection when a kept-alive one was closed by the server before any byte", async () => {
    let requests = 0;
    const url = listen((socket) => {
      requests++;
      // Every second request on a connection: close without answering (the idle-close race).
      if (requests % 2 === 0) socket.end();
      else socket.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
    });
    const c = client(url);
    for (let i = 0; i < 3; i++) {
      const sink = recorder();
      await c.request({ path: "/", body: "" }, sink, never());
      expect(sink.body).toBe("ok");
    }
    expect(requests).toBe(5);
  });

  it("rejects with the abort reason and drops the connection", async () => {
    const url = serve(() => new Response(new ReadableStream({ start() {} })));
    const cancel = new RequestCancel();
    const c = client(url);
    const pending = c.request({ path: "/", body: "" }, recorder(), cancel);
    await Bun.sleep(50);
    cancel.abort(new TtftTimeoutError(50));
    await expect(pending).rejects.toBeInstanceOf(TtftTimeoutError);
    expect(c.openConnections).toBe(0);
  });

  it("refuses header values with line breaks (no header injection)", () => {
    expect(() => new Http1Client({ baseUrl: "http://127.0.0.1:1", headers: { "x-a": "1\r\nx-b: 2" } })).toThrow("contains a line break");
    expect(() => new Http1Client({ baseUrl: "https://127.0.0.1:1", headers: {} })).toThrow("plain http only");
  });
});
