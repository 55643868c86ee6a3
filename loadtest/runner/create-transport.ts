/**
 * Picks how a run's requests travel. Plain `http:` targets get our HTTP/1.1 client (stamps bytes on
 * arrival, cheap per request); `https:` targets, and `--http-client fetch`, get Bun's `fetch` (TLS,
 * proxies from the environment, HTTP features our client does not have).
 */
import { Http1Client } from "./http1/http1-client.ts";
import type { Transport } from "./send-request.ts";

export type HttpClientChoice = "native" | "fetch";

export const HTTP_CLIENT_CHOICES: readonly HttpClientChoice[] = ["native", "fetch"];

export function createTransport(baseUrl: string, headers: Readonly<Record<string, string>>, choice: HttpClientChoice = "native"): Transport {
  if (choice === "fetch" || new URL(baseUrl).protocol !== "http:") return { kind: "fetch", fetch };
  return { kind: "http1", client: new Http1Client({ baseUrl, headers }) };
}

/** Closes the transport's kept-alive connections (fetch's pool is Bun's). */
export function closeTransport(transport: Transport): void {
  if (transport.kind === "http1") transport.client.close();
}
