import { describe, expect, it } from "vitest";
import { SseParser } from "./sse-parser.ts";

function parse(pieces: readonly string[]): { data: string[]; comments: string[] } {
  const data: string[] = [];
  const comments: string[] = [];
  const parser = new SseParser({ onData: (d) => data.push(d), onComment: (c) => comments.push(c) });
  for (const piece of pieces) parser.feed(piece);
  parser.end();
  return { data, comments };
}

/** Every way to cut `text` into two reads. */
function allSplits(text: string): string[][] {
  return Array.from({ length: text.length + 1 }, (_, i) => [text.slice(0, i), text.slice(i)]);
}

const STREAM = 'data: {"a":1}\n\n: ping\n\ndata: {"b":2}\n\ndata: [DONE]\n\n';

describe("SseParser", () => {
  it("parses several frames in one read", () => {
    expect(parse([STREAM])).toEqual({ data: ['{"a":1}', '{"b":2}', "[DONE]"], comments: ["ping"] });
  });

  it("gives the same events for every split of the stream across two reads", () => {
    for (const pieces of allSplits(STREAM)) expect(parse(pieces).data).toEqual(['{"a":1}', '{"b":2}', "[DONE]"]);
  });

  it("handles one byte per read", () => {
    expect(parse([...STREAM]).data).toEqual(['{"a":1}', '{"b":2}', "[DONE]"]);
  });

  it("accepts \\r\\n and \\r line ends, also split between reads", () => {
    const crlf = STREAM.replaceAll("\n", "\r\n");
    for (const pieces of allSplits(crlf)) expect(parse(pieces).data).toEqual(['{"a":1}', '{"b":2}', "[DONE]"]);
    const cr = STREAM.replaceAll("\n", "\r");
    expect(parse([cr]).data).toEqual(['{"a":1}', '{"b":2}', "[DONE]"]);
  });

  it("joins multi-line data with \\n and keeps data without a space after the colon", () => {
    expect(parse(["data:x\ndata: y\n\n"]).data).toEqual(["x\ny"]);
  });

  it("ignores other fields and dispatches nothing for comment-only or empty events", () => {
    expect(parse(["event: message\nid: 3\nretry: 10\n\n:\n\n\n\n"]).data).toEqual([]);
  });

  it("dispatches a final event that lacks its blank line at end of stream", () => {
    expect(parse(['data: {"a":1}\n\ndata: [DONE]']).data).toEqual(['{"a":1}', "[DONE]"]);
  });

  it("reports a line cut mid-frame", () => {
    const parser = new SseParser({ onData: () => undefined });
    parser.feed('data: {"a"');
    expect(parser.hasPartialLine).toBe(true);
    parser.feed(':1}\n\n');
    expect(parser.hasPartialLine).toBe(false);
  });

  it("passes the simulator's ground-truth comment through onComment", () => {
    expect(parse(['data: {"a":1}\n\n: vigil-sim {"x":1}\n\ndata: [DONE]\n\n']).comments).toEqual(['vigil-sim {"x":1}']);
  });
});
