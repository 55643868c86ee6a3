/**
 * The Prometheus assets checked by promtool itself: the rules parse (`check rules`),
 * behave as specified on synthetic series (`test rules`, every alert firing and not
 * firing), the example config loads them (`check config`), and every threshold the
 * alert rules mark as a parameter is documented in agent/deploy/README.md.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findTool } from "./support/require-tool.ts";

const PROM = join(new URL("..", import.meta.url).pathname, "agent/deploy/prometheus");
const RULE_FILES = ["rules/vigil-recording.rules.yml", "rules/vigil-alerts.rules.yml"];
const TEST_FILES = ["tests/vigil-recording.test.yml", "tests/vigil-alerts.test.yml"];

interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}
interface PromtoolTests {
  readonly rule_files: string[];
  readonly tests: { name: string; alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
}

async function promtool(binary: string, args: readonly string[]): Promise<{ exitCode: number; output: string }> {
  const proc = Bun.spawn([binary, ...args], { cwd: PROM, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { exitCode, output: stdout + stderr };
}

const alertsText = readFileSync(join(PROM, "rules/vigil-alerts.rules.yml"), "utf8");
const alerts = (Bun.YAML.parse(alertsText) as { groups: { rules: AlertRule[] }[] }).groups.flatMap((g) => g.rules);

describe("Prometheus rules", () => {
  it("pass promtool check rules", async () => {
    const binary = findTool("promtool");
    if (!binary) return;
    const result = await promtool(binary, ["check", "rules", ...RULE_FILES]);
    expect(result.output).toContain("SUCCESS: 28 rules found");
    expect(result.output).toContain(`SUCCESS: ${alerts.length} rules found`);
    expect(result.exitCode, result.output).toBe(0);
  });

  it("pass promtool test rules", async () => {
    const binary = findTool("promtool");
    if (!binary) return;
    const result = await promtool(binary, ["test", "rules", ...TEST_FILES]);
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output.match(/SUCCESS/g)).toHaveLength(TEST_FILES.length);
  });

  it("the example prometheus.yml loads the rules (promtool check config)", async () => {
    const binary = findTool("promtool");
    if (!binary) return;
    const result = await promtool(binary, ["check", "config", "prometheus.yml"]);
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toContain("SUCCESS: 2 rule files found");
  });

  it("has a unit test with each alert firing and one with it not firing", () => {
    const suite = Bun.YAML.parse(readFileSync(join(PROM, "tests/vigil-alerts.test.yml"), "utf8")) as PromtoolTests;
    expect(suite.rule_files.sort()).toEqual(RULE_FILES.map((f) => `../${f}`).sort());
    const cases = suite.tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const { alert } of alerts) {
      const mine = cases.filter((c) => c.alertname === alert);
      expect(mine.some((c) => c.exp_alerts.length > 0), `${alert} firing`).toBe(true);
      expect(mine.some((c) => c.exp_alerts.length === 0), `${alert} not firing`).toBe(true);
    }
  });

  it("gives every alert a severity, a summary, a description and a runbook", () => {
    expect(alerts.length).toBeGreaterThanOrEqual(16);
    for (const rule of alerts) {
      expect(["critical", "warning", "info"], rule.alert).toContain(rule.labels?.severity);
      for (const key of ["summary", "description", "runbook"]) expect(rule.annotations?.[key], `${rule.alert} ${key}`).toBeTruthy();
      expect(rule.alert).toMatch(/^Vigil[A-Z]\w+$/);
    }
  });

  it("documents every threshold parameter in agent/deploy/README.md with its default", () => {
    const readme = readFileSync(join(PROM, "../README.md"), "utf8");
    const params = [...alertsText.matchAll(/^\s*(?:-\s*)?(?:expr|for):\s*(.+?)\s*#\s*param:\s*(\w+)\s*$/gm)].map((m) => {
      const value = /(?:[><]=?\s*|for:\s*|^)(-?[\d.]+[smh]?)\s*$/.exec(m[1] as string)?.[1] ?? (m[1] as string);
      return { name: m[2] as string, value };
    });
    expect(params.length).toBeGreaterThanOrEqual(15);
    for (const { name, value } of params) {
      const row = readme.split("\n").find((line) => line.startsWith(`| \`${name}\` |`));
      expect(row, `README row for ${name}`).toBeDefined();
      expect(row, `README default for ${name}`).toContain(`| \`${value}\` |`);
    }
  });
});
