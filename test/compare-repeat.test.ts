/**
 * `bun run loadtest <scenario> --repeat N` stores N runs in one report, and `--baseline` (what
 * `bun run baseline` passes) writes reports/baseline/<scenario>.json on purpose, relative to the
 * working directory (a temporary one here, so the committed baseline is never touched).
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compareReports } from "../loadtest/compare/compare-reports.ts";
import { readReport } from "../loadtest/compare/read-report.ts";
import { spawnSimulator } from "../loadtest/testing/spawn-simulator.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const dir = await mkdtemp(join(tmpdir(), "vigil-repeat-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("loadtest --repeat and --baseline", () => {
  it("runs the scenario N times into one report and writes the baseline only when asked", async () => {
    await using sim = await spawnSimulator(["--seed", "1", "--no-enable-prefix-caching"]);
    const run = async (extra: readonly string[]) => {
      const child = Bun.spawn([process.execPath, join(ROOT, "loadtest/main.ts"), join(ROOT, "scenarios/smoke.ts"), "--target", sim.url, "--duration", "1s", "--out", join(dir, "out"), "--quiet", ...extra], { cwd: dir, stdout: "pipe", stderr: "pipe" });
      const [stderr, code] = await Promise.all([new Response(child.stderr).text(), child.exited]);
      return { stderr, code };
    };
    const repeated = await run(["--repeat", "2", "--baseline"]);
    expect(repeated.code).toBe(0);
    expect(repeated.stderr).toMatch(/baseline written to reports\/baseline\/smoke\.json \(2 runs\)/);
    const baseline = await readReport(join(dir, "reports/baseline/smoke.json"));
    expect(baseline.runs).toHaveLength(2);
    expect(baseline.counts.completed).toBe(baseline.runs.reduce((sum, r) => sum + r.counts.completed, 0));
    expect(baseline.summary.ttftMs?.count).toBe(baseline.counts.completed);

    const single = await run([]);
    expect(single.code).toBe(0);
    expect(single.stderr).not.toMatch(/baseline/);
    const folders = await readdir(join(dir, "out"));
    expect(folders).toHaveLength(2);
    const candidate = await readReport(join(dir, "out", folders.sort()[1] as string));
    expect(candidate.runs).toHaveLength(1);
    expect(compareReports(baseline, candidate).warnings).toEqual([]);
  }, 60_000);
});
