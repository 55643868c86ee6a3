/**
 * Reads a response body as text but never holds more than `maxBytes` of it: a
 * huge or endless /metrics body costs a bounded buffer and an error, not the agent.
 */
import { VllmScrapeError } from "../errors.ts";

/** Reads `response.body` up to `maxBytes`; cancels the stream and throws `body_too_large` past it. */
export async function readBodyCapped(response: Response, options: { maxBytes: number; url: string }): Promise<string> {
  const declared = Number(response.headers.get("content-length") ?? NaN);
  if (declared > options.maxBytes) {
    await response.body?.cancel();
    throw tooLarge(options, `Content-Length ${declared}`);
  }
  if (!response.body) return "";
  // A declared, uncompressed length within the cap bounds the body already (fetch stops at
  // Content-Length), and one native read costs a third less CPU than pulling the stream
  // chunk by chunk. Compressed bodies are counted as they inflate, below.
  const encoding = response.headers.get("content-encoding");
  if (declared <= options.maxBytes && (encoding === null || encoding === "identity")) {
    const bytes = await response.bytes();
    // Not response.text(): it drops a leading BOM, which the streamed path below keeps.
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > options.maxBytes) {
      await reader.cancel();
      throw tooLarge(options, `more than ${options.maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total).toString("utf8");
}

function tooLarge(options: { maxBytes: number; url: string }, seen: string): VllmScrapeError {
  return new VllmScrapeError("body_too_large", `Cannot scrape vLLM metrics from ${options.url}: body too large (${seen}; limit --vllm-max-body ${options.maxBytes} bytes)`);
}
