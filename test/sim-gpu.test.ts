/**
 * GPU emulation end to end: the simulator writes the fake-NVML state file, the compiled
 * agent loaded with the fake library reports a simulated GPU whose utilization, memory
 * and power move with the simulated load.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startGpuEmulation } from "../loadtest/sim/gpu-emulation.ts";
import { startSimulator } from "../loadtest/sim/start-simulator.ts";
import { generateText } from "../loadtest/sim/tokenizer.ts";
import { buildFakeNvml } from "./fake-nvml/build-fake-nvml.ts";
import { runAgent } from "./support/agent-process.ts";
import { findTool } from "./support/require-tool.ts";

type Gpu = { simulated: boolean; name: string; utilizationGpuRatio: number; memoryUsedBytes: number; powerWatts: number };

describe("simulated GPU telemetry", () => {
  it("moves with the load and is marked simulated", async () => {
    if (!findTool("gcc")) return;
    const dir = mkdtempSync(join(tmpdir(), "vigil-sim-gpu-"));
    try {
      const library = await buildFakeNvml();
      const statePath = join(dir, "nvml-state.txt");
      await using sim = await startSimulator({ maxNumSeqs: 64, seed: 2 });
      const emulation = await startGpuEmulation(sim, statePath, { warn: () => {} }, 100);
      const readGpu = async (): Promise<Gpu> => {
        const result = await runAgent(["--once", "--no-vllm", "--nvml-library", library], { env: { VIGIL_FAKE_NVML_STATE: statePath } });
        expect(result.exitCode).toBe(0);
        return (JSON.parse(result.stdout) as { gpus: Gpu[] }).gpus[0] as Gpu;
      };
      try {
        await Bun.sleep(250);
        const idle = await readGpu();
        expect(idle.simulated).toBe(true);
        expect(idle.name).toContain("(simulated)");
        expect(idle.utilizationGpuRatio).toBe(0);

        let loading = true;
        const load = Promise.all(
          Array.from({ length: 32 }, async (_, i) => {
            while (loading) {
              await fetch(`${sim.url}/v1/completions`, { method: "POST", body: JSON.stringify({ prompt: generateText(500, i), max_tokens: 200, ignore_eos: true }) }).then((r) => r.text());
            }
          }),
        );
        await Bun.sleep(600);
        const busy = await readGpu();
        loading = false;
        await load;
        expect(busy.utilizationGpuRatio).toBeGreaterThan(0.5);
        expect(busy.memoryUsedBytes).toBeGreaterThan(idle.memoryUsedBytes);
        expect(busy.powerWatts).toBeGreaterThan(idle.powerWatts);
      } finally {
        emulation.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
