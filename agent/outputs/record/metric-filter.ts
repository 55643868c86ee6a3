/** --metrics globs (`node_cpu_*`, `vllm:*`, `node_load?`) as one predicate on family names. */

/** Accepts every family when `globs` is empty. */
export function metricFilter(globs: readonly string[]): (family: string) => boolean {
  if (globs.length === 0) return () => true;
  const patterns = globs.map((glob) => new RegExp(`^${glob.replace(/[.+^${}()|\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`));
  return (family) => patterns.some((pattern) => pattern.test(family));
}
