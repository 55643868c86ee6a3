/**
 * The write side of one streamed response: enqueues SSE text on a ReadableStream and
 * applies the stream faults (stall: hold writes, then flush; disconnect: cut the
 * connection; malformed: one truncated `data:` line). Records when each token chunk was
 * actually written: once the task that enqueued it (the engine step) has run, see #stampLater.
 */

/** Time given to Bun to flush what was written before a cut. */
const CUT_DELAY_MS = 20;

/** The message of the error that cuts a stream (the server's error handler keeps quiet about it). */
export const INJECTED_DISCONNECT = "vigil-sim: injected disconnect";

/** Sinks holding write stamps to take in the microtask after the current task. */
let flushScheduled = false;
const pendingSinks: SseSink[] = [];

function flushPendingStamps(): void {
  flushScheduled = false;
  const sinks = pendingSinks.splice(0);
  for (const sink of sinks) SseSink.stampPending(sink);
}

export type StreamFault = "stall" | "disconnect" | "malformed_chunk";

export interface SseSinkOptions {
  readonly nowMs: () => number;
  readonly fault: StreamFault | null;
  readonly afterTokens: number;
  readonly stallMs: number;
  /** Called once when the client goes away (not for an injected disconnect). */
  readonly onCancel: () => void;
}

export class SseSink {
  readonly stream: ReadableStream<Uint8Array>;
  readonly #options: SseSinkOptions;
  readonly #encoder = new TextEncoder();
  #controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  #tokenChunks = 0;
  #struck = false;
  #closed = false;
  #held: { text: string | (() => string); onWritten?: (timeMs: number) => void }[] | undefined;
  #closeAfterHold = false;
  #pending: ((timeMs: number) => void)[] = [];
  /** #held holds writes behind pending stamps (not a stall): released right after the stamps. */
  #heldForStamps = false;

  constructor(options: SseSinkOptions) {
    this.#options = options;
    this.stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller;
      },
      cancel: () => {
        if (this.#closed) return;
        this.#closed = true;
        options.onCancel();
      },
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Writes a token chunk (text may hold several SSE events, e.g. role + content).
   * `final` marks the request's last token chunk, where a pending fault strikes at the
   * latest. Returns "cut" when an injected disconnect ended the stream instead.
   */
  writeToken(text: string, final: boolean, onWritten: (timeMs: number) => void): "written" | "cut" {
    if (this.#closed) return "cut";
    const fault = this.#options.fault;
    if (fault !== null && !this.#struck && (this.#tokenChunks >= this.#options.afterTokens || final)) {
      this.#struck = true;
      if (fault === "disconnect") {
        this.#cut();
        return "cut";
      }
      if (fault === "malformed_chunk") this.#enqueue('data: {"id":"cmpl-malformed","object":"text_completion","choices":[{"index":0,"te\n\n');
      if (fault === "stall") {
        this.#held = [];
        setTimeout(() => this.#release(), this.#options.stallMs);
      }
    }
    this.#tokenChunks++;
    this.#write(text, onWritten);
    return "written";
  }

  /** Writes non-token text (usage chunk, trailer, [DONE]); a function is evaluated when the text is really written. */
  write(text: string | (() => string)): void {
    if (!this.#closed) this.#write(text, undefined);
  }

  /** Ends the stream once everything held is written. */
  close(): void {
    if (this.#closed) return;
    if (this.#held !== undefined) {
      this.#closeAfterHold = true;
      return;
    }
    this.#closed = true;
    this.#controller?.close();
  }

  /** Ends the stream abruptly: the client sees the connection drop without the terminating chunk. */
  #cut(): void {
    this.#closed = true;
    // Bun writes enqueued bytes asynchronously: erroring at once would drop the status line
    // and the chunks already written, so the client would never see the stream start.
    // Bun prints one line ("error: vigil-sim: injected disconnect") per cut; a string keeps it to one line.
    setTimeout(() => this.#controller?.error(INJECTED_DISCONNECT), CUT_DELAY_MS);
  }

  /** Server shutdown: cut whatever is still open. */
  abort(): void {
    if (!this.#closed) this.#cut();
  }

  #write(text: string | (() => string), onWritten: ((timeMs: number) => void) | undefined): void {
    if (this.#held !== undefined) {
      this.#held.push(onWritten === undefined ? { text } : { text, onWritten });
      return;
    }
    if (typeof text !== "string" && this.#pending.length > 0) {
      // Lazily built text (the ground-truth comment) reports the write stamps: hold it, and what
      // follows it, until they are taken once the step is done.
      this.#held = [{ text }];
      this.#heldForStamps = true;
      return;
    }
    this.#enqueue(typeof text === "string" ? text : text());
    if (onWritten !== undefined) this.#stampLater(onWritten);
  }

  /**
   * Bun sends what was enqueued only once the current task (a whole engine step, every stream's
   * chunk) has run, so a stamp taken at enqueue is early by the rest of the step's work. Stamps are
   * taken together in a microtask once the step is done instead (measured against the harness at
   * 50 streams: p99 error 5.0 -> 2.5 ms; a setImmediate stamp was later than the bytes); lazily
   * built text that reports them (the ground-truth comment) waits for them.
   */
  #stampLater(onWritten: (timeMs: number) => void): void {
    if (this.#pending.length === 0) pendingSinks.push(this);
    this.#pending.push(onWritten);
    if (!flushScheduled) {
      flushScheduled = true;
      queueMicrotask(flushPendingStamps);
    }
  }

  #stampPending(): void {
    if (this.#pending.length === 0) return;
    const nowMs = this.#options.nowMs();
    const pending = this.#pending;
    this.#pending = [];
    for (const onWritten of pending) onWritten(nowMs);
    if (this.#heldForStamps) {
      this.#heldForStamps = false;
      this.#release();
    }
  }

  /** For flushPendingStamps. */
  static stampPending(sink: SseSink): void {
    sink.#stampPending();
  }

  #enqueue(text: string): void {
    this.#controller?.enqueue(this.#encoder.encode(text));
  }

  #release(): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    if (this.#closed) return;
    for (const item of held) {
      this.#enqueue(typeof item.text === "string" ? item.text : item.text());
      item.onWritten?.(this.#options.nowMs());
    }
    if (this.#closeAfterHold) this.close();
  }
}
