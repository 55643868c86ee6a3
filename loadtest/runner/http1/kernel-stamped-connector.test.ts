import { afterEach, describe, expect, it } from "vitest";
import { RequestCancel } from "../request-cancel.ts";
import { Http1Client } from "./http1-client.ts";
import { kernelStamps } from "./kernel-stamped-connector.ts";

// The rest of the client's behaviour runs over these sockets in http1-client.test.ts.

/** A server in its own process: the head and a first piece at once, a second piece 20 ms later. */
const SERVER = `
Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data(socket) {
  socket.write("HTTP/1.1 200 OK\\r\\ntransfer-encoding: chunked\\r\\n\\r\\n5\\r\\nfirst\\r\\n");
  setTimeout(() => socket.write("6\\r\\nsecond\\r\\n0\\r\\n\\r\\n"), 20);
} } });
`;

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function spawnServer(): Promise<string> {
  const script = `${SERVER.replace("Bun.listen(", "const l = Bun.listen(")}\nconsole.log(l.port);`;
  const child = Bun.spawn([process.execPath, "-e", script], { stdout: "pipe", stderr: "inherit" });
  cleanups.push(async () => {
    child.kill();
    await child.exited;
  });
  const { value } = await child.stdout.getReader().read();
  return `http://127.0.0.1:${new TextDecoder().decode(value).trim()}`;
}

describe.runIf(process.platform === "linux")("kernel-stamped sockets", () => {
  it("stamp each read when it reached the socket, not when a busy event loop got to it", async () => {
    const stamps = kernelStamps();
    if (stamps.connector === null) throw new Error(`kernel-stamped sockets unavailable: ${stamps.unavailable}`);
    const before = stamps.readCounts();
    const client = new Http1Client({ baseUrl: await spawnServer(), headers: {}, connector: stamps.connector });
    cleanups.push(() => client.close());
    const reads: Array<{ receivedMs: number; deliveredMs: number }> = [];
    const startMs = performance.now();
    await client.request(
      { path: "/", body: "" },
      {
        onRead: (receivedMs) => {
          reads.push({ receivedMs, deliveredMs: performance.now() });
          // Busy for 150 ms after the first read: the second piece arrives meanwhile.
          if (reads.length === 1) while (performance.now() - startMs < reads[0]!.deliveredMs - startMs + 150);
        },
        onHead: () => {},
        onBody: () => {},
      },
      new RequestCancel(),
    );
    expect(reads).toHaveLength(2);
    // Both reads carried the kernel's stamp (none fell back to the time of the read).
    expect(stamps.readCounts().reads - before.reads).toBe(2);
    expect(stamps.readCounts().unstampedReads).toBe(before.unstampedReads);
    const [first, second] = reads as [(typeof reads)[0], (typeof reads)[0]];
    expect(first.receivedMs).toBeGreaterThanOrEqual(startMs);
    for (const read of reads) expect(read.receivedMs).toBeLessThanOrEqual(read.deliveredMs);
    // Delivered after the 150 ms stall, stamped about 20 ms after the first (a loop stamp would say >= 150).
    expect(second.deliveredMs - first.receivedMs).toBeGreaterThanOrEqual(150);
    expect(second.receivedMs - first.receivedMs).toBeGreaterThan(10);
    expect(second.receivedMs - first.receivedMs).toBeLessThan(120);
  });

  it("lets the process exit while idle connections are pooled (the wake worker is not referenced)", () => {
    const script = `
      import { Http1Client } from "${new URL("./http1-client.ts", import.meta.url).pathname}";
      import { kernelStamps } from "${new URL("./kernel-stamped-connector.ts", import.meta.url).pathname}";
      import { RequestCancel } from "${new URL("../request-cancel.ts", import.meta.url).pathname}";
      const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("ok") });
      const { connector, unavailable } = kernelStamps();
      if (connector === null) throw new Error("kernel-stamped sockets unavailable: " + unavailable);
      const client = new Http1Client({ baseUrl: "http://127.0.0.1:" + server.port, headers: {}, connector });
      let body = "";
      await client.request({ path: "/", body: "" }, { onRead() {}, onHead() {}, onBody: (b) => { body += new TextDecoder().decode(b); } }, new RequestCancel());
      server.unref();
      console.log(body, client.openConnections);
    `;
    const out = Bun.spawnSync([process.execPath, "-e", script], { stdout: "pipe", stderr: "pipe", timeout: 10_000 });
    expect(out.stderr.toString()).toBe("");
    expect(out.stdout.toString().trim()).toBe("ok 1");
    expect(out.exitCode).toBe(0);
  });
});
