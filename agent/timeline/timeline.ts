/**
 * A bounded ring of timeline points: the last `retentionMs` of samples, at most
 * `capacity` points, oldest overwritten first. Memory is fixed by construction.
 */
import type { Sample } from "../sample.ts";
import { type TimelinePoint, toTimelinePoint } from "./timeline-point.ts";

export interface TimelineOptions {
  readonly retentionMs: number;
  /** Most points kept, whatever the retention says (on-demand sampling has no fixed rate). */
  readonly capacity: number;
}

/** Ring buffer of compacted samples, queried by wall-clock window. */
export class Timeline {
  readonly #points: (TimelinePoint | undefined)[];
  readonly #retentionMs: number;
  #next = 0;
  #size = 0;
  readonly #bounds = new Map<string, readonly number[]>();

  constructor(options: TimelineOptions) {
    if (!(options.capacity >= 1)) throw new RangeError(`Cannot create a timeline as 'capacity' must be at least 1: current value is ${options.capacity}`);
    this.#points = new Array(Math.floor(options.capacity));
    this.#retentionMs = options.retentionMs;
  }

  /** Compacts and appends a sample; returns the stored point. */
  append(sample: Sample): TimelinePoint {
    const point = toTimelinePoint(sample, (bounds) => this.#intern(bounds));
    this.#points[this.#next] = point;
    this.#next = (this.#next + 1) % this.#points.length;
    this.#size = Math.min(this.#size + 1, this.#points.length);
    return point;
  }

  /** Points with `sinceMs <= timeMs <= untilMs`, oldest first, limited to the retention window ending at `nowMs`. */
  query(window: { sinceMs?: number; untilMs?: number; nowMs: number }): TimelinePoint[] {
    const floor = Math.max(window.sinceMs ?? -Infinity, window.nowMs - this.#retentionMs);
    const ceiling = window.untilMs ?? Infinity;
    const out: TimelinePoint[] = [];
    const start = (this.#next - this.#size + this.#points.length) % this.#points.length;
    for (let i = 0; i < this.#size; i++) {
      const point = this.#points[(start + i) % this.#points.length] as TimelinePoint;
      if (point.timeMs >= floor && point.timeMs <= ceiling) out.push(point);
    }
    return out;
  }

  get size(): number {
    return this.#size;
  }

  get capacity(): number {
    return this.#points.length;
  }

  #intern(bounds: readonly number[]): readonly number[] {
    const key = bounds.join(",");
    const known = this.#bounds.get(key);
    if (known) return known;
    if (this.#bounds.size < 64) this.#bounds.set(key, bounds);
    return bounds;
  }
}
