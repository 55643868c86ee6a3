/**
 * A small HTTP/1.1 client over Bun's TCP sockets, for the native runner's plain-`http:` targets. It
 * keeps a pool of keep-alive connections per origin, stamps each socket read (with the kernel's receive
 * stamp where the connector has one, see kernel-stamped-connector.ts, else in the socket's data callback)
 * and hands the bytes to the caller in slices of the event loop (ArrivalQueue): no Response,
 * no ReadableStream, no promise per read. That is what lets one core hold thousands of streams and
 * stamp each chunk when it arrived (the same reason wrk, autocannon and k6 carry their own clients).
 * One request per connection at a time (no pipelining). A reused connection that the server closed while idle, caught before any response
 * byte, is retried once on a new connection, as browsers and undici do for that race.
 */
import { Buffer } from "node:buffer";
import { type ClientSocket, type ClientSocketHandlers, type Connector, bunConnector } from "./client-socket.ts";
import { ConnectError, DisconnectedError, ProtocolError, describeCause } from "../request-failure.ts";
import { type ResponseHead, ResponseParseError, ResponseParser, type ResponseSink } from "./response-parser.ts";

/** What the caller gets, synchronously, from the client's delivery of each socket read. */
export interface ExchangeSink {
  /** Bytes arrived at `receivedMs`: called once per socket read, before the head or body pieces it carries. */
  onRead(receivedMs: number): void;
  onHead(head: ResponseHead): void;
  /** A piece of the de-chunked body; a view valid only during the call. */
  onBody(bytes: Uint8Array): void;
}

/** How a request is called off (RequestCancel): one listener at a time, set and cleared by the client. */
export interface CancelSwitch {
  /** Why it was cancelled; null while it was not. */
  readonly reason: Error | null;
  listen(listener: ((reason: Error) => void) | null): void;
}

export interface Http1Request {
  /** Path and query, appended to the base URL's path. */
  readonly path: string;
  readonly body: string;
  /** Per-request header lines' values (e.g. x-request-id); names must be lower-case tokens. */
  readonly extraHeaders?: Readonly<Record<string, string>>;
}

export interface Http1ClientOptions {
  /** `http://host:port[/base]`. */
  readonly baseUrl: string;
  /** Headers of every request (content type, auth, the scenario's own). */
  readonly headers: Readonly<Record<string, string>>;
  /** Monotonic clock in ms that stamps each read; `performance.now` unless given. */
  readonly now?: () => number;
  /** How connections are opened: Bun's sockets unless given (see create-transport.ts). */
  readonly connector?: Connector;
}

/** Per-connection state, carried as the socket's `data`. */
interface Connection {
  socket: ClientSocket<Connection> | null;
  exchange: Exchange | null;
  closed: boolean;
  /** Served a response before: a close before any byte may be the idle-close race. */
  reused: boolean;
  /** The client's set of open connections, left on close. */
  readonly open: Set<Connection>;
  /** The client's reads waiting to be delivered. */
  readonly arrivals: ArrivalQueue;
}

/** One request's life on one connection. */
interface Exchange {
  readonly sink: ExchangeSink;
  readonly parser: ResponseParser;
  head: ResponseHead | null;
  /** Request bytes the socket did not take yet (backpressure). */
  unwritten: Uint8Array | null;
  /** A close before any response byte may be retried (the connection was reused, not retried yet). */
  readonly mayRetry: boolean;
  settle(error: Error | null, retry?: boolean): void;
}

const FORBIDDEN_HEADERS = new Set(["host", "content-length", "transfer-encoding", "connection"]);

export class Http1Client {
  readonly #hostname: string;
  readonly #port: number;
  readonly #basePath: string;
  readonly #baseUrl: string;
  /** "host: ...\r\n" plus every fixed header line, built once. */
  readonly #fixedHead: string;
  readonly #idle: Connection[] = [];
  readonly #open = new Set<Connection>();
  readonly #arrivals: ArrivalQueue;
  readonly #connector: Connector;
  #closed = false;

  constructor(options: Http1ClientOptions) {
    const url = new URL(options.baseUrl);
    if (url.protocol !== "http:") throw new TypeError(`Http1Client speaks plain http only, got ${url.protocol}`);
    this.#baseUrl = options.baseUrl;
    this.#hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
    this.#port = url.port === "" ? 80 : Number(url.port);
    this.#basePath = url.pathname.replace(/\/+$/, "");
    let head = `host: ${url.host}\r\n`;
    for (const [name, value] of Object.entries(options.headers)) {
      const lower = name.toLowerCase();
      if (FORBIDDEN_HEADERS.has(lower)) continue;
      head += headerLine(lower, value);
    }
    this.#fixedHead = head;
    this.#arrivals = new ArrivalQueue(options.now ?? (() => performance.now()));
    this.#connector = options.connector ?? bunConnector;
  }

  /** Open connections (idle or busy). */
  get openConnections(): number {
    return this.#open.size;
  }

  /**
   * Sends a POST and feeds the response to `sink` until it is complete. Rejects with ConnectError
   * (no connection, or it broke before the response head), DisconnectedError (broke inside the body),
   * ProtocolError (not valid HTTP/1.1), or `cancel.reason` when cancelled.
   */
  async request(request: Http1Request, sink: ExchangeSink, cancel: CancelSwitch): Promise<void> {
    const bytes = this.#encode(request);
    for (let attempt = 0; ; attempt++) {
      if (cancel.reason !== null) throw cancel.reason;
      const connection = this.#takeIdle() ?? (await this.#connect(cancel));
      if (!(await this.#exchange(connection, bytes, sink, cancel, attempt === 0))) return;
    }
  }

  /** Closes every connection; requests after this fail with ConnectError. */
  close(): void {
    this.#arrivals.flush();
    this.#closed = true;
    for (const connection of this.#open) connection.socket?.terminate();
    this.#open.clear();
    this.#idle.length = 0;
  }

  #encode(request: Http1Request): Uint8Array | string {
    let head = `POST ${this.#basePath}${request.path} HTTP/1.1\r\n${this.#fixedHead}`;
    const extra = request.extraHeaders;
    if (extra) for (const name in extra) head += headerLine(name, extra[name] as string);
    return `${head}content-length: ${Buffer.byteLength(request.body)}\r\n\r\n${request.body}`;
  }

  #takeIdle(): Connection | null {
    for (let connection = this.#idle.pop(); connection !== undefined; connection = this.#idle.pop()) {
      if (!connection.closed && connection.socket !== null) return connection;
    }
    return null;
  }

  async #connect(cancel: CancelSwitch): Promise<Connection> {
    const connection: Connection = { socket: null, exchange: null, closed: false, reused: false, open: this.#open, arrivals: this.#arrivals };
    let socket: ClientSocket<Connection>;
    try {
      socket = await this.#connector<Connection>({ hostname: this.#hostname, port: this.#port, data: connection, socket: HANDLERS });
    } catch (error) {
      throw new ConnectError(`cannot connect to ${this.#baseUrl}: ${describeCause(error)}`, { cause: error });
    }
    connection.socket = socket;
    if (cancel.reason !== null || this.#closed) {
      socket.terminate();
      throw cancel.reason ?? new ConnectError(`cannot connect to ${this.#baseUrl}: client closed`);
    }
    this.#open.add(connection);
    return connection;
  }

  /** Runs one exchange; resolves true when it should be retried on a new connection. */
  #exchange(connection: Connection, bytes: Uint8Array | string, sink: ExchangeSink, cancel: CancelSwitch, mayRetry: boolean): Promise<boolean> {
    const socket = connection.socket as ClientSocket<Connection>;
    socket.ref();
    return new Promise<boolean>((resolve, reject) => {
      const onCancel = (reason: Error) => {
        exchange.settle(reason);
        drop(connection);
      };
      const parserSink: ResponseSink = {
        onHead: (head) => {
          exchange.head = head;
          sink.onHead(head);
        },
        onBody: (piece) => sink.onBody(piece),
        onComplete: () => exchange.settle(null),
      };
      let settled = false;
      const exchange: Exchange = {
        sink,
        parser: new ResponseParser(parserSink),
        head: null,
        unwritten: null,
        mayRetry: mayRetry && connection.reused,
        settle: (error, retry = false) => {
          if (settled) return;
          settled = true;
          cancel.listen(null);
          connection.exchange = null;
          if (error === null && !retry) this.#release(connection, exchange.head?.keepAlive === true);
          else this.#discard(connection);
          if (retry) resolve(true);
          else if (error) reject(error);
          else resolve(false);
        },
      };
      connection.exchange = exchange;
      cancel.listen(onCancel);
      writeAll(connection, exchange, bytes);
    });
  }

  #release(connection: Connection, keepAlive: boolean): void {
    connection.reused = true;
    if (!keepAlive || this.#closed || connection.closed) {
      this.#discard(connection);
      return;
    }
    connection.socket?.unref();
    this.#idle.push(connection);
  }

  #discard(connection: Connection): void {
    this.#open.delete(connection);
    if (!connection.closed) connection.socket?.end();
    connection.closed = true;
  }
}

/** Socket callbacks shared by every connection; the connection is `socket.data`. */
const HANDLERS: ClientSocketHandlers<Connection> = {
  data(socket, bytes, receivedMs): void {
    const connection = socket.data;
    const exchange = connection.exchange;
    if (exchange === null) {
      // Bytes with no request outstanding: the connection is out of step.
      drop(connection);
      return;
    }
    connection.arrivals.push(connection, exchange, bytes, receivedMs);
  },
  drain(socket): void {
    const connection = socket.data;
    const exchange = connection.exchange;
    if (exchange?.unwritten) writeAll(connection, exchange, exchange.unwritten);
  },
  close(socket, error): void {
    const connection = socket.data;
    // What arrived before the close is delivered first (it may complete the response).
    connection.arrivals.flush();
    connection.closed = true;
    connection.open.delete(connection);
    const exchange = connection.exchange;
    if (exchange === null) return;
    try {
      exchange.parser.end();
      // A body framed by the close ended normally: onComplete settled it.
    } catch (parseError) {
      if (!exchange.parser.started && exchange.mayRetry) {
        exchange.settle(null, true);
        return;
      }
      const why = error ? describeCause(error) : (parseError as Error).message;
      exchange.settle(exchange.head === null ? new ConnectError(`connection closed before the response head: ${why}`, { cause: error }) : new DisconnectedError(`response broke off: ${why}`, { cause: error }));
    }
  },
  error(socket, error): void {
    const connection = socket.data;
    connection.arrivals.flush();
    connection.exchange?.settle(new DisconnectedError(`socket error: ${describeCause(error)}`, { cause: error }));
    drop(connection);
  },
};

/** How long one turn of the event loop delivers queued reads before it yields. */
const SLICE_MS = 0.5;
/** How many exchanges one turn may finish: each sets off its caller's bookkeeping and next request. */
const SLICE_COMPLETIONS = 8;

/**
 * Reads are stamped in the socket callback and delivered (parsed, handed to the sink) on later
 * turns of the event loop. When thousands of streams get a chunk at the same instant, the loop runs
 * thousands of data callbacks back to back: stamping only, each costs a read and a push, so the last
 * stream is stamped within a few ms of the first instead of after everyone else's JSON.
 */
class ArrivalQueue {
  readonly #now: () => number;
  #connections: Connection[] = [];
  #exchanges: Exchange[] = [];
  #bytes: Uint8Array[] = [];
  #receivedMs: number[] = [];
  #scheduled = false;
  #delivering = false;
  readonly #flush = () => this.#deliverSlice();

  constructor(now: () => number) {
    this.#now = now;
  }

  /** Queues a read, stamped `receivedMs` when the socket knew when it arrived, else now. */
  push(connection: Connection, exchange: Exchange, bytes: Uint8Array, receivedMs: number | undefined): void {
    this.#receivedMs.push(receivedMs ?? this.#now());
    this.#connections.push(connection);
    this.#exchanges.push(exchange);
    this.#bytes.push(bytes);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#flush);
    }
  }

  /** Delivers every queued read, in arrival order. */
  flush(): void {
    this.#deliver(Number.POSITIVE_INFINITY);
  }

  /**
   * Delivers queued reads for about SLICE_MS, then yields to the event loop (which stamps whatever
   * arrived meanwhile) and goes on in the next turn. What a delivered read sets off (a finished
   * request's bookkeeping, the next request) runs in this turn's microtasks, so it is bounded too.
   */
  #deliverSlice(): void {
    this.#deliver(this.#now() + SLICE_MS);
  }

  #deliver(untilMs: number): void {
    // A close that a delivery sets off (terminate) flushes too: the outer loop goes on instead.
    if (this.#delivering) return;
    this.#delivering = true;
    this.#scheduled = false;
    const count = this.#connections.length;
    let i = 0;
    try {
      let completed = 0;
      while (i < count) {
        const connection = this.#connections[i] as Connection;
        deliver(connection, this.#exchanges[i] as Exchange, this.#bytes[i] as Uint8Array, this.#receivedMs[i] as number);
        i++;
        // A finished exchange sets off the caller's bookkeeping and its next request (microtasks after this turn).
        if (connection.exchange === null && ++completed >= SLICE_COMPLETIONS) break;
        if ((i & 7) === 0 && this.#now() > untilMs) break;
      }
    } finally {
      this.#delivering = false;
    }
    // What the slice left waits for the next turn.
    this.#connections.splice(0, i);
    this.#exchanges.splice(0, i);
    this.#bytes.splice(0, i);
    this.#receivedMs.splice(0, i);
    if (this.#connections.length > 0 && !this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#flush);
    }
  }
}

/** Closes a connection at once (RST), also after a graceful end(): out of step or broken. */
function drop(connection: Connection): void {
  connection.closed = true;
  connection.open.delete(connection);
  connection.socket?.terminate();
}

function deliver(connection: Connection, exchange: Exchange, bytes: Uint8Array, receivedMs: number): void {
  if (connection.exchange !== exchange) {
    // The exchange ended before these bytes were delivered: aborted (the connection is gone), or
    // the response was complete and these bytes are beyond it (out of step).
    if (!connection.closed) drop(connection);
    return;
  }
  exchange.sink.onRead(receivedMs);
  try {
    exchange.parser.feed(bytes);
  } catch (error) {
    if (error instanceof ResponseParseError) exchange.settle(new ProtocolError(`invalid HTTP response: ${error.message}`, exchange.head?.status ?? null));
    else exchange.settle(error instanceof Error ? error : new Error(String(error)));
    drop(connection);
  }
}

/** Writes what the socket takes now; the rest waits for `drain`. */
function writeAll(connection: Connection, exchange: Exchange, bytes: Uint8Array | string): void {
  const socket = connection.socket;
  if (socket === null) return;
  const written = socket.write(bytes);
  if (written < 0) return; // closed: the close callback settles the exchange
  const total = typeof bytes === "string" ? Buffer.byteLength(bytes) : bytes.length;
  if (written >= total) {
    exchange.unwritten = null;
    return;
  }
  const asBytes = typeof bytes === "string" ? Buffer.from(bytes) : bytes;
  exchange.unwritten = asBytes.subarray(written);
}

function headerLine(name: string, value: string): string {
  if (hasLineBreak(name) || hasLineBreak(value)) throw new TypeError(`header ${JSON.stringify(name)} contains a line break`);
  return `${name}: ${value}\r\n`;
}

function hasLineBreak(text: string): boolean {
  return text.includes("\n") || text.includes("\r");
}

