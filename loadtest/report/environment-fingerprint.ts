/** Collects the environment fingerprint (I/O at the edge): harness, git, Bun, host, and the target's own /v1/models and /version. */
import os from "node:os";
import { VERSION } from "../../agent/version.ts";
import type { EnvironmentFingerprint, TargetFingerprint } from "./report-types.ts";

/** Fetches the target's self-description; each failure becomes a line in `errors`, never an exception. */
export async function fingerprintTarget(url: string, options: { readonly fetch?: typeof fetch; readonly headers?: Readonly<Record<string, string>>; readonly timeoutMs?: number } = {}): Promise<TargetFingerprint> {
  const doFetch = options.fetch ?? fetch;
  const errors: string[] = [];
  const get = async (path: string): Promise<unknown> => {
    try {
      const response = await doFetch(url + path, { headers: options.headers, signal: AbortSignal.timeout(options.timeoutMs ?? 3000) });
      if (!response.ok) {
        errors.push(`GET ${url}${path}: status ${response.status}`);
        await response.body?.cancel();
        return null;
      }
      return await response.json();
    } catch (error) {
      errors.push(`GET ${url}${path}: ${(error as Error).message}`);
      return null;
    }
  };
  const [models, version] = await Promise.all([get("/v1/models"), get("/version")]);
  return { url, models, version, errors };
}

/** git HEAD and dirtiness of the harness checkout, null outside git. */
function gitState(cwd: string): { commit: string | null; dirty: boolean | null } {
  try {
    const head = Bun.spawnSync(["git", "rev-parse", "HEAD"], { cwd, stdout: "pipe", stderr: "pipe" });
    if (head.exitCode !== 0) return { commit: null, dirty: null };
    const status = Bun.spawnSync(["git", "status", "--porcelain", "--untracked-files=no"], { cwd, stdout: "pipe", stderr: "pipe" });
    return { commit: head.stdout.toString().trim(), dirty: status.exitCode === 0 ? status.stdout.toString().trim() !== "" : null };
  } catch (error) {
    // No git binary: the fingerprint says "unknown" rather than failing the run.
    void error;
    return { commit: null, dirty: null };
  }
}

/** The whole fingerprint. */
export async function fingerprintEnvironment(target: TargetFingerprint, options: { readonly cwd?: string } = {}): Promise<EnvironmentFingerprint> {
  const git = gitState(options.cwd ?? new URL("../..", import.meta.url).pathname);
  const cpus = os.cpus();
  return {
    harnessVersion: VERSION,
    gitCommit: git.commit,
    gitDirty: git.dirty,
    bunVersion: Bun.version,
    platform: process.platform,
    arch: process.arch,
    host: os.hostname(),
    cpuCount: cpus.length,
    cpuModel: cpus[0]?.model ?? "unknown",
    memoryTotalBytes: os.totalmem(),
    target,
  };
}
