/**
 * `promtool check metrics` on a /metrics body, as the integration tests run it. Exit 1 means the body
 * did not parse; exit 3 means lint problems, returned one per line for the caller to filter.
 */

/** Runs `promtool check metrics` with `body` on stdin; returns its exit code and its output lines. */
export function promtoolCheckMetrics(promtool: string, body: string): { exitCode: number; output: string; lines: string[] } {
  const check = Bun.spawnSync([promtool, "check", "metrics"], { stdin: Buffer.from(body), stdout: "pipe", stderr: "pipe" });
  const output = `${check.stdout.toString()}${check.stderr.toString()}`;
  const lines = output.split("\n").map((line) => line.trim()).filter((line) => line !== "");
  return { exitCode: check.exitCode ?? -1, output, lines };
}
