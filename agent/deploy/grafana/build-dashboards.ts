/**
 * Writes the Grafana dashboards (import format JSON) from their builders:
 *   bun agent/deploy/grafana/build-dashboards.ts
 * The JSON files in agent/deploy/grafana/dashboards/ are committed; a test checks they
 * match the builders, so edit the builders and re-run this.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dcgmCompatDashboard } from "./dcgm-compat-dashboard.ts";
import { fleetDashboard } from "./fleet-dashboard.ts";
import type { Dashboard } from "./grafana-model.ts";
import { inferenceServerDashboard } from "./inference-server-dashboard.ts";

/** Each dashboard by its file name under dashboards/. */
export const DASHBOARDS: Readonly<Record<string, () => Dashboard>> = {
  "vigil-fleet.json": fleetDashboard,
  "vigil-inference-server.json": inferenceServerDashboard,
  "vigil-dcgm-compat.json": dcgmCompatDashboard,
};

/** The file text of a dashboard: two-space JSON and a final newline. */
export function renderDashboard(build: () => Dashboard): string {
  return `${JSON.stringify(build(), null, 2)}\n`;
}

if (import.meta.main) {
  const dir = new URL("./dashboards/", import.meta.url).pathname;
  mkdirSync(dir, { recursive: true });
  for (const [file, build] of Object.entries(DASHBOARDS)) {
    writeFileSync(`${dir}${file}`, renderDashboard(build));
    process.stdout.write(`wrote ${dir}${file}\n`);
  }
}
