/**
 * What the main thread and the wake worker (wake-worker.ts) share: the start message and the
 * control block (Int32 slots in a SharedArrayBuffer).
 */

/** The worker's start message. */
export interface WakeWorkerInit {
  /** An epoll set holding only the main thread's epoll fd (level-triggered): readable when a socket is. */
  readonly outerEpollFd: number;
  readonly control: SharedArrayBuffer;
}

/** Int32 slots of the control block. */
export const CONTROL = {
  /** 1: the worker ends its loop. */
  stop: 0,
  /** 1 while the main thread is parked (not polling): the worker watches for readiness and wakes it. */
  parked: 1,
} as const;

export const CONTROL_BYTES = 8;

/** The worker's message: some socket is ready (the main thread was parked). */
export const WAKE = "wake";
