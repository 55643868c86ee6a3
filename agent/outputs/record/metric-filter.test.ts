import { describe, expect, it } from "vitest";
import { metricFilter } from "./metric-filter.ts";

describe("metricFilter()", () => {
  it.each([
    [[], "anything", true],
    [["node_cpu_*"], "node_cpu_seconds_total", true],
    [["node_cpu_*"], "node_memory_MemFree_bytes", false],
    [["vllm:*"], "vllm:num_requests_running", true],
    [["node_load?"], "node_load1", true],
    [["node_load?"], "node_load15", false],
    [["vllm:kv_cache_usage_perc", "node_load1"], "node_load1", true],
  ] as const)("%j accepts %s: %s", (globs, family, expected) => {
    expect(metricFilter(globs)(family)).toBe(expected);
  });
});
