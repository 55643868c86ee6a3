/**
 * A request's cancel switch: the runner's watchdog (deadlines) and stops throw it, the transport
 * listens. A plain object instead of an AbortSignal: adding and removing an abort listener on a
 * signal took ~7 % of the harness's CPU on plain requests (a profile of 40k req/s), and only the
 * fetch transport needs a real signal (`toSignal()`). One listener at a time; reusable once reset.
 */
export class RequestCancel {
  #reason: Error | null = null;
  #listener: ((reason: Error) => void) | null = null;

  get aborted(): boolean {
    return this.#reason !== null;
  }

  /** Why it was cancelled; null while it was not. */
  get reason(): Error | null {
    return this.#reason;
  }

  /** Cancels (once: later calls change nothing) and calls the listener. */
  abort(reason: Error): void {
    if (this.#reason !== null) return;
    this.#reason = reason;
    const listener = this.#listener;
    this.#listener = null;
    listener?.(reason);
  }

  /** Sets the one listener, replacing any; null removes it. Not called for a cancel that already happened. */
  listen(listener: ((reason: Error) => void) | null): void {
    this.#listener = listener;
  }

  /** Ready for another request (only when it was not cancelled). */
  reset(): void {
    this.#reason = null;
    this.#listener = null;
  }

  /** An AbortSignal that follows this switch, for APIs that take one (fetch). */
  toSignal(): AbortSignal {
    const controller = new AbortController();
    if (this.#reason !== null) controller.abort(this.#reason);
    else this.listen((reason) => controller.abort(reason));
    return controller.signal;
  }
}
