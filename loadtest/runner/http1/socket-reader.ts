/**
 * Drains one socket with recvmsg and hands over each read with the kernel's receive stamp
 * (SO_TIMESTAMPNS: the wall clock when the segment reached the socket, ms). The stamp does not
 * depend on when the event loop got round to the read, which is what the kernel-stamped path is for.
 */
import { CLOCK_REALTIME, CMSG_DATA_OFFSET, EAGAIN, EINTR, type LibcNet, MSGHDR_SIZE, type PinnedBuffer, SOL_SOCKET, SO_TIMESTAMPNS, pinnedBuffer, setPointer } from "./libc-net.ts";

const READ_BYTES = 64 * 1024;
const CONTROL_BYTES = 64;

/** What one drain found, in order; `bytes` is a view into the reader's buffer, valid during the call. */
export interface ReadSink {
  /** False stops the drain (the socket was closed meanwhile). */
  data(bytes: Uint8Array, receivedWallMs: number): boolean;
  /** The peer closed its side. */
  end(): void;
  /** recvmsg failed (errno). */
  error(errno: number): void;
}

export class SocketReader {
  readonly #libc: LibcNet;
  readonly #buffer: PinnedBuffer = pinnedBuffer(READ_BYTES);
  readonly #iovec: PinnedBuffer = pinnedBuffer(16);
  readonly #control: PinnedBuffer = pinnedBuffer(CONTROL_BYTES);
  readonly #header: PinnedBuffer = pinnedBuffer(MSGHDR_SIZE);
  readonly #timespec = new BigInt64Array(2);
  /** Reads the kernel gave no stamp for (stamped with the time of the read instead). */
  unstampedReads = 0;
  /** Every read handed over. */
  reads = 0;

  constructor(libc: LibcNet) {
    this.#libc = libc;
    const header = this.#header.view;
    setPointer(header, 16, this.#iovec.address);
    setPointer(header, 24, 1);
    setPointer(header, 32, this.#control.address);
    setPointer(this.#iovec.view, 0, this.#buffer.address);
    setPointer(this.#iovec.view, 8, READ_BYTES);
  }

  /**
   * Reads until the socket is empty (registrations are edge-triggered), the peer closed it, or it
   * failed. A short read means empty, unless the event said the peer hung up (`peerClosed`): then
   * the close is read too, as no later edge would report it.
   */
  drain(fd: number, sink: ReadSink, peerClosed: boolean): void {
    const libc = this.#libc;
    for (;;) {
      setPointer(this.#header.view, 40, CONTROL_BYTES);
      const read = libc.recvmsg(fd, this.#header.bytes, 0) as number;
      if (read > 0) {
        if (!sink.data(this.#buffer.bytes.subarray(0, read), this.#stampMs())) return;
        // A short read emptied the socket; what arrives later raises a new edge.
        if (read < READ_BYTES && !peerClosed) return;
        continue;
      }
      if (read === 0) {
        sink.end();
        return;
      }
      const errno = libc.errno();
      if (errno === EINTR) continue;
      if (errno !== EAGAIN) sink.error(errno);
      return;
    }
  }

  /** The read's SCM_TIMESTAMPNS, or now where the kernel gave none. */
  #stampMs(): number {
    this.reads++;
    const control = this.#control.view;
    if (this.#header.view.getUint32(40, true) >= CMSG_DATA_OFFSET + 16 && control.getInt32(8, true) === SOL_SOCKET && control.getInt32(12, true) === SO_TIMESTAMPNS) {
      const seconds = Number(control.getBigInt64(CMSG_DATA_OFFSET, true));
      if (seconds !== 0) return seconds * 1000 + Number(control.getBigInt64(CMSG_DATA_OFFSET + 8, true)) / 1e6;
    }
    this.unstampedReads++;
    return wallNowMs(this.#libc, this.#timespec);
  }
}

/** CLOCK_REALTIME in ms (the clock of the kernel's receive stamps). */
export function wallNowMs(libc: LibcNet, timespec: BigInt64Array): number {
  libc.clock_gettime(CLOCK_REALTIME, timespec);
  return Number(timespec[0]) * 1000 + Number(timespec[1]) / 1e6;
}
