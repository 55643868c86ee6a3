/**
 * The Grafana dashboards as files: what is committed is what the builders make, and
 * each is in Grafana's import format with the datasource as a variable. (That every
 * query returns data is test/deploy-queries.test.ts, against a real Prometheus.)
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DASHBOARDS, renderDashboard } from "../agent/deploy/grafana/build-dashboards.ts";
import type { Dashboard, Panel } from "../agent/deploy/grafana/grafana-model.ts";

const DIR = join(new URL("..", import.meta.url).pathname, "agent/deploy/grafana/dashboards");

function allPanels(panels: readonly Panel[]): Panel[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
}

describe("Grafana dashboards", () => {
  it("are committed exactly as the builders render them (run build-dashboards.ts after an edit)", () => {
    expect(readdirSync(DIR).sort()).toEqual(Object.keys(DASHBOARDS).sort());
    for (const [file, build] of Object.entries(DASHBOARDS)) expect(readFileSync(join(DIR, file), "utf8"), file).toBe(renderDashboard(build));
  });

  for (const file of Object.keys(DASHBOARDS)) {
    it(`${file} imports anywhere: datasource variable, unique ids, panels on the 24-column grid`, () => {
      const board = JSON.parse(readFileSync(join(DIR, file), "utf8")) as Dashboard;
      expect(board.uid).toMatch(/^vigil-[a-z-]+$/);
      expect(board.schemaVersion).toBeGreaterThanOrEqual(36);
      expect(board.templating.list[0]).toMatchObject({ name: "datasource", type: "datasource", query: "prometheus" });
      const panels = allPanels(board.panels);
      expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
      for (const panel of panels) {
        expect(panel.gridPos.x + panel.gridPos.w, panel.title).toBeLessThanOrEqual(24);
        if (panel.type === "row") continue;
        expect(panel.datasource, panel.title).toEqual({ type: "prometheus", uid: "${datasource}" });
        expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
        for (const target of panel.targets ?? []) expect(target.datasource.uid, panel.title).toBe("${datasource}");
      }
      // No panel is hard-wired to one host: every selector goes through the variables.
      for (const target of panels.flatMap((p) => p.targets ?? [])) expect(target.expr).not.toMatch(/instance="/);
    });
  }
});
