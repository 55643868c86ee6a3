/**
 * The wake thread of the kernel-stamped socket path (kernel-stamped-connector.ts). The main thread
 * polls its epoll set while there is traffic and parks when there is none; while it is parked this
 * thread blocks on an outer epoll set that holds the main thread's set, and posts one WAKE when any
 * socket becomes ready. It reads nothing: the main thread reads, and the kernel stamps.
 */
import { EINTR, EPOLL_EVENT_SIZE, libcNet } from "./libc-net.ts";
import { CONTROL, WAKE, type WakeWorkerInit } from "./receive-protocol.ts";

declare const self: Worker;

/** Longest wait before the stop flag is looked at again. */
const WAIT_MS = 200;

self.onmessage = (event: MessageEvent<WakeWorkerInit>) => {
  self.onmessage = null;
  const { outerEpollFd } = event.data;
  const control = new Int32Array(event.data.control);
  const libc = libcNet();
  const events = new Uint8Array(EPOLL_EVENT_SIZE);
  while (Atomics.load(control, CONTROL.stop) === 0) {
    if (Atomics.wait(control, CONTROL.parked, 0, WAIT_MS) === "timed-out") continue;
    if (Atomics.load(control, CONTROL.parked) === 0) continue;
    const ready = libc.epoll_wait(outerEpollFd, events, 1, WAIT_MS);
    if (ready < 0 && libc.errno() !== EINTR) break;
    if (ready <= 0) continue;
    // Unparked here, so that one readiness wakes the main thread once.
    if (Atomics.compareExchange(control, CONTROL.parked, 1, 0) === 1) self.postMessage(WAKE);
  }
};
