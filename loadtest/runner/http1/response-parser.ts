/**
 * An incremental HTTP/1.1 response parser (RFC 9112): status line and headers, then the body framed
 * by `Transfer-Encoding: chunked`, `Content-Length`, or the connection's close. Bytes go in as the
 * socket delivers them, split anywhere; body bytes come out as views of the input (no copy), so the
 * streaming path allocates nothing per chunk beyond what the caller keeps. Interim 1xx responses are
 * skipped. Pure: no I/O, no clock.
 */

/** The status line and headers (names lower-cased; repeated headers joined with ", "). */
export interface ResponseHead {
  readonly status: number;
  readonly headers: ReadonlyMap<string, string>;
  /** False when the server will close the connection after this response (HTTP/1.0 without keep-alive, `Connection: close`, body until close). */
  readonly keepAlive: boolean;
}

/** Receives what the parser finds, in order: one head, any number of body pieces, one complete. */
export interface ResponseSink {
  onHead(head: ResponseHead): void;
  /** A piece of the (de-chunked) body: a view into the fed bytes, valid only during the call. */
  onBody(bytes: Uint8Array): void;
  onComplete(): void;
}

/** The bytes are not a valid HTTP/1.1 response. */
export class ResponseParseError extends Error {
  override readonly name = "ResponseParseError";
}

/** Bounds that keep a hostile or broken server from growing our buffers without end. */
const MAX_HEAD_BYTES = 64 * 1024;
const MAX_CHUNK_LINE_BYTES = 4 * 1024;
const CR = 13;
/** Heads and chunk lines are ASCII; latin1 maps every byte to one character. */
const LATIN1 = new TextDecoder("latin1");
const LF = 10;

type State = "head" | "length" | "chunkSize" | "chunkData" | "chunkDataEnd" | "trailers" | "untilClose" | "complete";

export class ResponseParser {
  readonly #sink: ResponseSink;
  #state: State = "head";
  /** Bytes of an unfinished head, chunk-size line or trailer section. */
  #pending: Uint8Array | null = null;
  #remaining = 0;

  constructor(sink: ResponseSink) {
    this.#sink = sink;
  }

  get complete(): boolean {
    return this.#state === "complete";
  }

  /** True once any byte of a response has arrived (so a close before this point lost no response). */
  get started(): boolean {
    return this.#state !== "head" || this.#pending !== null;
  }

  /** Parses the next bytes. Throws ResponseParseError on a malformed response or bytes after its end. */
  feed(bytes: Uint8Array): void {
    let offset = 0;
    while (offset < bytes.length) {
      switch (this.#state) {
        case "head":
          offset = this.#readHead(bytes, offset);
          break;
        case "length": {
          const take = Math.min(this.#remaining, bytes.length - offset);
          this.#remaining -= take;
          this.#sink.onBody(bytes.subarray(offset, offset + take));
          offset += take;
          if (this.#remaining === 0) this.#finish();
          break;
        }
        case "chunkSize":
          offset = this.#readChunkSize(bytes, offset);
          break;
        case "chunkData": {
          const take = Math.min(this.#remaining, bytes.length - offset);
          this.#remaining -= take;
          this.#sink.onBody(bytes.subarray(offset, offset + take));
          offset += take;
          if (this.#remaining === 0) this.#state = "chunkDataEnd";
          break;
        }
        case "chunkDataEnd":
          offset = this.#readChunkDataEnd(bytes, offset);
          break;
        case "trailers":
          offset = this.#readTrailers(bytes, offset);
          break;
        case "untilClose":
          this.#sink.onBody(offset === 0 ? bytes : bytes.subarray(offset));
          offset = bytes.length;
          break;
        case "complete":
          throw new ResponseParseError(`${bytes.length - offset} bytes after the end of the response`);
      }
    }
  }

  /** The connection closed. Completes a body framed by the close; throws if the response was cut short. */
  end(): void {
    if (this.#state === "complete") return;
    if (this.#state === "untilClose") {
      this.#finish();
      return;
    }
    throw new ResponseParseError(this.#state === "head" ? "connection closed before the response head was complete" : `connection closed inside the body (${describeState(this.#state, this.#remaining)})`);
  }

  #readHead(bytes: Uint8Array, offset: number): number {
    const { line: head, next } = this.#takeUntil(bytes, offset, HEAD_END, MAX_HEAD_BYTES, "response head");
    if (head === null) return next;
    this.#startBody(parseHead(head));
    return next;
  }

  #startBody(head: ParsedHead): void {
    if (head.status >= 100 && head.status < 200) {
      // Interim response (100 Continue, 103 Early Hints): the real one follows.
      this.#state = "head";
      return;
    }
    this.#sink.onHead(head);
    const transferEncoding = head.headers.get("transfer-encoding");
    const contentLength = head.headers.get("content-length");
    if (head.status === 204 || head.status === 304) this.#finish();
    else if (isChunked(transferEncoding)) this.#state = "chunkSize";
    else if (transferEncoding !== undefined) this.#state = "untilClose";
    else if (contentLength !== undefined) {
      const length = parseContentLength(contentLength);
      this.#remaining = length;
      if (length === 0) this.#finish();
      else this.#state = "length";
    } else this.#state = "untilClose";
  }

  #readChunkSize(bytes: Uint8Array, offset: number): number {
    if (this.#pending === null) {
      // Fast path, the whole line in this read: hex digits straight from the bytes, no text.
      const fast = readChunkSizeLine(bytes, offset);
      if (fast !== null) {
        this.#remaining = fast.size;
        this.#state = fast.size === 0 ? "trailers" : "chunkData";
        return fast.next;
      }
    }
    const { line, next } = this.#takeUntil(bytes, offset, LINE_END, MAX_CHUNK_LINE_BYTES, "chunk size line");
    if (line === null) return next;
    const semicolon = line.indexOf(";");
    const digits = (semicolon === -1 ? line : line.slice(0, semicolon)).trim();
    if (!/^[0-9a-fA-F]{1,12}$/.test(digits)) throw new ResponseParseError(`bad chunk size line: ${JSON.stringify(line.slice(0, 40))}`);
    this.#remaining = Number.parseInt(digits, 16);
    this.#state = this.#remaining === 0 ? "trailers" : "chunkData";
    return next;
  }

  #readChunkDataEnd(bytes: Uint8Array, offset: number): number {
    if (this.#pending === null) {
      const lineEnd = bytes[offset] === CR && bytes[offset + 1] === LF ? offset + 2 : bytes[offset] === LF ? offset + 1 : -1;
      if (lineEnd !== -1) {
        this.#state = "chunkSize";
        return lineEnd;
      }
    }
    const { line, next } = this.#takeUntil(bytes, offset, LINE_END, MAX_CHUNK_LINE_BYTES, "chunk end");
    if (line === null) return next;
    if (line !== "") throw new ResponseParseError(`chunk data longer than its size: ${JSON.stringify(line.slice(0, 40))}`);
    this.#state = "chunkSize";
    return next;
  }

  #readTrailers(bytes: Uint8Array, offset: number): number {
    // After the last chunk: trailer fields, each ending in a line break, then an empty line.
    const { line, next } = this.#takeUntil(bytes, offset, LINE_END, MAX_HEAD_BYTES, "trailer section");
    if (line === null) return next;
    if (line === "") this.#finish();
    return next;
  }

  #finish(): void {
    this.#state = "complete";
    this.#pending = null;
    this.#sink.onComplete();
  }

  /**
   * Collects bytes until `end` matches (a blank line after the head, or one line break), across feeds.
   * Returns the collected text without the terminator (latin1), or null when more bytes are needed.
   */
  #takeUntil(bytes: Uint8Array, offset: number, end: Terminator, maxBytes: number, what: string): { line: string | null; next: number } {
    const pending = this.#pending;
    const buffer = pending === null ? bytes : concat(pending, bytes.subarray(offset));
    const from = pending === null ? offset : 0;
    const searchFrom = pending === null ? offset : Math.max(0, pending.length - 3);
    const found = end(buffer, searchFrom);
    if (found === null) {
      if (buffer.length - from > maxBytes) throw new ResponseParseError(`${what} longer than ${maxBytes} bytes`);
      this.#pending = buffer.slice(from);
      return { line: null, next: bytes.length };
    }
    this.#pending = null;
    const line = LATIN1.decode(buffer.subarray(from, found.textEnd));
    // Map the position in `buffer` back to a position in `bytes`.
    const next = pending === null ? found.next : offset + (found.next - pending.length);
    return { line, next };
  }
}

interface ParsedHead extends ResponseHead {
  readonly headers: Map<string, string>;
}

/** Finds a terminator at or after `from`: where the text ends and where the next bytes start. */
type Terminator = (buffer: Uint8Array, from: number) => { textEnd: number; next: number } | null;

/** A line break: CRLF, or a bare LF (tolerated, as most clients do). */
const LINE_END: Terminator = (buffer, from) => {
  const lf = buffer.indexOf(LF, from);
  if (lf === -1) return null;
  return { textEnd: lf > 0 && buffer[lf - 1] === CR ? lf - 1 : lf, next: lf + 1 };
};

/** The blank line that ends a head: CRLFCRLF (or LFLF). */
const HEAD_END: Terminator = (buffer, from) => {
  for (let lf = buffer.indexOf(LF, from); lf !== -1; lf = buffer.indexOf(LF, lf + 1)) {
    const textEnd = lf > 0 && buffer[lf - 1] === CR ? lf - 1 : lf;
    if (buffer[lf + 1] === LF) return { textEnd, next: lf + 2 };
    if (buffer[lf + 1] === CR && buffer[lf + 2] === LF) return { textEnd, next: lf + 3 };
  }
  return null;
};

/**
 * A chunk-size line that is whole in `bytes` from `offset`: 1-12 hex digits, then CRLF or LF, or a
 * `;` extension (left to the slow path, as is anything unusual). Null: not whole here, or not plain.
 */
function readChunkSizeLine(bytes: Uint8Array, offset: number): { size: number; next: number } | null {
  let size = 0;
  let i = offset;
  for (; i < bytes.length && i - offset < 12; i++) {
    const code = bytes[i] as number;
    const digit = code >= 48 && code <= 57 ? code - 48 : code >= 97 && code <= 102 ? code - 87 : code >= 65 && code <= 70 ? code - 55 : -1;
    if (digit === -1) break;
    size = size * 16 + digit;
  }
  if (i === offset) return null;
  if (bytes[i] === CR && bytes[i + 1] === LF) return { size, next: i + 2 };
  if (bytes[i] === LF) return { size, next: i + 1 };
  return null;
}

function parseHead(text: string): ParsedHead {
  // Hand-rolled (no regex, no split): this runs once per response on the runner's hot path.
  let lineEnd = text.indexOf("\n");
  if (lineEnd === -1) lineEnd = text.length;
  const statusLine = trimCr(text.slice(0, lineEnd));
  const status = statusLine.length >= 12 && statusLine.startsWith("HTTP/1.") && statusLine.charCodeAt(8) === 32 ? Number(statusLine.slice(9, 12)) : Number.NaN;
  const minor = statusLine.charCodeAt(7);
  if (!(status >= 100 && status <= 999) || (minor !== 48 && minor !== 49) || (statusLine.length > 12 && statusLine.charCodeAt(12) !== 32) || !isDigits(statusLine, 9, 12)) {
    throw new ResponseParseError(`not an HTTP/1.x status line: ${JSON.stringify(statusLine.slice(0, 60))}`);
  }
  const headers = new Map<string, string>();
  let start = lineEnd + 1;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    const lineStop = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    const colon = text.indexOf(":", start);
    if (colon <= start || colon >= lineStop) throw new ResponseParseError(`bad header line: ${JSON.stringify(text.slice(start, Math.min(lineStop, start + 60)))}`);
    const name = headerName(text.slice(start, colon));
    const value = text.slice(colon + 1, lineStop).trim();
    const before = headers.get(name);
    headers.set(name, before === undefined ? value : `${before}, ${value}`);
    start = end + 1;
  }
  const connection = headers.get("connection")?.toLowerCase() ?? "";
  const http10 = minor === 48;
  const framed = headers.has("content-length") || isChunked(headers.get("transfer-encoding"));
  const keepAlive = framed && !connection.includes("close") && (!http10 || connection.includes("keep-alive"));
  return { status, headers, keepAlive };
}

/** Raw header names as sent -> trimmed, lower-cased: a server sends the same few names on every response. */
const HEADER_NAMES = new Map<string, string>();
const MAX_HEADER_NAMES = 256;

function headerName(raw: string): string {
  const known = HEADER_NAMES.get(raw);
  if (known !== undefined) return known;
  const name = raw.trim().toLowerCase();
  if (HEADER_NAMES.size < MAX_HEADER_NAMES) HEADER_NAMES.set(raw, name);
  return name;
}

/** `Transfer-Encoding` whose last coding is chunked (RFC 9112 §6.3). */
function isChunked(value: string | undefined): boolean {
  if (value === undefined) return false;
  const comma = value.lastIndexOf(",");
  return value.slice(comma + 1).trim().toLowerCase() === "chunked";
}

function trimCr(line: string): string {
  return line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
}

function isDigits(text: string, from: number, to: number): boolean {
  if (to > text.length || from >= to) return false;
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return true;
}

function parseContentLength(value: string): number {
  if (value.length <= 15 && isDigits(value, 0, value.length)) return Number(value);
  // Repeated identical values ("5, 5") are allowed; anything else is ambiguous framing.
  const values = new Set(value.split(",").map((part) => part.trim()));
  const [only] = values;
  if (values.size !== 1 || only === undefined || only.length > 15 || !isDigits(only, 0, only.length)) throw new ResponseParseError(`bad Content-Length: ${JSON.stringify(value.slice(0, 40))}`);
  return Number(only);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a, 0);
  joined.set(b, a.length);
  return joined;
}

function describeState(state: State, remaining: number): string {
  if (state === "length" || state === "chunkData") return `${remaining} bytes still expected`;
  return `in ${state}`;
}
