/**
 * Builds the agent into one self-contained binary: `bun run build:agent` -> dist/vigil-agent.
 * The version (package version + git commit) is baked in; the binary reads no .env
 * or bunfig.toml from wherever an operator happens to start it.
 */
import { existsSync, renameSync } from "node:fs";
import pkg from "../package.json" with { type: "json" };

const root = new URL("..", import.meta.url).pathname;
const outfile = process.argv[2] ?? `${root}dist/vigil-agent`;

const commit = Bun.spawnSync(["git", "rev-parse", "--short=12", "HEAD"], { cwd: root, stderr: "ignore" });
const sha = commit.exitCode === 0 ? commit.stdout.toString().trim() : "";
const version = sha ? `${pkg.version}+${sha}` : pkg.version;

const partial = `${outfile}.partial-${process.pid}`;
const build = Bun.spawnSync(
  [
    // The GPU source's Worker is a second entry point, or the compiled binary would not contain it. Entry points
    // stay under agent/: the binary finds the worker at /$bunfs/root/gpu/xid-worker.ts (agent/gpu/xid-worker-client.ts).
    process.execPath, "build", `${root}agent/main.ts`, `${root}agent/gpu/xid-worker.ts`,
    "--compile", "--minify", "--sourcemap=inline",
    "--no-compile-autoload-dotenv", "--no-compile-autoload-bunfig",
    "--define", `VIGIL_BUILD_VERSION=${JSON.stringify(version)}`,
    // Build beside the target and rename: concurrent builds (parallel test runs) never leave a torn or busy binary.
    "--outfile", partial,
  ],
  { cwd: root, stdout: "inherit", stderr: "inherit" },
);
if (build.exitCode !== 0) {
  process.stderr.write(`build-agent: bun build failed with exit code ${build.exitCode}\n`);
  process.exit(1);
}
renameSync(partial, outfile);
if (existsSync(`${partial}.map`)) renameSync(`${partial}.map`, `${outfile}.map`);
process.stdout.write(`built ${outfile} (vigil-agent ${version})\n`);
