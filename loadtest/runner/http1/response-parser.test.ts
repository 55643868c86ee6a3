import { describe, expect, it } from "vitest";
import { type ResponseHead, ResponseParseError, ResponseParser } from "./response-parser.ts";

interface Parsed {
  heads: ResponseHead[];
  body: string;
  completes: number;
}

function collector(): { parser: ResponseParser; parsed: Parsed } {
  const parsed: Parsed = { heads: [], body: "", completes: 0 };
  const decoder = new TextDecoder();
  const parser = new ResponseParser({
    onHead: (head) => parsed.heads.push(head),
    onBody: (bytes) => (parsed.body += decoder.decode(bytes, { stream: true })),
    onComplete: () => parsed.completes++,
  });
  return { parser, parsed };
}

/** Feeds `wire` split at `cut` (and byte by byte for cut = -1), then closes when asked. */
function parse(wire: string, cut: number, close = false): Parsed {
  const bytes = new TextEncoder().encode(wire);
  const { parser, parsed } = collector();
  if (cut === -1) for (let i = 0; i < bytes.length; i++) parser.feed(bytes.subarray(i, i + 1));
  else {
    parser.feed(bytes.subarray(0, cut));
    parser.feed(bytes.subarray(cut));
  }
  if (close) parser.end();
  return parsed;
}

const ok: Array<{ name: string; wire: string; close?: boolean; status: number; body: string; keepAlive: boolean; headers?: Record<string, string> }> = [
  { name: "Content-Length", wire: "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nContent-Length: 10\r\n\r\n{\"a\":\"é\"}", status: 200, body: '{"a":"é"}', keepAlive: true, headers: { "content-type": "application/json" } },
  {
    name: "chunked, with an extension and trailers",
    wire: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\ndata: \r\n1b;x=1\r\n{\"choices\":[{\"text\":\"é\"}]}\r\n0\r\nx-trailer: 1\r\n\r\n",
    status: 200,
    body: 'data: {"choices":[{"text":"é"}]}',
    keepAlive: true,
  },
  { name: "body until close", wire: "HTTP/1.1 200 OK\r\n\r\nuntil the end", close: true, status: 200, body: "until the end", keepAlive: false },
  { name: "100 Continue first", wire: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\nhi", status: 201, body: "hi", keepAlive: true },
  { name: "204 has no body", wire: "HTTP/1.1 204 No Content\r\n\r\n", status: 204, body: "", keepAlive: false },
  { name: "HTTP/1.0 closes", wire: "HTTP/1.0 200 OK\r\ncontent-length: 1\r\n\r\nx", status: 200, body: "x", keepAlive: false },
  { name: "HTTP/1.0 keep-alive", wire: "HTTP/1.0 200 OK\r\nconnection: keep-alive\r\ncontent-length: 1\r\n\r\nx", status: 200, body: "x", keepAlive: true },
  { name: "Connection: close", wire: "HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\ncontent-length: 4\r\n\r\nfail", status: 500, body: "fail", keepAlive: false },
  { name: "bare LF line ends, no reason phrase", wire: "HTTP/1.1 404\ncontent-length: 3\n\nnop", status: 404, body: "nop", keepAlive: true },
  { name: "repeated headers joined", wire: "HTTP/1.1 200 OK\r\nx-a: 1\r\nX-A: 2\r\ncontent-length: 5, 5\r\n\r\nhello", status: 200, body: "hello", keepAlive: true, headers: { "x-a": "1, 2" } },
  { name: "zero Content-Length", wire: "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n", status: 200, body: "", keepAlive: true },
];

describe("ResponseParser", () => {
  for (const c of ok) {
    it(`parses ${c.name}, split at every byte`, () => {
      const length = new TextEncoder().encode(c.wire).length;
      for (let cut = -1; cut <= length; cut++) {
        const parsed = parse(c.wire, cut, c.close);
        expect(parsed.heads, `cut ${cut}`).toHaveLength(1);
        expect(parsed.heads[0]?.status).toBe(c.status);
        expect(parsed.heads[0]?.keepAlive).toBe(c.keepAlive);
        for (const [name, value] of Object.entries(c.headers ?? {})) expect(parsed.heads[0]?.headers.get(name)).toBe(value);
        expect(parsed.body, `cut ${cut}`).toBe(c.body);
        expect(parsed.completes).toBe(1);
      }
    });
  }

  it("hands over body bytes as they arrive, before the response is complete", () => {
    const { parser, parsed } = collector();
    const encoder = new TextEncoder();
    parser.feed(encoder.encode("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhel"));
    expect(parsed.body).toBe("hel");
    expect(parser.complete).toBe(false);
    parser.feed(encoder.encode("lo\r\n0\r\n\r\n"));
    expect(parsed.body).toBe("hello");
    expect(parser.complete).toBe(true);
  });

  const bad: Array<[string, string, boolean]> = [
    ["SSH-2.0-OpenSSH\r\n\r\n", "not an HTTP/1.x status line", false],
    ["HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "bad header line", false],
    ["HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n", "bad chunk size line", false],
    ["HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nabc\r\n", "chunk data longer than its size", false],
    ["HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\nxy", "1 bytes after the end of the response", false],
    ["HTTP/1.1 200 OK\r\ncontent-length: 1, 2\r\n\r\nx", "bad Content-Length", false],
    ["HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nxy", "connection closed inside the body (8 bytes still expected)", true],
    ["HTTP/1.1 200 OK\r\ncontent-le", "connection closed before the response head was complete", true],
  ];
  it.each(bad)("rejects %j", (wire, message, close) => {
    const { parser } = collector();
    const run = () => {
      parser.feed(new TextEncoder().encode(wire));
      if (close) parser.end();
    };
    expect(run).toThrow(ResponseParseError);
    const again = collector().parser;
    expect(() => {
      again.feed(new TextEncoder().encode(wire));
      if (close) again.end();
    }).toThrow(message);
  });

  it("bounds the head it buffers", () => {
    const { parser } = collector();
    const line = new TextEncoder().encode(`x-pad: ${"a".repeat(1000)}\r\n`);
    parser.feed(new TextEncoder().encode("HTTP/1.1 200 OK\r\n"));
    expect(() => {
      for (let i = 0; i < 100; i++) parser.feed(line);
    }).toThrow("response head longer than 65536 bytes");
  });

  it("says whether any response byte arrived (the idle-close race)", () => {
    const { parser } = collector();
    expect(parser.started).toBe(false);
    parser.feed(new TextEncoder().encode("HT"));
    expect(parser.started).toBe(true);
  });
});
