import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Labels, MetricFamily, MetricSample, MetricType } from "./family.ts";
import { parseExposition } from "./parse-exposition.ts";
import { OPENMETRICS_CONTENT_TYPE, TEXT_CONTENT_TYPE, writeOpenMetrics, writeTextExposition } from "./write-exposition.ts";

const FIXTURE = readFileSync(new URL("../../../shared/fixtures/vllm-metrics-v1.txt", import.meta.url), "utf8");

const sample = (name: string, labels: Labels, value: number, timestampMs?: number): MetricSample =>
  timestampMs === undefined ? { name, labels, value } : { name, labels, value, timestampMs };
const family = (name: string, type: MetricType, samples: MetricSample[], help = "", unit?: string): MetricFamily =>
  unit === undefined ? { name, help, type, samples } : { name, help, type, unit, samples };

/** Samples as comparable strings, NaN included, independent of family grouping. */
const sampleSet = (families: readonly MetricFamily[]): string[] =>
  families.flatMap((f) => f.samples.map((s) => `${s.name} ${JSON.stringify(s.labels)} ${String(s.value)} ${s.timestampMs ?? ""}`)).sort();

describe("content types", () => {
  it("TEXT_CONTENT_TYPE and OPENMETRICS_CONTENT_TYPE name the formats and versions written", () => {
    expect(TEXT_CONTENT_TYPE).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(OPENMETRICS_CONTENT_TYPE).toBe("application/openmetrics-text; version=1.0.0; charset=utf-8");
  });
});

describe("writeTextExposition()", () => {
  const cases: [string, MetricFamily[], string][] = [
    ["a gauge without labels", [family("up", "gauge", [sample("up", {}, 1)], "Up.")], "# HELP up Up.\n# TYPE up gauge\nup 1\n"],
    [
      "labels in order, values escaped",
      [family("x", "gauge", [sample("x", { b: 'say "hi"', a: "back\\slash\nnext" }, 2)])],
      '# TYPE x gauge\nx{b="say \\"hi\\"",a="back\\\\slash\\nnext"} 2\n',
    ],
    [
      "HELP escaping only \\ and newline",
      [family("h", "gauge", [], 'a\\b\nc "q"')],
      '# HELP h a\\\\b\\nc "q"\n# TYPE h gauge\n',
    ],
    [
      "special and large values",
      [
        family("v", "untyped", [
          sample("v", { i: "1" }, Number.NaN),
          sample("v", { i: "2" }, Number.POSITIVE_INFINITY),
          sample("v", { i: "3" }, Number.NEGATIVE_INFINITY),
          sample("v", { i: "4" }, 24073863168),
          sample("v", { i: "5" }, 1.5e-7),
          sample("v", { i: "6" }, 1e21),
          sample("v", { i: "7" }, -0.25),
          sample("v", { i: "8" }, 999999999999999),
        ]),
      ],
      '# TYPE v untyped\nv{i="1"} NaN\nv{i="2"} +Inf\nv{i="3"} -Inf\nv{i="4"} 24073863168\nv{i="5"} 1.5e-7\nv{i="6"} 1e+21\nv{i="7"} -0.25\nv{i="8"} 999999999999999\n',
    ],
    [
      "timestamps as int64 milliseconds, only when set and representable",
      [family("t", "gauge", [sample("t", {}, 1, 1700000000123), sample("t", { a: "b" }, 2), sample("t", {}, 3, 1.6), sample("t", {}, 4, 7.9e24)])],
      '# TYPE t gauge\nt 1 1700000000123\nt{a="b"} 2\nt 3 2\nt 4\n',
    ],
    ["a family with no samples", [family("e", "counter", [], "Empty.")], "# HELP e Empty.\n# TYPE e counter\n"],
    [
      "OpenMetrics-only types as their nearest text types",
      [
        family("i", "info", [sample("i_info", { v: "1" }, 1)]),
        family("st", "stateset", [sample("st", { st: "a" }, 1)]),
        family("g", "gaugehistogram", [sample("g_bucket", { le: "+Inf" }, 3), sample("g_gcount", {}, 3), sample("g_gsum", {}, 9)]),
      ],
      '# TYPE i_info gauge\ni_info{v="1"} 1\n# TYPE st gauge\nst{st="a"} 1\n# TYPE g histogram\ng_bucket{le="+Inf"} 3\ng_count 3\ng_sum 9\n',
    ],
    [
      "an OpenMetrics counter as Python's client writes it in text: x_total, then an x_created gauge",
      [family("c", "counter", [sample("c_total", { a: "1" }, 5), sample("c_created", { a: "1" }, 1.7e9)], "Things.")],
      '# HELP c_total Things.\n# TYPE c_total counter\nc_total{a="1"} 5\n# HELP c_created Things.\n# TYPE c_created gauge\nc_created{a="1"} 1700000000\n',
    ],
    [
      "a histogram's _created samples split into their own gauge family",
      [family("h", "histogram", [sample("h_bucket", { le: "+Inf" }, 1), sample("h_count", {}, 1), sample("h_sum", {}, 2), sample("h_created", {}, 3)])],
      '# TYPE h histogram\nh_bucket{le="+Inf"} 1\nh_count 1\nh_sum 2\n# TYPE h_created gauge\nh_created 3\n',
    ],
    [
      "a later family whose name was already written is dropped",
      [family("d", "gauge", [sample("d", {}, 1)]), family("d", "gauge", [sample("d", {}, 2)]), family("hs", "histogram", [sample("hs_sum", {}, 1)]), family("hs_sum", "gauge", [sample("hs_sum", {}, 9)])],
      "# TYPE d gauge\nd 1\n# TYPE hs histogram\nhs_sum 1\n",
    ],
  ];

  it.each(cases)("writeTextExposition() renders %s", (_name, families, expected) => {
    expect(writeTextExposition(families)).toBe(expected);
  });

  it("writeTextExposition() does not change its input", () => {
    const families = [family("c", "counter", [sample("c_total", { a: "1" }, 5), sample("c_created", { a: "1" }, 1.7e9)])];
    const copy = structuredClone(families);
    writeTextExposition(families);
    expect(families).toEqual(copy);
  });

  it("writeTextExposition() round-trips the vLLM fixture through parseExposition()", () => {
    const parsed = parseExposition(FIXTURE);
    expect(parseExposition(writeTextExposition(parsed))).toEqual(parsed);
  });

  const hasPromtool = spawnSync("promtool", ["--version"]).error === undefined;
  it.skipIf(!hasPromtool && process.env.CI !== "true")("writeTextExposition() output of the vLLM fixture passes promtool check metrics", () => {
    if (!hasPromtool) throw new Error("promtool not found: run scripts/setup-test-deps.sh");
    const result = spawnSync("promtool", ["check", "metrics"], { input: writeTextExposition(parseExposition(FIXTURE)), encoding: "utf8" });
    // 0: clean, 3: lint findings only (vLLM's `vllm:` names), 1: a parse error (agent-anchors §2.5).
    expect(result.status, result.stdout + result.stderr).not.toBe(1);
    expect([0, 3]).toContain(result.status);
  });
});

describe("writeOpenMetrics()", () => {
  const cases: [string, MetricFamily[], string][] = [
    ["a counter named without _total, its samples with it", [family("jobs_total", "counter", [sample("jobs_total", {}, 3)], "Jobs.")], "# TYPE jobs counter\n# HELP jobs Jobs.\njobs_total 3\n# EOF\n"],
    ["_total added to a counter sample that lacks it", [family("n", "counter", [sample("n", { a: "x" }, 1)])], '# TYPE n counter\nn_total{a="x"} 1\n# EOF\n'],
    ["untyped as unknown", [family("u", "untyped", [sample("u", {}, 1)])], "# TYPE u unknown\nu 1\n# EOF\n"],
    [
      "UNIT only when the name ends in it",
      [family("busy_seconds_total", "counter", [], "", "seconds"), family("temp", "gauge", [], "", "celsius")],
      "# TYPE busy_seconds counter\n# UNIT busy_seconds seconds\n# TYPE temp gauge\n# EOF\n",
    ],
    ["timestamps in seconds", [family("t", "gauge", [sample("t", {}, 1, 1520879607789)])], "# TYPE t gauge\nt 1 1520879607.789\n# EOF\n"],
    ["HELP escaping \\, newline and \"", [family("h", "gauge", [], 'a\\b\nc "q"')], '# TYPE h gauge\n# HELP h a\\\\b\\nc \\"q\\"\n# EOF\n'],
    ["an info family named with _info", [family("build_info", "info", [sample("build_info", { v: "1" }, 1)])], '# TYPE build info\nbuild_info{v="1"} 1\n# EOF\n'],
    [
      "a vLLM-style X_created gauge folded into counter X_total, after each MetricPoint",
      [
        family("r_total", "counter", [sample("r_total", { k: "a" }, 1), sample("r_total", { k: "b" }, 2)], "R."),
        family("r_created", "gauge", [sample("r_created", { k: "b" }, 20), sample("r_created", { k: "a" }, 10)], "R."),
      ],
      '# TYPE r counter\n# HELP r R.\nr_total{k="a"} 1\nr_created{k="a"} 10\nr_total{k="b"} 2\nr_created{k="b"} 20\n# EOF\n',
    ],
    [
      "a histogram's X_created gauge folded in after each point's buckets, count and sum",
      [
        family("h", "histogram", [
          sample("h_bucket", { m: "a", le: "1.0" }, 1),
          sample("h_bucket", { m: "a", le: "+Inf" }, 2),
          sample("h_count", { m: "a" }, 2),
          sample("h_sum", { m: "a" }, 3),
          sample("h_bucket", { m: "b", le: "+Inf" }, 0),
          sample("h_count", { m: "b" }, 0),
          sample("h_sum", { m: "b" }, 0),
        ]),
        family("h_created", "gauge", [sample("h_created", { m: "a" }, 7), sample("h_created", { m: "b" }, 8)]),
      ],
      [
        "# TYPE h histogram",
        'h_bucket{m="a",le="1.0"} 1',
        'h_bucket{m="a",le="+Inf"} 2',
        'h_count{m="a"} 2',
        'h_sum{m="a"} 3',
        'h_created{m="a"} 7',
        'h_bucket{m="b",le="+Inf"} 0',
        'h_count{m="b"} 0',
        'h_sum{m="b"} 0',
        'h_created{m="b"} 8',
        "# EOF",
        "",
      ].join("\n"),
    ],
    [
      "a summary's created gauge folded in after its quantiles",
      [family("s", "summary", [sample("s", { quantile: "0.5" }, 1), sample("s_sum", {}, 2), sample("s_count", {}, 3)]), family("s_created", "gauge", [sample("s_created", {}, 4)])],
      '# TYPE s summary\ns{quantile="0.5"} 1\ns_sum 2\ns_count 3\ns_created 4\n# EOF\n',
    ],
    [
      "colliding families, the later dropped",
      [
        family("c", "counter", [sample("c_total", {}, 1), sample("c_created", {}, 5)]),
        family("c_created", "gauge", [sample("c_created", {}, 5)]),
        family("c_total", "gauge", [sample("c_total", {}, 2)]),
        family("g", "gauge", [sample("g", {}, 1)]),
        family("g", "counter", [sample("g_total", {}, 1)]),
        family("z_sum", "gauge", [sample("z_sum", {}, 1)]),
        family("z", "summary", [sample("z_sum", {}, 1)]),
      ],
      "# TYPE c counter\nc_total 1\nc_created 5\n# TYPE g gauge\ng 1\n# TYPE z_sum gauge\nz_sum 1\n# EOF\n",
    ],
    ["no families", [], "# EOF\n"],
  ];

  it.each(cases)("writeOpenMetrics() renders %s", (_name, families, expected) => {
    expect(writeOpenMetrics(families)).toBe(expected);
  });

  it("writeOpenMetrics() output of the vLLM fixture parses back to the same samples, counters grouped and _created folded", () => {
    const parsed = parseExposition(FIXTURE);
    const body = writeOpenMetrics(parsed);
    expect(body.endsWith("\n# EOF\n")).toBe(true);
    const reparsed = parseExposition(body);
    expect(sampleSet(reparsed)).toEqual(sampleSet(parsed));
    expect(reparsed.filter((f) => f.name.endsWith("_created"))).toEqual([]);
    const prompt = reparsed.find((f) => f.name === "vllm:prompt_tokens");
    expect(prompt?.type).toBe("counter");
    expect(prompt?.samples.map((s) => s.name)).toEqual(["vllm:prompt_tokens_total", "vllm:prompt_tokens_created"]);
    const ttft = reparsed.find((f) => f.name === "vllm:time_to_first_token_seconds");
    expect(ttft?.samples.at(-1)?.name).toBe("vllm:time_to_first_token_seconds_created");
    const types = new Map(parsed.map((f) => [f.name, f.type]));
    for (const f of reparsed) expect(f.type, f.name).toBe(types.get(f.name) ?? types.get(`${f.name}_total`));
  });

  it("writeOpenMetrics() then writeTextExposition() gives back the fixture's text families", () => {
    const parsed = parseExposition(FIXTURE);
    expect(parseExposition(writeTextExposition(parseExposition(writeOpenMetrics(parsed))))).toEqual(parsed);
  });
});
