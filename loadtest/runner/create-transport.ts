/**
 * Picks how a run's requests travel. Plain `http:` targets get our HTTP/1.1 client (cheap per
 * request); on Linux its reads carry the kernel's receive time (kernel-stamped-connector.ts), elsewhere,
 * and with `--http-client bun-sockets`, it runs over Bun's sockets and stamps each read in their data
 * callback. `https:` targets, and `--http-client fetch`, get Bun's `fetch` (TLS, proxies from the
 * environment, HTTP features our client does not have).
 */
import { bunConnector } from "./http1/client-socket.ts";
import { Http1Client } from "./http1/http1-client.ts";
import { kernelStampedConnector } from "./http1/kernel-stamped-connector.ts";
import type { Transport } from "./send-request.ts";

export type HttpClientChoice = "native" | "bun-sockets" | "fetch";

export const HTTP_CLIENT_CHOICES: readonly HttpClientChoice[] = ["native", "bun-sockets", "fetch"];

export function createTransport(baseUrl: string, headers: Readonly<Record<string, string>>, choice: HttpClientChoice = "native"): Transport {
  if (choice === "fetch" || new URL(baseUrl).protocol !== "http:") return { kind: "fetch", fetch };
  const connector = (choice === "native" ? kernelStampedConnector() : null) ?? bunConnector;
  return { kind: "http1", client: new Http1Client({ baseUrl, headers, connector }) };
}

/** Closes the transport's kept-alive connections (fetch's pool is Bun's). */
export function closeTransport(transport: Transport): void {
  if (transport.kind === "http1") transport.client.close();
}
