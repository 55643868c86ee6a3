/**
 * Renders /metrics once per sample and format, gzipped once, so a scrape after the
 * first costs a lookup: many scrapers (Prometheus HA pairs, curl) share one render.
 */
import type { MetricFamily } from "../exposition/family.ts";
import { OPENMETRICS_CONTENT_TYPE, TEXT_CONTENT_TYPE, writeOpenMetrics, writeTextExposition } from "../exposition/write-exposition.ts";
import type { Sample } from "../sample.ts";

export type ExpositionFormat = "text" | "openmetrics";

export interface RenderedExposition {
  readonly contentType: string;
  readonly body: string;
  /** Gzipped body, made on first request for it. */
  gzipped(): Uint8Array;
}

/** Caches the rendering of the latest sample; older samples are dropped. */
export class ExpositionCache {
  readonly #build: (sample: Sample) => Promise<MetricFamily[]>;
  #sample: Sample | null = null;
  #families: Promise<MetricFamily[]> | null = null;
  readonly #rendered = new Map<ExpositionFormat, RenderedExposition>();

  constructor(build: (sample: Sample) => Promise<MetricFamily[]>) {
    this.#build = build;
  }

  async render(sample: Sample, format: ExpositionFormat): Promise<RenderedExposition> {
    if (sample !== this.#sample) {
      this.#sample = sample;
      this.#families = this.#build(sample);
      this.#rendered.clear();
    }
    const families = await (this.#families as Promise<MetricFamily[]>);
    const cached = this.#rendered.get(format);
    if (cached && sample === this.#sample) return cached;
    const body = format === "openmetrics" ? writeOpenMetrics(families) : writeTextExposition(families);
    let gz: Uint8Array | null = null;
    const rendered: RenderedExposition = {
      contentType: format === "openmetrics" ? OPENMETRICS_CONTENT_TYPE : TEXT_CONTENT_TYPE,
      body,
      gzipped: () => (gz ??= Bun.gzipSync(body)),
    };
    if (sample === this.#sample) this.#rendered.set(format, rendered);
    return rendered;
  }
}

/**
 * Picks OpenMetrics when the scraper lists it (Prometheus >= 2.5 does, first), else
 * text 0.0.4. A q=0 entry means "not acceptable" (RFC 9110 §12.4.2).
 */
export function negotiateFormat(accept: string | null | undefined): ExpositionFormat {
  if (!accept) return "text";
  for (const part of accept.split(",")) {
    const [mediaType, ...params] = part.trim().split(";").map((s) => s.trim());
    if (mediaType?.toLowerCase() !== "application/openmetrics-text") continue;
    const q = params.find((p) => p.startsWith("q="));
    if (q && Number(q.slice(2)) === 0) continue;
    return "openmetrics";
  }
  return "text";
}
