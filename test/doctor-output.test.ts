/**
 * `vigil-agent doctor` from the compiled binary, one case per thing an operator hits:
 * no NVML, a fake NVML with two GPUs (and one whose driver does not match), vLLM down,
 * vLLM up with the fixture, a renamed vLLM metric, a busy port, an OTLP collector.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURE_PATH, type FixtureServer, startVllmFixtureServer } from "../scripts/vllm-fixture-server.ts";
import { buildFakeNvml } from "./fake-nvml/build-fake-nvml.ts";
import { makeFakeNvmlState } from "./fake-nvml/make-fake-nvml-state.ts";
import { writeFakeNvmlState } from "./fake-nvml/state-file.ts";
import { runAgent } from "./support/agent-process.ts";
import { startOtlpReceiver } from "./support/otlp-receiver.ts";
import { freePort } from "./support/prometheus-server.ts";

const NO_NVML = ["--nvml-library", "/nonexistent/libnvidia-ml.so.1"];
const QUIET = ["--listen", "127.0.0.1:0"];

/** The doctor's line for `subject`, e.g. "ok    nvml  2 GPUs via ...". */
function lines(stdout: string, subject: string): string[] {
  return stdout.split("\n").filter((l) => l.slice(6).startsWith(`${subject} `));
}

describe("vigil-agent doctor", () => {
  let vllm: FixtureServer;
  let dir: string;
  beforeAll(async () => {
    vllm = await startVllmFixtureServer();
    dir = mkdtempSync(join(tmpdir(), "vigil-doctor-"));
  });
  afterAll(() => {
    vllm.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("says why there is no NVML, one line, and a CPU-only host is still healthy", async () => {
    const result = await runAgent(["doctor", "--no-vllm", ...QUIET, ...NO_NVML]);
    expect(lines(result.stdout, "nvml")).toEqual([expect.stringMatching(/^warn +nvml +\/nonexistent\/libnvidia-ml.so.1 not found: no NVIDIA driver on this host/)]);
    expect(lines(result.stdout, "listen")).toEqual([expect.stringMatching(/^ok +listen +127.0.0.1:0 is free$/)]);
    expect(lines(result.stdout, "clock")).toHaveLength(1);
    expect(result.exitCode).toBe(0);
  });

  it("lists the GPUs of a fake NVML with two GPUs", async () => {
    const library = await buildFakeNvml();
    const state = join(dir, "two-gpus.state");
    const fake = makeFakeNvmlState(2);
    writeFakeNvmlState(state, fake);
    const result = await runAgent(["doctor", "--no-vllm", ...QUIET, "--nvml-library", library], { env: { VIGIL_FAKE_NVML_STATE: state } });
    expect(lines(result.stdout, "nvml")).toEqual([expect.stringMatching(/^ok +nvml +2 GPUs via \S+ \(driver 580.95.05, NVML 13.580.95.05, CUDA 13.0\) \[simulated/)]);
    for (const [i, gpu] of fake.devices.entries()) {
      expect(lines(result.stdout, `gpu${i}`)).toEqual([expect.stringContaining(gpu.uuid)]);
    }
    expect(result.exitCode).toBe(0);
  });

  it("explains a driver/library version mismatch and fails", async () => {
    const library = await buildFakeNvml();
    const state = join(dir, "mismatch.state");
    writeFakeNvmlState(state, { ...makeFakeNvmlState(1), errors: { nvmlInit_v2: "NVML_ERROR_LIB_RM_VERSION_MISMATCH" } });
    const result = await runAgent(["doctor", "--no-vllm", ...QUIET, "--nvml-library", library], { env: { VIGIL_FAKE_NVML_STATE: state } });
    expect(lines(result.stdout, "nvml")).toEqual([expect.stringMatching(/^fail +nvml +the driver and libnvidia-ml versions differ .*reboot/)]);
    expect(result.exitCode).toBe(1);
  });

  it("fails when a vLLM target is down", async () => {
    const down = `http://127.0.0.1:${await freePort()}`;
    const result = await runAgent(["doctor", "--vllm", down, ...QUIET, ...NO_NVML]);
    expect(lines(result.stdout, `vllm ${down}`)).toEqual([expect.stringMatching(/^fail +vllm \S+ +unreachable: .*ECONNREFUSED/)]);
    expect(result.exitCode).toBe(1);
  });

  it("reports vLLM up with the fixture and every expected metric present", async () => {
    const result = await runAgent(["doctor", "--vllm", vllm.url, ...QUIET, ...NO_NVML]);
    expect(lines(result.stdout, `vllm ${vllm.url}`)).toEqual([expect.stringMatching(/^ok +vllm \S+ +reachable, version unknown \(no \/version\), 11\/11 expected metrics present$/)]);
    expect(lines(result.stdout, "clock")).toEqual([expect.stringMatching(/^ok +clock +\S+; Date headers \(1 s resolution\): http:\/\/127.0.0.1:\d+ [+-]\d/)]);
    expect(result.exitCode).toBe(0);
  });

  it("names a renamed metric and shows the server's version", async () => {
    const body = (await Bun.file(FIXTURE_PATH).text()).replaceAll("vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc");
    // An older vLLM: /version answers, and the KV-cache gauge still has its V0 name.
    const server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: (request) => (new URL(request.url).pathname === "/version" ? Response.json({ version: "0.6.3.post1" }) : new Response(body)),
    });
    const url = `http://127.0.0.1:${server.port}`;
    try {
      const result = await runAgent(["doctor", "--vllm", url, ...QUIET, ...NO_NVML]);
      expect(lines(result.stdout, `vllm ${url}`)).toEqual([
        expect.stringMatching(/^ok +vllm \S+ +reachable, vLLM 0.6.3.post1, 10\/11 expected metrics present$/),
        expect.stringMatching(/^warn +vllm \S+ +renamed: vllm:gpu_cache_usage_perc instead of vllm:kv_cache_usage_perc/),
      ]);
      expect(result.exitCode).toBe(0);
    } finally {
      server.stop(true);
    }
  });

  it("fails when the listen port is taken, naming who holds it", async () => {
    const holder = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    try {
      const result = await runAgent(["doctor", "--no-vllm", "--listen", `127.0.0.1:${holder.port}`, ...NO_NVML]);
      expect(lines(result.stdout, "listen")).toEqual([expect.stringMatching(new RegExp(`^fail +listen +127.0.0.1:${holder.port} is in use by pid ${process.pid}`))]);
      expect(result.exitCode).toBe(1);
    } finally {
      holder.stop(true);
    }
  });

  it("checks that the OTLP collector accepts an export at its URL", async () => {
    await using receiver = startOtlpReceiver();
    const ok = await runAgent(["doctor", "--no-vllm", ...QUIET, ...NO_NVML, "--otlp", receiver.url]);
    expect(lines(ok.stdout, "otlp")).toEqual([expect.stringMatching(/^ok +otlp +http:\/\/127.0.0.1:\d+\/v1\/metrics accepted an empty http\/json export \(status 200\)$/)]);
    expect(ok.exitCode).toBe(0);
    expect(receiver.violations).toEqual([]);
    const wrongPath = await runAgent(["doctor", "--no-vllm", ...QUIET, ...NO_NVML, "--otlp", `${receiver.url}/otlp`]);
    expect(lines(wrongPath.stdout, "otlp")).toEqual([expect.stringMatching(/^fail +otlp +\S+ answered status 404: wrong path/)]);
    expect(wrongPath.exitCode).toBe(1);
  });
});
