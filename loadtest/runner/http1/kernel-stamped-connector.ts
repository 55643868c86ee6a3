/**
 * Client sockets whose reads carry the kernel's receive time (Linux). The main thread opens,
 * connects, writes and reads through libc (libc-net.ts); each read comes with its SO_TIMESTAMPNS
 * stamp (socket-reader.ts), taken when the segment reached the socket, so it does not move when the
 * event loop is busy: with thousands of streams getting a chunk at the same instant, an in-loop
 * stamp is late by everyone else's callbacks (about 9 ms p99 at 2,000 streams on 2 vCPUs, for a
 * client that does nothing but stamp), the kernel's is not.
 *
 * Readiness: while there is traffic the main thread polls its epoll set once per event-loop turn
 * (epoll_wait with no wait, about a microsecond); after PARK_AFTER_MS without an event it parks,
 * and a wake worker (wake-worker.ts), blocked on an outer epoll set that holds this one, posts one
 * message when a socket becomes ready. A parked client costs nothing; a busy one pays no thread hop.
 *
 * `kernelStamps()` says why where this cannot work (not Linux, no glibc); the client then uses Bun's
 * sockets and the report says so.
 */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import type { ClientSocket, ClientSocketHandlers, ConnectOptions, Connector } from "./client-socket.ts";
import {
  AF_INET,
  AF_INET6,
  CLOCK_REALTIME,
  EAGAIN,
  EINPROGRESS,
  EPOLLERR,
  EPOLLET,
  EPOLLHUP,
  EPOLLIN,
  EPOLLOUT,
  EPOLLRDHUP,
  EPOLL_CTL_ADD,
  EPOLL_CTL_MOD,
  EPOLL_DATA_OFFSET,
  EPOLL_EVENT_SIZE,
  IPPROTO_TCP,
  type LibcNet,
  MSG_DONTWAIT,
  MSG_NOSIGNAL,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_ERROR,
  SO_TIMESTAMPNS,
  TCP_NODELAY,
  libcNet,
  socketAddress,
  systemError,
} from "./libc-net.ts";
import { CONTROL, CONTROL_BYTES, WAKE, type WakeWorkerInit } from "./receive-protocol.ts";
import { type ReadSink, SocketReader } from "./socket-reader.ts";

/** Recalibrate the wall-clock-to-performance.now() offset this often (NTP slews the wall clock). */
const CALIBRATE_EVERY_MS = 1000;
/** Park (hand readiness to the wake worker) after this long without a socket event. */
const PARK_AFTER_MS = 1;
const MAX_EVENTS = 1024;

type State = "connecting" | "open" | "closed";

const OPEN_EVENTS = EPOLLIN | EPOLLRDHUP | EPOLLET;
const CONNECTING_EVENTS = OPEN_EVENTS | EPOLLOUT;

class StampedSocket<Data> implements ClientSocket<Data> {
  readonly data: Data;
  readonly fd: number;
  readonly id: number;
  readonly handlers: ClientSocketHandlers<Data>;
  state: State = "connecting";
  referenced = true;
  /** Registered for EPOLLOUT: while connecting, and after a short write until it drains. */
  watchingWritable = true;
  settleConnect: ((error: Error | null) => void) | null = null;
  /** Where SocketReader.drain hands this socket's reads. */
  readonly reads: ReadSink;
  readonly #net: StampedNet;

  constructor(net: StampedNet, fd: number, id: number, options: ConnectOptions<Data>) {
    this.#net = net;
    this.fd = fd;
    this.id = id;
    this.data = options.data;
    this.handlers = options.socket;
    this.reads = {
      data: (bytes, receivedWallMs) => {
        if (this.state !== "open") return false;
        this.handlers.data(this, bytes.slice(), net.toMonotonicMs(receivedWallMs));
        return this.state === "open";
      },
      end: () => net.release(this, null),
      error: (errno) => net.release(this, systemError(net.libc, errno, "recv")),
    };
  }

  write(bytes: Uint8Array | string): number {
    if (this.state !== "open") return -1;
    return this.#net.send(this, bytes);
  }

  end(): void {
    this.#net.release(this, null);
  }

  terminate(): void {
    this.#net.release(this, null);
  }

  ref(): void {
    if (this.referenced || this.state === "closed") return;
    this.referenced = true;
    this.#net.reference(1);
  }

  unref(): void {
    if (!this.referenced) return;
    this.referenced = false;
    this.#net.reference(-1);
  }
}

/** The process's one epoll set, its poll loop and its wake worker, set up on the first connection. */
class StampedNet {
  readonly libc: LibcNet;
  readonly #epollFd: number;
  readonly #control: Int32Array;
  readonly #worker: Worker & { ref(): void; unref(): void };
  readonly #reader: SocketReader;
  readonly #sockets = new Map<number, StampedSocket<unknown>>();
  readonly #addresses = new Map<string, { family: 4 | 6; address: string }>();
  readonly #encoder = new TextEncoder();
  readonly #one = new Int32Array([1]);
  readonly #intOut = new Int32Array(1);
  readonly #intLength = new Uint32Array([4]);
  readonly #event = new Uint8Array(EPOLL_EVENT_SIZE);
  readonly #eventView = new DataView(this.#event.buffer);
  readonly #events = new Uint8Array(MAX_EVENTS * EPOLL_EVENT_SIZE);
  readonly #eventsView = new DataView(this.#events.buffer);
  readonly #timespec = new BigInt64Array(2);
  readonly #pollTurn = () => this.#poll();
  #nextId = 1;
  #references = 0;
  #pollScheduled = false;
  #parked = true;
  #lastEventMs = 0;
  #wallOffsetMs = 0;
  #calibratedAtMs = Number.NEGATIVE_INFINITY;

  constructor(libc: LibcNet) {
    this.libc = libc;
    this.#reader = new SocketReader(libc);
    this.#epollFd = libc.epoll_create1(SOCK_CLOEXEC);
    if (this.#epollFd < 0) throw systemError(libc, libc.errno(), "epoll_create1");
    const outerEpollFd = libc.epoll_create1(SOCK_CLOEXEC);
    if (outerEpollFd < 0) throw systemError(libc, libc.errno(), "epoll_create1");
    this.#register(outerEpollFd, EPOLL_CTL_ADD, this.#epollFd, 0, EPOLLIN);
    this.#control = new Int32Array(new SharedArrayBuffer(CONTROL_BYTES));
    Atomics.store(this.#control, CONTROL.parked, 1);
    this.#worker = new Worker(new URL("./wake-worker.ts", import.meta.url).href) as Worker & { ref(): void; unref(): void };
    this.#worker.onmessage = (event: MessageEvent<string>) => {
      if (event.data === WAKE) this.#unpark();
    };
    this.#worker.postMessage({ outerEpollFd, control: this.#control.buffer as SharedArrayBuffer } satisfies WakeWorkerInit);
    this.#worker.unref();
  }

  async connect<Data>(options: ConnectOptions<Data>): Promise<ClientSocket<Data>> {
    const target = await this.#resolve(options.hostname);
    const libc = this.libc;
    const fd = libc.socket(target.family === 4 ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) throw systemError(libc, libc.errno(), "socket");
    libc.setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, this.#one, 4);
    libc.setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, this.#one, 4);
    const id = this.#nextId++;
    const socket = new StampedSocket<Data>(this, fd, id, options);
    this.#sockets.set(id, socket as StampedSocket<unknown>);
    this.reference(1);
    const connected = new Promise<ClientSocket<Data>>((resolve, reject) => {
      socket.settleConnect = (error) => (error ? reject(error) : resolve(socket));
    });
    const address = socketAddress(target.family, target.address, options.port);
    if (libc.connect(fd, address, address.length) !== 0) {
      const errno = libc.errno();
      if (errno !== EINPROGRESS) {
        this.#failConnect(socket, systemError(libc, errno, `connect ${target.address}:${options.port}`));
        return connected;
      }
    }
    // Registered after connect(): a socket not yet connecting polls as writable (and hung up).
    // Edge-triggered, the registration still reports a connect that completed in between.
    try {
      this.#register(this.#epollFd, EPOLL_CTL_ADD, fd, id, CONNECTING_EVENTS);
    } catch (error) {
      this.#failConnect(socket, error as Error);
      return connected;
    }
    this.#unpark();
    return connected;
  }

  send(socket: StampedSocket<unknown>, data: Uint8Array | string): number {
    const bytes = typeof data === "string" ? this.#encoder.encode(data) : data;
    if (bytes.length === 0) return 0;
    const libc = this.libc;
    const sent = libc.send(socket.fd, bytes, bytes.length, MSG_NOSIGNAL | MSG_DONTWAIT) as number;
    // The answer is on its way: poll for it rather than wait for the wake worker.
    this.#unpark();
    if (sent >= 0) {
      if (sent < bytes.length) this.#watchWritable(socket, true);
      return sent;
    }
    const errno = libc.errno();
    if (errno === EAGAIN) {
      this.#watchWritable(socket, true);
      return 0;
    }
    const error = systemError(libc, errno, "send");
    queueMicrotask(() => this.release(socket, error));
    return -1;
  }

  /** Closes a socket (once) and tells its handlers: `error` for a failure, null for a close. */
  release(socket: StampedSocket<unknown>, error: Error | null): void {
    if (socket.state === "closed") return;
    const wasOpen = socket.state === "open";
    socket.state = "closed";
    this.#sockets.delete(socket.id);
    if (socket.referenced) this.reference(-1);
    socket.referenced = false;
    // Closing removes it from the epoll set; an event already taken for it is skipped by id.
    this.libc.close(socket.fd);
    if (!wasOpen) return;
    if (error) socket.handlers.error(socket, error);
    socket.handlers.close(socket, error ?? undefined);
  }

  reference(delta: number): void {
    const before = this.#references;
    this.#references += delta;
    if (before === 0 && this.#references > 0) this.#worker.ref();
    else if (before > 0 && this.#references === 0) this.#worker.unref();
  }

  readCounts(): ReadCounts {
    return { reads: this.#reader.reads, unstampedReads: this.#reader.unstampedReads };
  }

  /** A wall-clock stamp (ms) on the performance.now() clock. */
  toMonotonicMs(wallMs: number): number {
    return wallMs + this.#wallOffset();
  }

  #unpark(): void {
    this.#lastEventMs = performance.now();
    if (this.#parked) {
      this.#parked = false;
      Atomics.store(this.#control, CONTROL.parked, 0);
    }
    if (!this.#pollScheduled) {
      this.#pollScheduled = true;
      setImmediate(this.#pollTurn);
    }
  }

  #park(): void {
    this.#parked = true;
    Atomics.store(this.#control, CONTROL.parked, 1);
    Atomics.notify(this.#control, CONTROL.parked);
  }

  /** One turn's poll: handles what is ready, then polls again next turn or parks. */
  #poll(): void {
    this.#pollScheduled = false;
    if (this.#parked) return;
    const ready = this.libc.epoll_wait(this.#epollFd, this.#events, MAX_EVENTS, 0);
    const nowMs = performance.now();
    if (ready > 0) {
      this.#lastEventMs = nowMs;
      this.#handle(ready);
    } else if (this.#references === 0 || nowMs - this.#lastEventMs > PARK_AFTER_MS) {
      this.#park();
      return;
    }
    this.#pollScheduled = true;
    setImmediate(this.#pollTurn);
  }

  #handle(ready: number): void {
    const view = this.#eventsView;
    for (let i = 0; i < ready; i++) {
      const at = i * EPOLL_EVENT_SIZE;
      const socket = this.#sockets.get(view.getUint32(at + EPOLL_DATA_OFFSET + 4, true));
      // Gone since the event was taken (an earlier event's handler closed it).
      if (socket === undefined) continue;
      const flags = view.getUint32(at, true);
      if ((flags & EPOLLERR) !== 0) {
        this.libc.getsockopt(socket.fd, SOL_SOCKET, SO_ERROR, this.#intOut, this.#intLength);
        const error = systemError(this.libc, this.#intOut[0] as number, socket.state === "connecting" ? "connect" : "socket");
        if (socket.state === "connecting") this.#failConnect(socket, error);
        else this.release(socket, error);
        continue;
      }
      if ((flags & EPOLLOUT) !== 0) this.#onWritable(socket);
      if ((flags & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) !== 0 && socket.state === "open") this.#reader.drain(socket.fd, socket.reads, (flags & (EPOLLRDHUP | EPOLLHUP)) !== 0);
    }
  }

  #onWritable(socket: StampedSocket<unknown>): void {
    if (socket.state === "open") {
      this.#watchWritable(socket, false);
      socket.handlers.drain(socket);
      return;
    }
    if (socket.state !== "connecting") return;
    this.libc.getsockopt(socket.fd, SOL_SOCKET, SO_ERROR, this.#intOut, this.#intLength);
    const errno = this.#intOut[0] as number;
    if (errno !== 0) {
      this.#failConnect(socket, systemError(this.libc, errno, "connect"));
      return;
    }
    socket.state = "open";
    this.#watchWritable(socket, false);
    const settle = socket.settleConnect;
    socket.settleConnect = null;
    settle?.(null);
  }

  #failConnect(socket: StampedSocket<unknown>, error: Error): void {
    const settle = socket.settleConnect;
    socket.settleConnect = null;
    this.release(socket, null);
    settle?.(error);
  }

  #register(epollFd: number, operation: number, fd: number, id: number, events: number): void {
    const view = this.#eventView;
    view.setUint32(0, events >>> 0, true);
    view.setUint32(EPOLL_DATA_OFFSET, fd, true);
    view.setUint32(EPOLL_DATA_OFFSET + 4, id, true);
    if (this.libc.epoll_ctl(epollFd, operation, fd, this.#event) !== 0) throw systemError(this.libc, this.libc.errno(), "epoll_ctl");
  }

  /** Asks for EPOLLOUT only while a short write waits (else every read would report it too). */
  #watchWritable(socket: StampedSocket<unknown>, watch: boolean): void {
    if (socket.watchingWritable === watch) return;
    socket.watchingWritable = watch;
    this.#register(this.#epollFd, EPOLL_CTL_MOD, socket.fd, socket.id, watch ? CONNECTING_EVENTS : OPEN_EVENTS);
  }

  async #resolve(hostname: string): Promise<{ family: 4 | 6; address: string }> {
    const family = isIP(hostname);
    if (family === 4 || family === 6) return { family, address: hostname };
    const known = this.#addresses.get(hostname);
    if (known) return known;
    const found = await lookup(hostname);
    const target = { family: found.family === 6 ? (6 as const) : (4 as const), address: found.address };
    this.#addresses.set(hostname, target);
    return target;
  }

  /** performance.now() - wall clock, from the closest of a few adjacent reads of both. */
  #wallOffset(): number {
    const nowMs = performance.now();
    if (nowMs - this.#calibratedAtMs < CALIBRATE_EVERY_MS) return this.#wallOffsetMs;
    let bestSpanMs = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 5; i++) {
      const beforeMs = performance.now();
      this.libc.clock_gettime(CLOCK_REALTIME, this.#timespec);
      const afterMs = performance.now();
      if (afterMs - beforeMs >= bestSpanMs) continue;
      bestSpanMs = afterMs - beforeMs;
      const wallMs = Number(this.#timespec[0]) * 1000 + Number(this.#timespec[1]) / 1e6;
      this.#wallOffsetMs = (beforeMs + afterMs) / 2 - wallMs;
    }
    this.#calibratedAtMs = nowMs;
    return this.#wallOffsetMs;
  }
}

/** The kernel-stamped connector, or why it cannot run here. */
export type KernelStamps =
  | { readonly connector: Connector; readonly unavailable: null; readonly readCounts: () => ReadCounts }
  | { readonly connector: null; readonly unavailable: string };

/** Reads so far in this process, and how many of them the kernel gave no stamp for (stamped when read). */
export interface ReadCounts {
  readonly reads: number;
  readonly unstampedReads: number;
}

let shared: KernelStamps | undefined;

/** The process's kernel-stamped connector (set up once, on the first call), or why there is none. */
export function kernelStamps(): KernelStamps {
  if (shared === undefined) {
    try {
      const net = new StampedNet(libcNet());
      shared = { connector: <Data>(options: ConnectOptions<Data>) => net.connect(options), unavailable: null, readCounts: () => net.readCounts() };
    } catch (error) {
      shared = { connector: null, unavailable: error instanceof Error ? error.message : String(error) };
    }
  }
  return shared;
}
