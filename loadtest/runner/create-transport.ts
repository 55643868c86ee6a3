/**
 * Picks how a run's requests travel. Plain `http:` targets get our HTTP/1.1 client (cheap per
 * request); on Linux its reads carry the kernel's receive time (kernel-stamped-connector.ts), elsewhere,
 * and with `--http-client bun-sockets`, it runs over Bun's sockets and stamps each read in their data
 * callback. `https:` targets, and `--http-client fetch`, get Bun's `fetch` (TLS, proxies from the
 * environment, HTTP features our client does not have). The transport's `info` goes into the report.
 */
import type { ClientInfo } from "../report/report-types.ts";
import { bunConnector, type Connector } from "./http1/client-socket.ts";
import { Http1Client } from "./http1/http1-client.ts";
import { type KernelStamps, kernelStamps } from "./http1/kernel-stamped-connector.ts";
import type { Transport } from "./send-request.ts";

export type HttpClientChoice = "native" | "bun-sockets" | "fetch";

export const HTTP_CLIENT_CHOICES: readonly HttpClientChoice[] = ["native", "bun-sockets", "fetch"];

/**
 * @param probe where the kernel-stamped connector comes from (a test passes one that is unavailable)
 * @example createTransport("http://127.0.0.1:8000", {}, "native").info.receiveStamps // "kernel" on Linux
 */
export function createTransport(baseUrl: string, headers: Readonly<Record<string, string>>, choice: HttpClientChoice = "native", probe: () => KernelStamps = kernelStamps): Transport {
  const protocol = new URL(baseUrl).protocol;
  if (choice === "fetch" || protocol !== "http:") {
    const fallbackReason = choice === "fetch" ? null : `${protocol}// targets use Bun's fetch`;
    return { kind: "fetch", fetch, info: { client: "fetch", receiveStamps: "body-reader", fallbackReason } };
  }
  const http1 = (connector: Connector, receiveStamps: ClientInfo["receiveStamps"], fallbackReason: string | null): Transport => ({
    kind: "http1",
    client: new Http1Client({ baseUrl, headers, connector }),
    info: { client: "http1", receiveStamps, fallbackReason },
  });
  if (choice === "bun-sockets") return http1(bunConnector, "socket-callback", null);
  const stamps = probe();
  if (stamps.connector) return http1(stamps.connector, "kernel", null);
  return http1(bunConnector, "socket-callback", `kernel receive stamps unavailable: ${stamps.unavailable}`);
}

/** Closes the transport's kept-alive connections (fetch's pool is Bun's). */
export function closeTransport(transport: Transport): void {
  if (transport.kind === "http1") transport.client.close();
}
