import { describe, expect, it } from "vitest";
import { readFixture } from "../../test/fixtures/proc/fixtures.ts";
import { ProcParseError } from "./host-errors.ts";
import { listeningInodes } from "./parse-proc-net-tcp.ts";

describe("listeningInodes()", () => {
  it.each([
    ["vm/net/tcp", 2024, ["643"]],
    ["vm/net/tcp", 8000, []],
    ["vm/net/tcp6", 8000, []],
    // LISTEN on 127.0.0.1:8000; the ESTABLISHED sockets to and from 8000 are not listeners.
    ["edge/net-tcp-listen", 8000, ["777777"]],
    ["edge/net-tcp-listen", 8001, ["777778"]],
    ["edge/net-tcp-listen", 53968, []],
    ["edge/net-tcp6-listen", 8000, ["999999"]],
    ["edge/net-tcp6-listen", 22, ["12345"]],
  ])("%s port %i -> %j", async (fixture, port, inodes) => {
    expect(listeningInodes(await readFixture(fixture), port)).toEqual(inodes);
  });

  it("accepts a header-only table", () => {
    expect(listeningInodes("  sl  local_address rem_address   st\n", 80)).toEqual([]);
  });

  it("throws ProcParseError on a line that is not a socket", () => {
    expect(() => listeningInodes("header\nnot a socket line\n", 80)).toThrow(ProcParseError);
  });
});
