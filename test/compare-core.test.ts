/**
 * compare on constructed reports (real HDR histograms from known samples): verdicts, tolerances,
 * the compatibility check, mergeRuns, and the CLI's views and exit codes.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compareReports } from "../loadtest/compare/compare-reports.ts";
import { IncompatibleReportsError } from "../loadtest/compare/compare-errors.ts";
import { mergeRuns } from "../loadtest/compare/merge-runs.ts";
import { parseTolerances } from "../loadtest/compare/parse-tolerances.ts";
import { runCompare } from "../loadtest/compare/run-compare.ts";
import { BaselineRefusedError, writeBaseline } from "../loadtest/compare/write-baseline.ts";
import { formatJunit } from "../loadtest/compare/views/format-junit.ts";
import { formatMarkdown } from "../loadtest/compare/views/format-markdown.ts";
import { renderComparisonHtml } from "../loadtest/compare/views/render-comparison-html.ts";
import type { Report } from "../loadtest/report/report-types.ts";
import { BUILT_SCENARIO, buildReport, latencySamples } from "./support/report-builder.ts";
import { checkXml } from "./support/check-xml.ts";

const run = (seed: number, options: { ttftMs?: number; itlMs?: number; failed?: number } = {}) =>
  buildReport({ samples: latencySamples({ seed, requests: 120, ttftMs: options.ttftMs ?? 50, itlMs: options.itlMs ?? 10 }), failed: options.failed, startedAtEpochMs: Date.UTC(2026, 0, 1, 0, seed) });

const dir = await mkdtemp(join(tmpdir(), "vigil-compare-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("compareReports()", () => {
  it("finds no regression between two runs of the same population", () => {
    const comparison = compareReports(run(1), run(2));
    expect(comparison.regressions).toEqual([]);
    expect(comparison.verdict).toBe("pass");
    expect(comparison.metrics.map((m) => m.key)).toContain("ttft_p95");
  });

  it("flags a 10 % TTFT regression on TTFT only", () => {
    const comparison = compareReports(run(1), run(2, { ttftMs: 55 }));
    expect(comparison.regressions.length).toBeGreaterThan(0);
    expect(comparison.regressions.every((key) => key.startsWith("ttft_"))).toBe(true);
    const ttft = comparison.metrics.find((m) => m.key === "ttft_p50");
    expect(ttft?.better).toBe("lower");
    expect(ttft?.change).toBeGreaterThan(0.05);
  });

  it("reports but does not gate a tail percentile with fewer than 10 samples beyond it", () => {
    const comparison = compareReports(run(1), run(2, { ttftMs: 60 }));
    const p99 = comparison.metrics.find((m) => m.key === "ttft_p99");
    expect(comparison.regressions).toContain("ttft_p50");
    expect(p99?.verdict).toBe("worse-within-tolerance");
    expect(p99?.note).toMatch(/only 1\.2 samples beyond p99/);
  });

  it("calls a 2 % change within tolerance no regression", () => {
    const comparison = compareReports(run(1), run(2, { ttftMs: 51 }));
    expect(comparison.regressions).toEqual([]);
  });

  it("calls a faster candidate better", () => {
    const comparison = compareReports(run(1), run(2, { ttftMs: 40 }));
    expect(comparison.metrics.find((m) => m.key === "ttft_p50")?.verdict).toBe("better");
  });

  it("lets --tolerance turn a regression into worse-within-tolerance", () => {
    const comparison = compareReports(run(1), run(2, { ttftMs: 55 }), { tolerances: parseTolerances("ttft=20%") });
    expect(comparison.regressions).toEqual([]);
    expect(comparison.metrics.find((m) => m.key === "ttft_p50")?.verdict).toBe("worse-within-tolerance");
  });

  it("gates the error rate as an absolute difference with a two-proportion test", () => {
    const comparison = compareReports(run(1), run(2, { failed: 30 }));
    const errors = comparison.metrics.find((m) => m.key === "error_rate");
    expect(errors?.changeKind).toBe("absolute");
    expect(errors?.verdict).toBe("regression");
    expect(compareReports(run(1), run(2, { failed: 1 })).metrics.find((m) => m.key === "error_rate")?.verdict).toBe("same");
  });

  it("uses the baseline's repeated runs as the noise of a one-run candidate", () => {
    const baseline = mergeRuns([run(1), run(3), run(4), run(5)]);
    const comparison = compareReports(baseline, run(2));
    expect(comparison.baseline.runs).toBe(4);
    expect(comparison.metrics.find((m) => m.key === "ttft_p50")?.noiseSource).toContain("runs(4)");
    expect(comparison.regressions).toEqual([]);
  });

  it("refuses reports of different workloads and names the field", () => {
    const other = buildReport({ samples: latencySamples({ seed: 2, requests: 50, ttftMs: 50, itlMs: 10 }), scenario: { workload: { ...BUILT_SCENARIO.workload, outputTokens: { kind: "fixed", value: 64 } } } });
    expect(() => compareReports(run(1), other)).toThrow(IncompatibleReportsError);
    expect(() => compareReports(run(1), other)).toThrow(/scenario\.workload\.outputTokens\.value differs: baseline 32, candidate 64/);
  });

  it.each([
    ["scenario.name", { name: "other" }],
    ["scenario.target.model", { target: { ...BUILT_SCENARIO.target, model: "other-model" } }],
    ["scenario.load.rate", { load: { ...BUILT_SCENARIO.load, rate: 20 } }],
  ])("refuses a different %s", (field, scenario) => {
    const other = buildReport({ samples: latencySamples({ seed: 2, requests: 50, ttftMs: 50, itlMs: 10 }), scenario });
    expect(() => compareReports(run(1), other)).toThrow(new RegExp(`${field.replace(/\./g, "\\.")} differs`));
  });

  it("only warns about a different environment or run length", () => {
    const other = buildReport({ samples: latencySamples({ seed: 2, requests: 120, ttftMs: 50, itlMs: 10 }), environment: { cpuModel: "Other CPU", harnessVersion: "0.2.0" }, scenario: { load: { ...BUILT_SCENARIO.load, durationMs: 20_000 } } });
    const comparison = compareReports(run(1), other);
    expect(comparison.warnings.map((w) => w.field).sort()).toEqual(["environment.cpuModel", "environment.harnessVersion", "scenario.load.durationMs"]);
  });

  it("warns when the runs took chunk times differently, and not when an older report does not say", () => {
    const withClient = (report: Report, receiveStamps: "kernel" | "socket-callback"): Report => ({ ...report, run: { ...report.run, client: { client: "http1", receiveStamps, fallbackReason: null } } });
    expect(compareReports(withClient(run(1), "kernel"), withClient(run(2), "socket-callback")).warnings.map((w) => w.field)).toEqual(["run.client.receiveStamps"]);
    expect(compareReports(run(1), withClient(run(2), "kernel")).warnings).toEqual([]);
  });
});

describe("mergeRuns()", () => {
  it("adds histograms and keeps one summary per run", () => {
    const merged = mergeRuns([run(1), run(2), run(3)]);
    expect(merged.runs).toHaveLength(3);
    expect(merged.runs.map((r) => r.index)).toEqual([0, 1, 2]);
    expect(merged.counts.completed).toBe(360);
    expect(merged.summary.ttftMs?.count).toBe(360);
    expect(merged.windows.windows).toHaveLength(30);
    const p50s = merged.runs.map((r) => r.summary.ttftMs?.p50 ?? 0);
    expect(merged.summary.ttftMs?.p50).toBeGreaterThanOrEqual(Math.min(...p50s) * 0.99);
    expect(merged.summary.ttftMs?.p50).toBeLessThanOrEqual(Math.max(...p50s) * 1.01);
  });

  it("refuses runs of different scenarios", () => {
    expect(() => mergeRuns([run(1), buildReport({ samples: latencySamples({ seed: 2, requests: 10, ttftMs: 50, itlMs: 10 }), scenario: { name: "other" } })])).toThrow(/scenario\.name differs/);
  });
});

describe("writeBaseline()", () => {
  it("writes <root>/<scenario>.json and refuses a failed or interrupted run", async () => {
    const root = join(dir, "baseline");
    expect(await writeBaseline(run(1), root)).toBe(join(root, "smoke.json"));
    expect((await Bun.file(join(root, "smoke.json")).json()).schema).toBe("vigil.report/v1");
    const failed = { ...run(2), run: { ...run(2).run, exitCode: 99 } };
    await expect(writeBaseline(failed, root)).rejects.toThrow(BaselineRefusedError);
    await expect(writeBaseline(failed, root)).rejects.toThrow(/the run exited 99/);
  });
});

describe("parseTolerances()", () => {
  it.each([
    ["ttft_p95=5%", { ttft_p95: 0.05 }],
    ["ttft_p95=0.05", { ttft_p95: 0.05 }],
    ["itl=10%", { itl_p50: 0.1, itl_p95: 0.1, itl_p99: 0.1 }],
    ["error_rate=0.5%, requests_per_s=3%", { error_rate: 0.005, requests_per_s: 0.03 }],
  ])("parses %s", (text, expected) => {
    expect(parseTolerances(text)).toEqual(expected);
  });

  it("reports every bad entry at once", () => {
    expect(() => parseTolerances("foo=1%,ttft_p95,ttft=-1")).toThrow(/unknown metric 'foo'.*'ttft_p95' is not metric=value.*'ttft=-1' is not metric=value/);
  });
});

describe("views", () => {
  const regression = compareReports(run(1), run(2, { ttftMs: 55 }));

  it("writes JUnit XML that an XML parser accepts, one testcase per metric, a failure per regression", () => {
    const root = checkXml(formatJunit(regression));
    expect(root.name).toBe("testsuites");
    const suite = root.children.find((c) => c.name === "testsuite");
    const cases = suite?.children.filter((c) => c.name === "testcase") ?? [];
    expect(cases).toHaveLength(regression.metrics.length);
    const failed = cases.filter((c) => c.children.some((child) => child.name === "failure")).map((c) => c.attributes.name);
    expect(failed).toEqual(regression.regressions);
    expect(suite?.attributes.failures).toBe(String(regression.regressions.length));
  });

  it("escapes hostile text in JUnit", () => {
    const hostile = buildReport({ samples: latencySamples({ seed: 2, requests: 120, ttftMs: 50, itlMs: 10 }), environment: { cpuModel: `<evil & "quoted"> \u0001` } });
    expect(() => checkXml(formatJunit(compareReports(run(1), hostile)))).not.toThrow();
  });

  it("writes a Markdown table with a row per metric and the same number of cells in every row", () => {
    const markdown = formatMarkdown(regression);
    const rows = markdown.split("\n").filter((line) => line.startsWith("|"));
    expect(rows).toHaveLength(regression.metrics.length + 2);
    const cells = (line: string) => line.replace(/\\\|/g, "").split("|").length;
    expect(new Set(rows.map(cells)).size).toBe(1);
    expect(rows[1]).toMatch(/^\|(:?-+:?\|)+$/);
    expect(markdown).toMatch(new RegExp(`❌ ${regression.regressions.length} regressions?`));
  });

  it("renders a self-contained HTML page with both reports overlaid", () => {
    const html = renderComparisonHtml(regression, run(1), run(2, { ttftMs: 55 }));
    expect(html).toContain("<svg");
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|(src|href)=["']?https?:/);
  });
});

describe("runCompare() (the CLI)", () => {
  const write = async (name: string, report: unknown) => {
    const path = join(dir, name);
    await Bun.write(path, JSON.stringify(report));
    return path;
  };

  it("exits 0 without a regression and 1 with one, writing the requested files", async () => {
    const a = await write("a.json", run(1));
    const b = await write("b.json", run(2));
    const slow = await write("slow.json", run(2, { ttftMs: 55 }));
    expect((await runCompare([a, b])).exitCode).toBe(0);
    const junit = join(dir, "out", "perf.xml");
    const outcome = await runCompare([a, slow, "--format", "markdown", "--junit", junit, "--html", join(dir, "out", "c.html")]);
    expect(outcome.exitCode).toBe(1);
    expect(outcome.stdout).toContain("| TTFT p50 |");
    expect(() => checkXml(require("node:fs").readFileSync(junit, "utf8"))).not.toThrow();
  });

  it("exits 2 with one clear line for incompatible reports, bad flags and unreadable files", async () => {
    const a = await write("a2.json", run(1));
    const other = await write("other.json", buildReport({ samples: latencySamples({ seed: 2, requests: 50, ttftMs: 50, itlMs: 10 }), scenario: { target: { ...BUILT_SCENARIO.target, model: "m2" } } }));
    const incompatible = await runCompare([a, other]);
    expect(incompatible.exitCode).toBe(2);
    expect(incompatible.stderr).toMatch(/^compare: Cannot compare the reports: scenario\.target\.model differs: baseline "sim-model", candidate "m2"$/);
    expect((await runCompare([a, other, "--force"])).exitCode).not.toBe(2);
    expect((await runCompare([a, "--format", "xml"])).stderr).toMatch(/--format must be one of table, markdown, junit, json: current value is xml/);
    const missing = await runCompare([a, join(dir, "nope.json")]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/Cannot read report .*nope\.json: no such file/);
    const notReport = await write("not.json", { schema: "other" });
    expect((await runCompare([a, notReport])).stderr).toMatch(/schema is "other", expected "vigil.report\/v1"/);
  });
});
