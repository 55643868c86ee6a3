/**
 * The socket the HTTP/1.1 client talks through, and the two ways to open one: Bun's TCP sockets
 * (stamped by the client when their data callback runs) and the kernel-stamped path
 * (kernel-stamped-connector.ts: reads come with the kernel's receive time).
 */
export interface ClientSocket<Data> {
  readonly data: Data;
  /** Bytes taken now; fewer than given means wait for `drain`; negative means closed. */
  write(bytes: Uint8Array | string): number;
  /** Closes after what was written (FIN). */
  end(): void;
  /** Closes at once (RST). */
  terminate(): void;
  /** Keeps the process alive while open (the default). */
  ref(): void;
  unref(): void;
}

export interface ClientSocketHandlers<Data> {
  /** `bytes` arrived; `receivedMs` (performance.now() clock) when the socket knows it, else the handler stamps. */
  data(socket: ClientSocket<Data>, bytes: Uint8Array, receivedMs?: number): void;
  drain(socket: ClientSocket<Data>): void;
  close(socket: ClientSocket<Data>, error?: Error): void;
  error(socket: ClientSocket<Data>, error: Error): void;
}

export interface ConnectOptions<Data> {
  readonly hostname: string;
  readonly port: number;
  readonly data: Data;
  readonly socket: ClientSocketHandlers<Data>;
}

/** Opens a connection; rejects when it cannot be made. */
export type Connector = <Data>(options: ConnectOptions<Data>) => Promise<ClientSocket<Data>>;

/** Bun's TCP sockets; reads as plain Uint8Arrays (a Buffer's subarray() goes through Symbol.species). */
export const bunConnector: Connector = <Data>(options: ConnectOptions<Data>) => {
  const handlers = options.socket;
  return Bun.connect<Data>({
    hostname: options.hostname,
    port: options.port,
    data: options.data,
    socket: { binaryType: "uint8array", data: handlers.data, drain: handlers.drain, close: handlers.close, error: handlers.error },
  });
};
