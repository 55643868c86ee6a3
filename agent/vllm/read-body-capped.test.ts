import { describe, expect, it } from "vitest";
import { readBodyCapped } from "./read-body-capped.ts";

const url = "http://127.0.0.1:8000/metrics";
const streamOf = (...chunks: string[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
      controller.close();
    },
  });

describe("readBodyCapped()", () => {
  it("reads a body with a Content-Length within the cap, as UTF-8 with any BOM kept", async () => {
    const body = "\uFEFFvllm:x{model_name=\"é\"} 1\n";
    const response = new Response(body, { headers: { "content-length": String(Buffer.byteLength(body)) } });
    expect(await readBodyCapped(response, { maxBytes: 1000, url })).toBe(body);
  });

  it("reads a streamed body of unknown length within the cap", async () => {
    expect(await readBodyCapped(new Response(streamOf("a 1\n", "b 2\n")), { maxBytes: 8, url })).toBe("a 1\nb 2\n");
  });

  it("refuses a declared Content-Length past the cap without reading", async () => {
    const response = new Response("x".repeat(20), { headers: { "content-length": "20" } });
    await expect(readBodyCapped(response, { maxBytes: 10, url })).rejects.toMatchObject({ code: "body_too_large" });
  });

  it("stops a streamed body at the cap", async () => {
    await expect(readBodyCapped(new Response(streamOf("a 1\n", "b 2\n", "c 3\n")), { maxBytes: 10, url })).rejects.toMatchObject({ code: "body_too_large" });
  });

  it("counts a compressed body as it inflates, whatever its Content-Length says", async () => {
    const response = new Response(streamOf("x".repeat(30)), { headers: { "content-length": "5", "content-encoding": "gzip" } });
    await expect(readBodyCapped(response, { maxBytes: 10, url })).rejects.toMatchObject({ code: "body_too_large" });
  });
});
