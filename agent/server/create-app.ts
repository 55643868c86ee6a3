/**
 * The agent's HTTP surface as a hono app: /metrics, health, and the JSON API the
 * harness reads. Pure of sockets, so tests drive it with `app.request()`.
 */
import { Hono, type MiddlewareHandler } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import type { ExpositionCache } from "../metrics/exposition-cache.ts";
import { negotiateFormat } from "../metrics/exposition-cache.ts";
import type { Sample } from "../sample.ts";
import type { Timeline } from "../timeline/timeline.ts";

export interface AppDeps {
  readonly version: string;
  readonly intervalMs: number;
  readonly retentionMs: number;
  readonly token: string | null;
  readonly metricsAuth: boolean;
  readonly sampler: { fresh(): Promise<Sample>; readonly latest: Sample | null };
  readonly timeline: Timeline;
  readonly exposition: ExpositionCache;
  readonly now?: () => number;
}

/** Builds the app; the caller serves `app.fetch` with Bun.serve. */
export function createApp(deps: AppDeps): Hono {
  const now = deps.now ?? Date.now;
  const app = new Hono();
  // hono's bearerAuth compares with timingSafeEqual (hashes first), so the token's length does not leak.
  const auth: MiddlewareHandler = deps.token ? bearerAuth({ token: deps.token, realm: "vigil" }) : async (_c, next) => next();

  app.get("/", (c) =>
    c.html(
      `<!doctype html><html><head><meta charset="utf-8"><title>Vigil agent</title></head><body><h1>Vigil agent ${escapeHtml(deps.version)}</h1><ul>` +
        `<li><a href="/metrics">/metrics</a></li><li><a href="/healthz">/healthz</a></li><li><a href="/readyz">/readyz</a></li>` +
        `<li><a href="/api/v1/snapshot">/api/v1/snapshot</a></li><li><a href="/api/v1/timeline">/api/v1/timeline</a></li></ul></body></html>`,
    ),
  );

  app.get("/healthz", (c) => c.text("ok\n"));

  // Ready once a first sample exists: a scrape then never waits for a cold start.
  app.get("/readyz", (c) => (deps.sampler.latest ? c.text("ready\n") : c.text("no sample yet\n", 503)));

  app.get("/metrics", deps.metricsAuth ? auth : async (_c, next) => next(), async (c) => {
    const sample = await deps.sampler.fresh();
    const rendered = await deps.exposition.render(sample, negotiateFormat(c.req.header("accept")));
    const headers: Record<string, string> = { "content-type": rendered.contentType, vary: "Accept, Accept-Encoding" };
    if (/\bgzip\b/.test(c.req.header("accept-encoding") ?? "")) {
      headers["content-encoding"] = "gzip";
      return c.body(rendered.gzipped() as Uint8Array<ArrayBuffer>, 200, headers);
    }
    return c.body(rendered.body, 200, headers);
  });

  app.get("/api/v1/snapshot", auth, async (c) => {
    const sample = await deps.sampler.fresh();
    return c.json({ serverTimeMs: now(), version: deps.version, intervalMs: deps.intervalMs, sample });
  });

  app.get("/api/v1/timeline", auth, (c) => {
    const sinceMs = parseTimeParam(c.req.query("since"));
    const untilMs = parseTimeParam(c.req.query("until"));
    if (sinceMs === "invalid" || untilMs === "invalid") {
      return c.json({ error: "since and until must be milliseconds since the epoch or RFC 3339 times", serverTimeMs: now() }, 400);
    }
    const serverTimeMs = now();
    const points = deps.timeline.query({ sinceMs, untilMs, nowMs: serverTimeMs });
    return c.json({ serverTimeMs, intervalMs: deps.intervalMs, retentionMs: deps.retentionMs, points });
  });

  app.notFound((c) => c.json({ error: `No route for ${c.req.method} ${c.req.path}` }, 404));
  return app;
}

function parseTimeParam(value: string | undefined): number | undefined | "invalid" {
  if (value === undefined || value === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? "invalid" : parsed;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
