/** Words for a report's ClientInfo (and why it fell back), shared by the HTML report and the CLI's fallback notice. */
import type { ClientInfo } from "./report-types.ts";

const CLIENT_WORDS: Readonly<Record<ClientInfo["client"], string>> = { http1: "Vigil's HTTP/1.1 client", fetch: "Bun's fetch" };

const STAMP_WORDS: Readonly<Record<ClientInfo["receiveStamps"], string>> = {
  kernel: "chunk times are the kernel's receive stamps",
  "socket-callback": "chunk times are taken in Bun's socket callback",
  "body-reader": "chunk times are taken when fetch's body reader returns them",
};

/** @example describeClient({ client: "http1", receiveStamps: "kernel", fallbackReason: null }) // "Vigil's HTTP/1.1 client; chunk times are the kernel's receive stamps" */
export function describeClient(info: ClientInfo): string {
  return `${CLIENT_WORDS[info.client]}; ${STAMP_WORDS[info.receiveStamps]}${info.fallbackReason ? ` (${info.fallbackReason})` : ""}`;
}
