/**
 * The few libc calls the kernel-stamped socket path needs (Linux, glibc), bound with bun:ffi, and
 * the layouts of the structs they take. Both threads import it: the main thread opens, connects,
 * sends; the receive worker waits on epoll and reads with recvmsg, which returns each read's kernel
 * receive stamp (SO_TIMESTAMPNS) as a control message.
 *
 * Pointers inside structs (the msghdr's iovec and control buffer) are raw addresses of explicit
 * ArrayBuffers that the caller keeps referenced: bun:ffi may move a small typed array's storage at
 * JIT tier-up (see shared/reference §3.7), which an out-of-line ArrayBuffer is not subject to.
 */
import { FFIType as T, dlopen, ptr, read } from "bun:ffi";

export const AF_INET = 2;
export const AF_INET6 = 10;
export const SOCK_STREAM = 1;
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;
export const SOL_SOCKET = 1;
export const SO_ERROR = 4;
export const SO_TIMESTAMPNS = 35;
export const IPPROTO_TCP = 6;
export const TCP_NODELAY = 1;
export const MSG_DONTWAIT = 0x40;
export const MSG_NOSIGNAL = 0x4000;
export const MSG_CTRUNC = 0x8;
export const SHUT_RDWR = 2;
export const CLOCK_REALTIME = 0;

export const EPOLL_CTL_ADD = 1;
export const EPOLL_CTL_DEL = 2;
export const EPOLL_CTL_MOD = 3;
export const EPOLLIN = 0x1;
export const EPOLLOUT = 0x4;
export const EPOLLERR = 0x8;
export const EPOLLHUP = 0x10;
export const EPOLLRDHUP = 0x2000;
export const EPOLLET = 0x80000000;
export const EFD_NONBLOCK = 0o4000;
export const EFD_CLOEXEC = 0o2000000;

export const EAGAIN = 11;
export const EINTR = 4;
export const EINPROGRESS = 115;

/** struct epoll_event: packed on x86-64 (u32 events, u64 data), naturally aligned elsewhere. */
export const EPOLL_EVENT_SIZE = process.arch === "x64" ? 12 : 16;
export const EPOLL_DATA_OFFSET = process.arch === "x64" ? 4 : 8;
/** struct msghdr (LP64): name@0 namelen@8 iov@16 iovlen@24 control@32 controllen@40 flags@48. */
export const MSGHDR_SIZE = 56;
/** struct cmsghdr (LP64): len@0 (size_t) level@8 type@12, data@16. */
export const CMSG_DATA_OFFSET = 16;

const SYMBOLS = {
  socket: { args: [T.i32, T.i32, T.i32], returns: T.i32 },
  connect: { args: [T.i32, T.ptr, T.u32], returns: T.i32 },
  setsockopt: { args: [T.i32, T.i32, T.i32, T.ptr, T.u32], returns: T.i32 },
  getsockopt: { args: [T.i32, T.i32, T.i32, T.ptr, T.ptr], returns: T.i32 },
  shutdown: { args: [T.i32, T.i32], returns: T.i32 },
  close: { args: [T.i32], returns: T.i32 },
  send: { args: [T.i32, T.ptr, T.u64, T.i32], returns: T.i64_fast },
  recvmsg: { args: [T.i32, T.ptr, T.i32], returns: T.i64_fast },
  read: { args: [T.i32, T.ptr, T.u64], returns: T.i64_fast },
  write: { args: [T.i32, T.ptr, T.u64], returns: T.i64_fast },
  epoll_create1: { args: [T.i32], returns: T.i32 },
  epoll_ctl: { args: [T.i32, T.i32, T.i32, T.ptr], returns: T.i32 },
  epoll_wait: { args: [T.i32, T.ptr, T.i32, T.i32], returns: T.i32 },
  eventfd: { args: [T.u32, T.i32], returns: T.i32 },
  clock_gettime: { args: [T.i32, T.ptr], returns: T.i32 },
  strerror: { args: [T.i32], returns: T.cstring },
  __errno_location: { args: [], returns: T.ptr },
} as const;

export type LibcNet = ReturnType<typeof dlopen<typeof SYMBOLS>>["symbols"] & {
  /** errno of this thread's last failed call (read right after it, before any other libc call). */
  errno(): number;
};

let loaded: LibcNet | null = null;

/** Binds libc once per thread; throws (ERR_DLOPEN_FAILED) where there is no glibc. */
export function libcNet(): LibcNet {
  if (loaded !== null) return loaded;
  if (process.platform !== "linux") throw new Error(`kernel receive stamps need Linux, this is ${process.platform}`);
  const symbols = dlopen("libc.so.6", SYMBOLS).symbols;
  const errnoAt = symbols.__errno_location() as number;
  loaded = Object.assign(symbols, { errno: () => read.i32(errnoAt, 0) });
  return loaded;
}

/** An ArrayBuffer-backed byte buffer and its address, stable while the buffer is referenced. */
export interface PinnedBuffer {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly address: number;
}

export function pinnedBuffer(size: number): PinnedBuffer {
  const buffer = new ArrayBuffer(size);
  const bytes = new Uint8Array(buffer);
  return { bytes, view: new DataView(buffer), address: ptr(bytes) };
}

/** Writes a pointer-sized value (a number below 2^53) at `offset`. */
export function setPointer(view: DataView, offset: number, value: number): void {
  view.setUint32(offset, value % 0x1_0000_0000, true);
  view.setUint32(offset + 4, Math.floor(value / 0x1_0000_0000), true);
}

/** sockaddr_in / sockaddr_in6 for a numeric address. */
export function socketAddress(family: 4 | 6, address: string, port: number): Uint8Array {
  if (family === 4) {
    const bytes = new Uint8Array(16);
    const view = new DataView(bytes.buffer);
    view.setUint16(0, AF_INET, true);
    view.setUint16(2, port, false);
    address.split(".").forEach((part, i) => view.setUint8(4 + i, Number(part)));
    return bytes;
  }
  const bytes = new Uint8Array(28);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, AF_INET6, true);
  view.setUint16(2, port, false);
  const groups = expandIpv6(address);
  groups.forEach((group, i) => view.setUint16(8 + i * 2, group, false));
  return bytes;
}

function expandIpv6(address: string): number[] {
  const [head = "", tail] = address.split("::") as [string, string | undefined];
  const parse = (text: string) => (text === "" ? [] : text.split(":").flatMap(ipv6Group));
  const first = parse(head);
  const last = tail === undefined ? [] : parse(tail);
  const zeros = Array.from({ length: 8 - first.length - last.length }, () => 0);
  return [...first, ...zeros, ...last];
}

function ipv6Group(part: string): number[] {
  if (!part.includes(".")) return [Number.parseInt(part, 16)];
  const [a = 0, b = 0, c = 0, d = 0] = part.split(".").map(Number);
  return [(a << 8) | b, (c << 8) | d];
}

/** errno names for the failures a client meets, as Bun and Node spell them. */
const ERRNO_CODES: Readonly<Record<number, string>> = {
  1: "EPERM",
  13: "EACCES",
  24: "EMFILE",
  32: "EPIPE",
  97: "EAFNOSUPPORT",
  99: "EADDRNOTAVAIL",
  101: "ENETUNREACH",
  103: "ECONNABORTED",
  104: "ECONNRESET",
  110: "ETIMEDOUT",
  111: "ECONNREFUSED",
  113: "EHOSTUNREACH",
};

/** An Error like Node's system errors: `code` ("ECONNREFUSED"), `errno`, and strerror's text. */
export function systemError(libc: LibcNet, errno: number, what: string): Error & { code: string; errno: number } {
  const code = ERRNO_CODES[errno] ?? `E${errno}`;
  const error = new Error(`${what}: ${String(libc.strerror(errno))}`) as Error & { code: string; errno: number };
  error.code = code;
  error.errno = errno;
  return error;
}
