/** The agent's version: baked in by scripts/build-agent.ts (`--define`), else the package version + "-dev". */
import pkg from "../package.json" with { type: "json" };

declare const VIGIL_BUILD_VERSION: string | undefined;

export const VERSION: string = typeof VIGIL_BUILD_VERSION === "string" ? VIGIL_BUILD_VERSION : `${pkg.version}-dev`;
