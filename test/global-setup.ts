/**
 * Builds the compiled agent once per test run (dist/vigil-agent), so every
 * integration test runs the binary an operator would copy, not the sources.
 */
export default async function setup(): Promise<void> {
  const root = new URL("..", import.meta.url).pathname;
  const build = Bun.spawnSync([process.execPath, `${root}scripts/build-agent.ts`], { cwd: root, stdout: "pipe", stderr: "pipe" });
  if (build.exitCode !== 0) {
    throw new Error(`Cannot build the agent for the tests: ${build.stderr.toString()}${build.stdout.toString()}`);
  }
}
