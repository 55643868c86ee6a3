import { describe, expect, it } from "vitest";
import { withLabel } from "./add-label.ts";
import type { MetricFamily } from "./family.ts";
import { parseExposition } from "./parse-exposition.ts";
import { writeTextExposition } from "./write-exposition.ts";

const families: MetricFamily[] = parseExposition(
  [
    "# HELP vllm:e2e_request_latency_seconds Latency.",
    "# TYPE vllm:e2e_request_latency_seconds histogram",
    'vllm:e2e_request_latency_seconds_bucket{engine="0",le="+Inf",model_name="m"} 2',
    'vllm:e2e_request_latency_seconds_count{engine="0",model_name="m"} 2',
    "# TYPE up gauge",
    "up 1",
    "# TYPE empty counter",
    "",
  ].join("\n"),
);

describe("withLabel()", () => {
  it("withLabel() adds the label last to every sample", () => {
    const labelled = withLabel(families, "target", "127.0.0.1:8000");
    expect(labelled.flatMap((f) => f.samples.map((s) => Object.entries(s.labels)))).toEqual([
      [["engine", "0"], ["le", "+Inf"], ["model_name", "m"], ["target", "127.0.0.1:8000"]],
      [["engine", "0"], ["model_name", "m"], ["target", "127.0.0.1:8000"]],
      [["target", "127.0.0.1:8000"]],
    ]);
    expect(writeTextExposition(labelled)).toContain('vllm:e2e_request_latency_seconds_bucket{engine="0",le="+Inf",model_name="m",target="127.0.0.1:8000"} 2\n');
  });

  it("withLabel() keeps names, help, types, values and families without samples", () => {
    const labelled = withLabel(families, "target", "a");
    expect(labelled.map(({ name, help, type }) => ({ name, help, type }))).toEqual(families.map(({ name, help, type }) => ({ name, help, type })));
    expect(labelled.flatMap((f) => f.samples.map((s) => [s.name, s.value]))).toEqual(families.flatMap((f) => f.samples.map((s) => [s.name, s.value])));
    expect(labelled.at(-1)).toEqual({ name: "empty", help: "", type: "counter", samples: [] });
  });

  it("withLabel() replaces an existing label of that name and moves it last", () => {
    const [family] = withLabel(parseExposition('x{target="old",a="1"} 1\n'), "target", "new");
    expect(Object.entries(family?.samples[0]?.labels ?? {})).toEqual([
      ["a", "1"],
      ["target", "new"],
    ]);
  });

  it("withLabel() keeps timestamps", () => {
    const [family] = withLabel(parseExposition("x 1 1700000000000\n"), "t", "v");
    expect(family?.samples[0]).toEqual({ name: "x", labels: { t: "v" }, value: 1, timestampMs: 1700000000000 });
  });

  it("withLabel() does not change its input", () => {
    const copy = structuredClone(families);
    withLabel(families, "target", "a");
    expect(families).toEqual(copy);
  });

  it.each(["", "1abc", "a-b", "a:b", "with space"])("withLabel() rejects the label name %j with a TypeError", (name) => {
    expect(() => withLabel(families, name, "v")).toThrow(TypeError);
  });
});
