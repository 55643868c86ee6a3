/**
 * A bare streaming server for measuring a client's timing error, started by harness-capacity.ts:
 *   bun scripts/bench/stream-pacer.ts [--step-ms 50]
 *
 * Speaks just enough HTTP/1.1 on raw sockets (Bun.listen) to answer POST /v1/completions with a
 * chunked SSE stream of OpenAI completion chunks: the head at once, then one token chunk per open
 * stream on every step (all streams at the same instant, like one engine step of a batch), then
 * usage and [DONE] after `max_tokens` tokens. Each chunk is one `socket.write` (a send() on the
 * socket), and its stamp is taken right after that write returns, on the wall clock
 * (performance.timeOrigin + performance.now()): unlike the simulator, whose ReadableStream bodies
 * Bun flushes to the sockets later and in its own order, the stamp is when the bytes reached the
 * kernel. GET /records returns `{ [x-request-id]: { writeTimesMs, partialWrites } }`.
 * Prints `url=http://127.0.0.1:PORT` on stderr once listening.
 */
import type { Socket } from "bun";

const stepIndex = process.argv.indexOf("--step-ms");
const STEP_MS = stepIndex === -1 ? 50 : Number(process.argv[stepIndex + 1]);
const MAX_RECORDS = 200_000;

interface Stream {
  readonly socket: Socket<Client>;
  readonly requestId: string;
  readonly tokens: number;
  sent: number;
}

interface Client {
  received: string;
  stream: Stream | null;
  /** Bytes the socket did not take yet (sent on drain, before anything newer). */
  unsent: Uint8Array | null;
}

interface StreamRecord {
  readonly writeTimesMs: number[];
  partialWrites: number;
}

const records = new Map<string, StreamRecord>();
const open = new Set<Stream>();
const encoder = new TextEncoder();
const wallNowMs = () => performance.timeOrigin + performance.now();

/** Writes `data`, or queues what the socket does not take; true when it all went out now. */
function send(socket: Socket<Client>, data: string | Uint8Array): boolean {
  const client = socket.data;
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  if (client.unsent !== null) {
    const joined = new Uint8Array(client.unsent.length + bytes.length);
    joined.set(client.unsent);
    joined.set(bytes, client.unsent.length);
    client.unsent = joined;
    return false;
  }
  const written = socket.write(bytes);
  if (written >= bytes.length) return true;
  client.unsent = bytes.subarray(Math.max(0, written));
  return false;
}

function chunked(text: string): string {
  return `${encoder.encode(text).length.toString(16)}\r\n${text}\r\n`;
}

const TOKEN = encoder.encode(chunked(`data: ${JSON.stringify({ id: "cmpl-pacer", object: "text_completion", created: 0, model: "pacer", choices: [{ index: 0, text: " tok", logprobs: null, finish_reason: null }] })}\n\n`));

function finalFrames(tokens: number): string {
  const usage = { id: "cmpl-pacer", object: "text_completion", created: 0, model: "pacer", choices: [], usage: { prompt_tokens: 8, completion_tokens: tokens, total_tokens: 8 + tokens } };
  return `${chunked(`data: ${JSON.stringify(usage)}\n\ndata: [DONE]\n\n`)}0\r\n\r\n`;
}

/** One complete request in `received` (head + content-length body), or null while incomplete. */
function takeRequest(client: Client): { head: string; body: string } | null {
  const headEnd = client.received.indexOf("\r\n\r\n");
  if (headEnd === -1) return null;
  const head = client.received.slice(0, headEnd);
  const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
  const bodyStart = headEnd + 4;
  if (client.received.length < bodyStart + length) return null;
  const body = client.received.slice(bodyStart, bodyStart + length);
  client.received = client.received.slice(bodyStart + length);
  return { head, body };
}

function serveRequest(socket: Socket<Client>, head: string, body: string): void {
  if (head.startsWith("GET /records")) {
    const json = JSON.stringify(Object.fromEntries(records));
    send(socket, `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(json)}\r\n\r\n${json}`);
    return;
  }
  const requestId = /\r\nx-request-id:\s*([^\r\n]+)/i.exec(head)?.[1]?.trim() ?? `anon-${records.size}`;
  let tokens = 16;
  try {
    const maxTokens = (JSON.parse(body) as { max_tokens?: unknown }).max_tokens;
    if (typeof maxTokens === "number" && maxTokens > 0) tokens = maxTokens;
  } catch {
    // Not JSON: the default length.
  }
  if (records.size < MAX_RECORDS) records.set(requestId, { writeTimesMs: [], partialWrites: 0 });
  send(socket, "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\ntransfer-encoding: chunked\r\n\r\n");
  const stream: Stream = { socket, requestId, tokens, sent: 0 };
  socket.data.stream = stream;
  open.add(stream);
}

function step(): void {
  for (const stream of open) {
    const whole = send(stream.socket, TOKEN);
    const stampMs = wallNowMs();
    const record = records.get(stream.requestId);
    if (record) {
      record.writeTimesMs.push(stampMs);
      if (!whole) record.partialWrites++;
    }
    stream.sent++;
    if (stream.sent >= stream.tokens) {
      send(stream.socket, finalFrames(stream.tokens));
      open.delete(stream);
      stream.socket.data.stream = null;
    }
  }
}

const listener = Bun.listen<Client>({
  hostname: "127.0.0.1",
  port: 0,
  socket: {
    open(socket) {
      socket.data = { received: "", stream: null, unsent: null };
    },
    drain(socket) {
      const unsent = socket.data.unsent;
      if (unsent === null) return;
      const written = socket.write(unsent);
      socket.data.unsent = written >= unsent.length ? null : unsent.subarray(Math.max(0, written));
    },
    data(socket, bytes) {
      const client = socket.data;
      client.received += bytes.toString("latin1");
      for (let request = takeRequest(client); request !== null; request = takeRequest(client)) serveRequest(socket, request.head, request.body);
    },
    close(socket) {
      const stream = socket.data.stream;
      if (stream) open.delete(stream);
    },
    error() {},
  },
});

setInterval(step, STEP_MS);
process.on("SIGTERM", () => {
  listener.stop(true);
  process.exit(0);
});
console.error(`url=http://127.0.0.1:${listener.port}`);
