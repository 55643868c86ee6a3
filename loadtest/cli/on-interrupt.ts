/** Ctrl-C handling for the duration of a `using` block. */

/**
 * Calls `handler` on each SIGINT (with the count so far) until the returned handle is disposed.
 * @example using _ = onInterrupt((count) => (count === 1 ? runner.stop() : runner.abortAll("second Ctrl-C")));
 */
export function onInterrupt(handler: (count: number) => void): Disposable {
  let count = 0;
  const listener = () => handler(++count);
  process.on("SIGINT", listener);
  return { [Symbol.dispose]: () => void process.off("SIGINT", listener) };
}
