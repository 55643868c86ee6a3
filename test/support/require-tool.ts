/**
 * Real tools (promtool, prometheus, node_exporter) are installed by
 * scripts/setup-test-deps.sh. Without one, a test is skipped on a developer's
 * machine but fails under CI=true: CI must never pass by skipping.
 */

/** The tool's path, or null when it is absent outside CI. Throws under CI when absent. */
export function findTool(name: string): string | null {
  const path = Bun.which(name);
  if (path) return path;
  if (process.env.CI === "true") throw new Error(`${name} not found on PATH: run scripts/setup-test-deps.sh (CI must not skip this test)`);
  return null;
}
