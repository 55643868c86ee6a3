import { defineConfig } from "vitest/config";

// Run with `bun --bun vitest run --pool=threads` (the forks pool breaks under Bun).
export default defineConfig({
  test: {
    root: new URL("..", import.meta.url).pathname,
    include: ["agent/**/*.test.ts", "loadtest/**/*.test.ts", "test/**/*.test.ts", "scripts/**/*.test.ts"],
    // Builds dist/vigil-agent once, so integration tests run the binary an operator copies.
    globalSetup: ["test/global-setup.ts"],
    pool: "threads",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests start real processes; a few at a time suits a 2-core machine.
    maxWorkers: 2,
  },
});
