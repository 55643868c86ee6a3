/**
 * An incremental Server-Sent Events parser (WHATWG HTML §9.2.6 "Parsing an event stream") for
 * streamed completions: frames split across reads, several frames in one read, `\n`, `\r\n` and `\r`
 * line ends, comments (`: ...`), multi-line `data:`. It hands each event's data to a callback and keeps
 * no per-event objects, so the per-chunk path allocates only the strings it must.
 */

/** Receives parsed events; `data` is the joined `data:` lines of one event. */
export interface SseHandler {
  onData(data: string): void;
  /** A comment line, without the leading `:` (and one following space). */
  onComment?(text: string): void;
}

/** Incremental parser: `feed()` decoded text as it arrives, `end()` once the body is done. */
export class SseParser {
  readonly #handler: SseHandler;
  #rest = "";
  #data = "";
  #hasData = false;
  /** The last feed ended on `\r`: a `\n` starting the next feed belongs to the same line end. */
  #skipLineFeed = false;

  constructor(handler: SseHandler) {
    this.#handler = handler;
  }

  /** Parses more text (a decoded read). */
  feed(text: string): void {
    let buffer = this.#rest === "" ? text : this.#rest + text;
    let start = 0;
    if (this.#skipLineFeed) {
      this.#skipLineFeed = false;
      if (buffer.charCodeAt(0) === 10) start = 1;
    }
    let nextCr = buffer.indexOf("\r", start);
    for (;;) {
      let nextLf = buffer.indexOf("\n", start);
      if (nextCr !== -1 && nextCr < start) nextCr = buffer.indexOf("\r", start);
      let end: number;
      if (nextLf === -1 && nextCr === -1) break;
      if (nextCr === -1 || (nextLf !== -1 && nextLf < nextCr)) {
        end = nextLf;
        this.#line(buffer, start, end);
        start = end + 1;
      } else {
        end = nextCr;
        this.#line(buffer, start, end);
        if (end + 1 < buffer.length) {
          start = buffer.charCodeAt(end + 1) === 10 ? end + 2 : end + 1;
        } else {
          start = end + 1;
          this.#skipLineFeed = true;
        }
        nextCr = buffer.indexOf("\r", start);
        nextLf = -1;
      }
    }
    this.#rest = start === 0 ? buffer : buffer.slice(start);
    buffer = "";
  }

  /** Ends the stream: a final event without its blank line is still dispatched (vLLM's client does the same for complete JSON). */
  end(): void {
    if (this.#rest !== "") {
      const rest = this.#rest;
      this.#rest = "";
      this.#line(rest, 0, rest.length);
    }
    this.#dispatch();
  }

  /** True when text is buffered that did not end in a line break (a frame cut mid-line). */
  get hasPartialLine(): boolean {
    return this.#rest !== "";
  }

  #line(buffer: string, start: number, end: number): void {
    if (start === end) {
      this.#dispatch();
      return;
    }
    const first = buffer.charCodeAt(start);
    if (first === 58 /* ':' */) {
      const from = buffer.charCodeAt(start + 1) === 32 ? start + 2 : start + 1;
      this.#handler.onComment?.(buffer.slice(from, end));
      return;
    }
    // Fast path for the only field completions use: "data:" (5 chars) with an optional space.
    let field: string;
    let valueStart: number;
    const colon = buffer.indexOf(":", start);
    if (colon === -1 || colon >= end) {
      field = buffer.slice(start, end);
      valueStart = end;
    } else {
      field = colon - start === 4 && buffer.startsWith("data", start) ? "data" : buffer.slice(start, colon);
      valueStart = buffer.charCodeAt(colon + 1) === 32 ? colon + 2 : colon + 1;
    }
    if (field !== "data") return; // event, id, retry: not used by completion streams.
    const value = valueStart >= end ? "" : buffer.slice(valueStart, end);
    if (this.#hasData) this.#data += `\n${value}`;
    else {
      this.#data = value;
      this.#hasData = true;
    }
  }

  #dispatch(): void {
    if (!this.#hasData) return;
    const data = this.#data;
    this.#data = "";
    this.#hasData = false;
    this.#handler.onData(data);
  }
}
