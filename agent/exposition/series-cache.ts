/**
 * What one parse of a target's /metrics leaves for the next: the line layout of the
 * body, and the parsed `name{labels}` part of each sample line. A vLLM server writes
 * the same lines every scrape and only the values move, so parseExposition() checks
 * the new body against the layout and reads just the values; when lines were added or
 * changed, it parses the body in full but looks each line's `name{labels}` text up
 * here and reuses its name and labels object instead of scanning and allocating them.
 */
import type { Labels, MetricFamily, MetricSample } from "./family.ts";

/** What one `name{labels}` text parsed to. Shared by every sample with that text: never mutate. */
export interface CachedSeries {
  readonly name: string;
  readonly labels: Labels;
}

/** One line of a parsed body: a sample line, or any other line whole. */
export type LayoutLine = { readonly kind: "other"; readonly text: string } | SampleLayoutLine;

/** A sample line: what stays (up to the value) and what it read last (the whole line and its sample). */
export interface SampleLayoutLine {
  readonly kind: "sample";
  /** The line from its first character to where its value starts. */
  readonly prefix: string;
  /** Index of the sample's family in `ParseLayout.families`. */
  readonly family: number;
  /** The whole line as last read, and the sample read from it: an identical line gives the same sample object. */
  text: string;
  sample: MetricSample;
}

/**
 * The line layout of the last body parsed in full with this cache: when the next body
 * has the same lines up to each value, parseExposition() reads only the values that
 * changed. Its prefixes are slices of that body, which it keeps alive (one body per
 * cache) until replaced; lines read since are kept as copies.
 */
export interface ParseLayout {
  readonly lines: readonly LayoutLine[];
  /** The families the last parse gave; one whose lines are all unchanged is given again, the same object. */
  families: readonly MetricFamily[];
  readonly sampleCount: number;
  /** 1000 for an OpenMetrics body (timestamps in seconds), else 1. */
  readonly timestampScale: number;
}

interface Entry extends CachedSeries {
  /** The parse that last looked this entry up. */
  seenInParse: number;
}

/**
 * A bounded map from a line's `name{labels}` text to its parse. At most `capacity`
 * entries (the series cap of the parses it serves); entries not looked up by the
 * latest parse are dropped when they would crowd out new ones or outnumber live ones.
 * Keys and values are copied on insertion, so an entry never pins the body text it
 * came from (a substring would keep the whole body alive).
 *
 * @example
 * const cache = new SeriesCache(20_000);
 * parseExposition(body, { maxSeries: 20_000, seriesCache: cache });
 */
export class SeriesCache {
  readonly #capacity: number;
  readonly #entries = new Map<string, Entry>();
  #parse = 0;
  #seenInParse = 0;
  /** Set by parseExposition() after each full parse. */
  layout: ParseLayout | null = null;

  /** @throws RangeError when `capacity` is not a non-negative integer. */
  constructor(capacity: number) {
    if (!(Number.isInteger(capacity) && capacity >= 0)) {
      throw new RangeError(`Cannot create a series cache as 'capacity' must be a non-negative integer: current value is ${capacity}`);
    }
    this.#capacity = capacity;
  }

  /** Starts a parse: what it does not look up may be dropped after it. */
  beginParse(): void {
    this.#parse++;
    this.#seenInParse = 0;
  }

  /** Ends a parse: drops the entries it did not use once they outnumber those it did. */
  endParse(): void {
    if (this.#entries.size > 2 * this.#seenInParse) this.#dropUnseen();
  }

  /** The cached parse of `key`, marked as used by the current parse. */
  get(key: string): CachedSeries | undefined {
    const entry = this.#entries.get(key);
    if (entry !== undefined && entry.seenInParse !== this.#parse) {
      entry.seenInParse = this.#parse;
      this.#seenInParse++;
    }
    return entry;
  }

  /**
   * Caches copies of `name` and `labels` under a copy of `key` and returns the cached
   * parse, which the caller should use in place of its own. Past `capacity`, entries
   * unused by the current parse go first; with none left, nothing is cached.
   */
  set(key: string, name: string, labels: Labels): CachedSeries {
    const entry: Entry = { name: detached(name), labels: detachedLabels(labels), seenInParse: this.#parse };
    if (this.#entries.size >= this.#capacity) this.#dropUnseen();
    if (this.#entries.size >= this.#capacity) return entry;
    this.#entries.set(detached(key), entry);
    this.#seenInParse++;
    return entry;
  }

  /** Entries held now. */
  get size(): number {
    return this.#entries.size;
  }

  #dropUnseen(): void {
    for (const [key, entry] of this.#entries) if (entry.seenInParse !== this.#parse) this.#entries.delete(key);
  }
}

/**
 * A copy of `s` in its own buffer. A slice of the body shares the body's buffer, and a
 * cached slice would keep every body it came from alive. The body was decoded from
 * UTF-8, so it has no lone surrogate that the round trip would change.
 */
export function detached(s: string): string {
  return s.length === 0 ? "" : Buffer.from(s, "utf8").toString("utf8");
}

function detachedLabels(labels: Labels): Labels {
  const copy: Record<string, string> = {};
  for (const name in labels) {
    const value = detached(labels[name] ?? "");
    // A `__proto__` label stays an own, plain property (see parseExposition's readLabels).
    if (name === "__proto__") Object.defineProperty(copy, name, { value, enumerable: true, writable: true, configurable: true });
    else copy[name] = value;
  }
  return copy;
}
