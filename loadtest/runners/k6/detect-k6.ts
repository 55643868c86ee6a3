/**
 * Finds k6 on PATH and what it can do: `k6 version` prints the version on its first line and, for a
 * binary built with xk6, an `Extensions:` list; xk6-sse shows as `github.com/phymbert/xk6-sse ..., k6/x/sse [js]`.
 */

/** What `k6 version` said. */
export interface K6Binary {
  /** Path or name run (`k6`). */
  readonly command: string;
  /** `v1.3.0`, or the first line when it has no version. */
  readonly version: string;
  /** The binary has the xk6-sse extension (`k6/x/sse`): the script can stream. */
  readonly sse: boolean;
}

/** Parses `k6 version` output. Pure. */
export function parseK6Version(output: string, command: string): K6Binary {
  const firstLine = output.split("\n", 1)[0]?.trim() ?? "";
  const version = /\bv\d+\.\d+\.\d+[\w.+-]*/.exec(firstLine)?.[0] ?? firstLine;
  return { command, version, sse: /xk6-sse|k6\/x\/sse\b/.test(output) };
}

/** Runs `k6 version`; null when k6 is not on PATH or does not answer. */
export async function detectK6(command = "k6", env: Readonly<Record<string, string | undefined>> = process.env): Promise<K6Binary | null> {
  const path = Bun.which(command, { PATH: env.PATH ?? "" });
  if (path === null) return null;
  try {
    const child = Bun.spawn([path, "version"], { stdout: "pipe", stderr: "pipe", env: { ...env } });
    const timer = setTimeout(() => child.kill(), 10_000);
    const [output, exitCode] = await Promise.all([new Response(child.stdout).text(), child.exited]);
    clearTimeout(timer);
    return exitCode === 0 ? parseK6Version(output, path) : null;
  } catch {
    return null;
  }
}
