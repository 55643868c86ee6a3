/**
 * A real Prometheus server (Debian's package) started by a test with its own
 * config and data directory on 127.0.0.1, queried through its HTTP API.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface PrometheusServer extends AsyncDisposable {
  readonly url: string;
  /** Instant query; returns the result vector. */
  query(promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  /** Polls `promql` until it returns at least one series or the deadline passes. */
  waitFor(promql: string, timeoutMs: number): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
}

/** Starts `prometheus` scraping `targets` (host:port) every second. */
export async function startPrometheus(binary: string, options: { targets: readonly string[]; scrapeIntervalS?: number }): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), "vigil-prom-"));
  const config = [
    "global:",
    `  scrape_interval: ${options.scrapeIntervalS ?? 1}s`,
    `  scrape_timeout: ${options.scrapeIntervalS ?? 1}s`,
    "scrape_configs:",
    "  - job_name: vigil",
    "    static_configs:",
    `      - targets: [${options.targets.map((t) => JSON.stringify(t)).join(", ")}]`,
    "",
  ].join("\n");
  writeFileSync(join(dir, "prometheus.yml"), config);
  const port = await freePort();
  const proc = Bun.spawn(
    [binary, `--config.file=${join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"],
    { stdout: "ignore", stderr: "pipe" },
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`prometheus exited with ${proc.exitCode}: ${await new Response(proc.stderr).text()}`);
    const ready = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) throw new Error("prometheus did not become ready within 30 s");
    await Bun.sleep(200);
  }
  const query = async (promql: string) => {
    const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await response.json()) as { status: string; error?: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    if (body.status !== "success") throw new Error(`query ${promql} failed: ${body.error}`);
    return body.data.result;
  };
  return {
    url,
    query,
    async waitFor(promql, timeoutMs) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const result = await query(promql);
        if (result.length > 0 || Date.now() > until) return result;
        await Bun.sleep(250);
      }
    },
    async [Symbol.asyncDispose]() {
      proc.kill("SIGTERM");
      await proc.exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A port that was free a moment ago (Prometheus takes no port 0 in its listen address). */
export async function freePort(): Promise<number> {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  return port;
}
