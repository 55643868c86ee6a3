/**
 * Compiles the fake `libnvidia-ml.so.1` (fake-nvml.c) with gcc into
 * `.vigil-tmp/fake-nvml/` at the repo root, only when the source is newer than the
 * library, and returns the library's absolute path. Safe when several processes
 * build at once: each compiles to its own temp name and renames over the target.
 *
 * Example: `const lib = await buildFakeNvml(); startAgent(["--nvml-library", lib], { env: { VIGIL_FAKE_NVML_STATE: statePath } })`.
 */
import { mkdirSync, renameSync, rmSync, statSync } from "node:fs";

const ROOT = new URL("../..", import.meta.url).pathname;
const SOURCE = new URL("./fake-nvml.c", import.meta.url).pathname;

/** Thrown when gcc is missing or the fake does not compile. */
export class FakeNvmlBuildError extends Error {
  override readonly name = "FakeNvmlBuildError";
}

export interface BuildFakeNvmlOptions {
  /** Leave out the symbols newer drivers added (memory _v2, clock event reasons), like an R470 driver. */
  readonly legacy?: boolean;
}

/** Builds (if needed) and returns the absolute path of the fake libnvidia-ml.so.1. */
export async function buildFakeNvml(options: BuildFakeNvmlOptions = {}): Promise<string> {
  const dir = `${ROOT}.vigil-tmp/fake-nvml${options.legacy ? "/legacy" : ""}`;
  const target = `${dir}/libnvidia-ml.so.1`;
  if (mtimeMs(target) >= mtimeMs(SOURCE) && mtimeMs(target) >= mtimeMs(import.meta.path)) return target;
  mkdirSync(dir, { recursive: true });
  const temp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  const args = ["gcc", "-O2", "-Wall", "-Wextra", "-shared", "-fPIC", "-fvisibility=hidden", "-Wl,-soname,libnvidia-ml.so.1"];
  if (options.legacy) args.push("-DFAKE_NVML_LEGACY");
  args.push("-o", temp, SOURCE, "-lpthread");
  let proc;
  try {
    proc = Bun.spawn(args, { stdout: "pipe", stderr: "pipe" });
  } catch (error) {
    throw new FakeNvmlBuildError(`Cannot build the fake NVML library: gcc could not be started (${(error as Error).message})`, { cause: error });
  }
  const [stderr, exitCode] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
  if (exitCode !== 0) {
    rmSync(temp, { force: true });
    throw new FakeNvmlBuildError(`Cannot build the fake NVML library ${target}: gcc exited with ${exitCode}\n${stderr}`);
  }
  renameSync(temp, target);
  return target;
}

function mtimeMs(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    // Missing file: treat as infinitely old so it gets built.
    return -1;
  }
}
