/**
 * Adds one label to every sample of a set of families: how the agent tells apart
 * the vLLM servers it scrapes (`target="..."`), as Prometheus' own target labels do.
 */
import type { Labels, MetricFamily, MetricSample } from "./family.ts";

/** Label names as the text format and OpenMetrics define them: `[a-zA-Z_][a-zA-Z0-9_]*`. */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Returns copies of `families` whose samples all carry `name="value"` as their last
 * label. A sample that already has the label gets the new value, moved last, since
 * one label name may appear once per sample. The input is not changed.
 *
 * @example withLabel(families, "target", "127.0.0.1:8000") // vllm:num_requests_running{engine="0",target="127.0.0.1:8000"} 4
 * @throws TypeError when `name` is not a valid label name.
 */
export function withLabel(families: readonly MetricFamily[], name: string, value: string): MetricFamily[] {
  if (!LABEL_NAME.test(name)) {
    throw new TypeError(`Cannot add label as 'name' must match [a-zA-Z_][a-zA-Z0-9_]*: current value is '${name}'`);
  }
  const relabel = (labels: Labels): Labels => {
    if (!Object.hasOwn(labels, name)) return { ...labels, [name]: value };
    // Rebuilt with defining operations only, so even a `__proto__` label stays a plain label.
    const others = Object.fromEntries(Object.entries(labels).filter(([key]) => key !== name));
    return { ...others, [name]: value };
  };
  return families.map((family) => ({
    ...family,
    samples: family.samples.map((sample): MetricSample => ({ ...sample, labels: relabel(sample.labels) })),
  }));
}
