import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Labels, MetricFamily, MetricSample } from "./family.ts";
import { ExpositionParseError, SeriesLimitError, parseExposition } from "./parse-exposition.ts";
import { SeriesCache } from "./series-cache.ts";

const FIXTURE = readFileSync(new URL("../../../shared/fixtures/vllm-metrics-v1.txt", import.meta.url), "utf8");
const EXPECTED = JSON.parse(readFileSync(new URL("../../../shared/fixtures/vllm-metrics-v1.expected.json", import.meta.url), "utf8")) as {
  family_types: Record<string, string>;
  samples: Record<string, number>;
};

const sample = (name: string, labels: Labels, value: number, timestampMs?: number): MetricSample =>
  timestampMs === undefined ? { name, labels, value } : { name, labels, value, timestampMs };

/** `name{a="x",b="y"}` with labels in parsed order: the key format of the fixture's ground truth. */
function seriesKey(s: MetricSample): string {
  const labels = Object.entries(s.labels).map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`);
  return labels.length === 0 ? s.name : `${s.name}{${labels.join(",")}}`;
}

const allSamples = (families: readonly MetricFamily[]): MetricSample[] => families.flatMap((f) => f.samples);

describe("parseExposition() reads valid expositions", () => {
  const cases: [string, string, MetricFamily[]][] = [
    [
      "a gauge with HELP and TYPE",
      "# HELP up Whether the target is up.\n# TYPE up gauge\nup 1\n",
      [{ name: "up", help: "Whether the target is up.", type: "gauge", samples: [sample("up", {}, 1)] }],
    ],
    [
      "HELP escapes \\\\ and \\n (and OpenMetrics' \\\")",
      '# HELP x a\\\\b\\nc \\"q\\" \\t\n# TYPE x gauge\nx 0\n',
      [{ name: "x", help: 'a\\b\nc "q" \\t', type: "gauge", samples: [sample("x", {}, 0)] }],
    ],
    [
      "label value escapes",
      'x{a="back\\\\slash",b="say \\"hi\\"",c="two\\nlines"} 1\n',
      [{ name: "x", help: "", type: "untyped", samples: [sample("x", { a: "back\\slash", b: 'say "hi"', c: "two\nlines" }, 1)] }],
    ],
    [
      "} , = and spaces inside quoted label values",
      'x{path="/a{b}",q="k=v, w",s=" pad "} 2\n',
      [{ name: "x", help: "", type: "untyped", samples: [sample("x", { path: "/a{b}", q: "k=v, w", s: " pad " }, 2)] }],
    ],
    [
      "spaces around labels and a trailing comma",
      'x { a = "1" , b="2", } 3\nx{} 4\n',
      [{ name: "x", help: "", type: "untyped", samples: [sample("x", { a: "1", b: "2" }, 3), sample("x", {}, 4)] }],
    ],
    [
      "values as Go's ParseFloat reads them",
      "v{i=\"1\"} NaN\nv{i=\"2\"} +Inf\nv{i=\"3\"} -Inf\nv{i=\"4\"} Inf\nv{i=\"5\"} 2.4073863168e+010\nv{i=\"6\"} 1.5E-3\nv{i=\"7\"} -0.5\nv{i=\"8\"} .5\nv{i=\"9\"} 1e3\n",
      [
        {
          name: "v",
          help: "",
          type: "untyped",
          samples: [
            sample("v", { i: "1" }, Number.NaN),
            sample("v", { i: "2" }, Number.POSITIVE_INFINITY),
            sample("v", { i: "3" }, Number.NEGATIVE_INFINITY),
            sample("v", { i: "4" }, Number.POSITIVE_INFINITY),
            sample("v", { i: "5" }, 24073863168),
            sample("v", { i: "6" }, 0.0015),
            sample("v", { i: "7" }, -0.5),
            sample("v", { i: "8" }, 0.5),
            sample("v", { i: "9" }, 1000),
          ],
        },
      ],
    ],
    [
      "an optional timestamp in milliseconds",
      "# TYPE t gauge\nt 1 1700000000123\nt{a=\"b\"} 2  -5\nt 3 +7\n",
      [{ name: "t", help: "", type: "gauge", samples: [sample("t", {}, 1, 1700000000123), sample("t", { a: "b" }, 2, -5), sample("t", {}, 3, 7)] }],
    ],
    [
      "names with colons",
      "# TYPE vllm:num_requests_running gauge\nvllm:num_requests_running{engine=\"0\"} 4\n",
      [{ name: "vllm:num_requests_running", help: "", type: "gauge", samples: [sample("vllm:num_requests_running", { engine: "0" }, 4)] }],
    ],
    [
      "samples without # TYPE become untyped families named after the sample",
      "a_bucket{le=\"1\"} 1\na_sum 2\n",
      [
        { name: "a_bucket", help: "", type: "untyped", samples: [sample("a_bucket", { le: "1" }, 1)] },
        { name: "a_sum", help: "", type: "untyped", samples: [sample("a_sum", {}, 2)] },
      ],
    ],
    [
      "histogram samples in any order, labels kept per sample",
      [
        "# TYPE h histogram",
        'h_count{m="a"} 3',
        'h_bucket{m="a",le="1"} 1',
        'h_bucket{m="b",le="1"} 0',
        'h_bucket{m="a",le="+Inf"} 3',
        'h_sum{m="a"} 4.5',
        'h_bucket{m="b",le="+Inf"} 2',
        'h_created{m="a"} 1.7e9',
        "",
      ].join("\n"),
      [
        {
          name: "h",
          help: "",
          type: "histogram",
          samples: [
            sample("h_count", { m: "a" }, 3),
            sample("h_bucket", { m: "a", le: "1" }, 1),
            sample("h_bucket", { m: "b", le: "1" }, 0),
            sample("h_bucket", { m: "a", le: "+Inf" }, 3),
            sample("h_sum", { m: "a" }, 4.5),
            sample("h_bucket", { m: "b", le: "+Inf" }, 2),
            sample("h_created", { m: "a" }, 1.7e9),
          ],
        },
      ],
    ],
    [
      "summary quantiles, _sum, _count and _created",
      '# TYPE s summary\ns{quantile="0.5"} 1\ns{quantile="0.99"} NaN\ns_sum 10\ns_count 4\ns_created 1.5e9\n',
      [
        {
          name: "s",
          help: "",
          type: "summary",
          samples: [
            sample("s", { quantile: "0.5" }, 1),
            sample("s", { quantile: "0.99" }, Number.NaN),
            sample("s_sum", {}, 10),
            sample("s_count", {}, 4),
            sample("s_created", {}, 1.5e9),
          ],
        },
      ],
    ],
    [
      "a text 0.0.4 counter with an undeclared _created beside it",
      "# TYPE c_total counter\nc_total 5\nc_created 1.7e9\n",
      [{ name: "c_total", help: "", type: "counter", samples: [sample("c_total", {}, 5), sample("c_created", {}, 1.7e9)] }],
    ],
    [
      "vLLM's separately declared X_created gauge stays its own family",
      "# TYPE r_total counter\nr_total 1\n# TYPE r_created gauge\nr_created 1.7e9\n",
      [
        { name: "r_total", help: "", type: "counter", samples: [sample("r_total", {}, 1)] },
        { name: "r_created", help: "", type: "gauge", samples: [sample("r_created", {}, 1.7e9)] },
      ],
    ],
    [
      "OpenMetrics: UNIT, _total and _created under a counter, exemplars, timestamps in seconds, EOF",
      [
        "# TYPE req_seconds counter",
        "# UNIT req_seconds seconds",
        "# HELP req_seconds Time spent.",
        'req_seconds_total{a="x"} 17.5 1520879607.789 # {trace_id="KOO5S4vxi0o"} 0.67',
        'req_seconds_created{a="x"} 1520430000.123',
        "# TYPE foo histogram",
        'foo_bucket{le="0.1"} 8 # {} 0.054',
        'foo_bucket{le="+Inf"} 17 # {trace_id="oHg5SJYRHA0"} 9.8 1520879607.789',
        "foo_count 17",
        "foo_sum 324789.3",
        "# TYPE i info",
        'i_info{version="1"} 1',
        "# TYPE g gaugehistogram",
        'g_bucket{le="+Inf"} 3',
        "g_gcount 3",
        "g_gsum 9",
        "# TYPE st stateset",
        'st{st="a"} 1',
        "# TYPE u unknown",
        "u 1",
        "# EOF",
        "",
      ].join("\n"),
      [
        {
          name: "req_seconds",
          help: "Time spent.",
          type: "counter",
          unit: "seconds",
          samples: [sample("req_seconds_total", { a: "x" }, 17.5, 1520879607789), sample("req_seconds_created", { a: "x" }, 1520430000.123)],
        },
        {
          name: "foo",
          help: "",
          type: "histogram",
          samples: [sample("foo_bucket", { le: "0.1" }, 8), sample("foo_bucket", { le: "+Inf" }, 17), sample("foo_count", {}, 17), sample("foo_sum", {}, 324789.3)],
        },
        { name: "i", help: "", type: "info", samples: [sample("i_info", { version: "1" }, 1)] },
        { name: "g", help: "", type: "gaugehistogram", samples: [sample("g_bucket", { le: "+Inf" }, 3), sample("g_gcount", {}, 3), sample("g_gsum", {}, 9)] },
        { name: "st", help: "", type: "stateset", samples: [sample("st", { st: "a" }, 1)] },
        { name: "u", help: "", type: "untyped", samples: [sample("u", {}, 1)] },
      ],
    ],
    [
      "blank lines, other comments and \\r\\n",
      "# a comment\r\n\r\n   \r\n# some other comment, ignored\r\n# HELP y why\r\n# TYPE y gauge\r\ny{a=\"1\"} 7\r\n",
      [{ name: "y", help: "why", type: "gauge", samples: [sample("y", { a: "1" }, 7)] }],
    ],
    [
      "a family with HELP and TYPE but no samples",
      "# HELP e Empty.\n# TYPE e counter\n# TYPE f gauge\nf 1\n",
      [
        { name: "e", help: "Empty.", type: "counter", samples: [] },
        { name: "f", help: "", type: "gauge", samples: [sample("f", {}, 1)] },
      ],
    ],
    [
      "family order is first appearance; samples of a family stay in input order across interleaving",
      "# TYPE b gauge\n# TYPE a histogram\nb 1\na_sum 2\nb{x=\"2\"} 3\na_count 1\n",
      [
        { name: "b", help: "", type: "gauge", samples: [sample("b", {}, 1), sample("b", { x: "2" }, 3)] },
        { name: "a", help: "", type: "histogram", samples: [sample("a_sum", {}, 2), sample("a_count", {}, 1)] },
      ],
    ],
    [
      "# EOF in the middle of a text 0.0.4 body as a comment",
      "a 1\n# EOF\nb 2\n",
      [
        { name: "a", help: "", type: "untyped", samples: [sample("a", {}, 1)] },
        { name: "b", help: "", type: "untyped", samples: [sample("b", {}, 2)] },
      ],
    ],
    ["an empty body", "", []],
    ["a body with no trailing newline", "z 1", [{ name: "z", help: "", type: "untyped", samples: [sample("z", {}, 1)] }]],
  ];

  it.each(cases)("parseExposition() reads %s", (_name, input, expected) => {
    expect(parseExposition(input)).toEqual(expected);
  });

  it.each(cases)("parseExposition() reads %s the same from a warm series cache", (_name, input, expected) => {
    const seriesCache = new SeriesCache(1000);
    expect(parseExposition(input, { seriesCache })).toEqual(expected);
    expect(parseExposition(input, { seriesCache })).toEqual(expected);
  });

  it("parseExposition() keeps a label named __proto__ as a plain label", () => {
    const [family] = parseExposition('x{__proto__="p",a="1"} 1\n');
    expect(Object.keys(family?.samples[0]?.labels ?? {})).toEqual(["__proto__", "a"]);
    expect(Object.getPrototypeOf(family?.samples[0]?.labels)).toBe(Object.prototype);
  });
});

describe("parseExposition() rejects malformed lines", () => {
  const cases: [string, string, number, string][] = [
    ["a label set with no closing brace", 'foo{a="1" 1', 1, "expected ',' or '}' after the value of label 'a'"],
    ["an unquoted label value", "foo{a=1} 1", 1, "expected '\"' to open the value of label 'a'"],
    ["an unterminated quote", 'foo{a="1} 1', 1, "unterminated quoted value of label 'a'"],
    ["an escaped quote that leaves the value open", 'foo{a="1\\"} 1', 1, "unterminated quoted value of label 'a'"],
    ["an invalid label name", 'foo{1a="x"} 1', 1, "invalid label name"],
    ["a label without =", 'foo{a "x"} 1', 1, "expected '=' after label name 'a'"],
    ["a duplicate label", 'foo{a="1",a="2"} 1', 1, "duplicate label 'a'"],
    ["a missing value", "foo", 1, "expected a value after the metric name"],
    ["a missing value after labels", 'foo{a="1"}', 1, "expected a value after the labels"],
    ["no space after the labels", 'foo{a="1"}1', 1, "expected a space after the labels"],
    ["an unparsable value", "foo abc", 1, "cannot parse value 'abc'"],
    ["a name starting with a digit", "1foo 1", 1, "invalid metric name"],
    ["a name with a dash", "foo-bar 1", 1, "invalid metric name"],
    ["a fractional text-format timestamp", "foo 1 1.5", 1, "cannot parse timestamp '1.5'"],
    ["a text-format timestamp with an exponent", "foo 1 1e3", 1, "cannot parse timestamp '1e3'"],
    ["a text-format timestamp beyond int64", "foo 1 99999999999999999999", 1, "cannot parse timestamp '99999999999999999999'"],
    ["text after the timestamp", "foo 1 2 3", 1, "unexpected text after the timestamp"],
    ["an unknown type", "# TYPE foo bogus", 1, "unknown metric type 'bogus'"],
    ["an invalid name in # TYPE", "# TYPE foo-bar gauge", 1, "invalid metric name in # TYPE"],
    ["a bad line after good ones", "# TYPE a gauge\na 1\na{b=} 2\n", 3, "expected '\"' to open the value of label 'b'"],
  ];

  it.each(cases)("parseExposition() rejects %s", (_name, input, line, reason) => {
    let caught: unknown;
    try {
      parseExposition(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ExpositionParseError);
    const error = caught as ExpositionParseError;
    expect(error.code).toBe("parse");
    expect(error.line).toBe(line);
    expect(error.reason).toBe(reason);
    const lineText = input.split("\n")[line - 1] ?? "";
    expect(error.message).toBe(`Cannot parse exposition line ${line}: ${reason}: '${lineText}'`);
  });

  it("parseExposition() truncates the quoted line to 200 characters", () => {
    const long = `foo{a="${"x".repeat(300)}`;
    expect(() => parseExposition(long)).toThrow(`'${long.slice(0, 200)}…'`);
  });
});

describe("parseExposition() limits series", () => {
  const body = "a 1\nb 2\nc 3\n";

  it("parseExposition() accepts exactly maxSeries samples", () => {
    expect(allSamples(parseExposition(body, { maxSeries: 3 }))).toHaveLength(3);
  });

  it("parseExposition() throws SeriesLimitError past maxSeries samples", () => {
    expect(() => parseExposition(body, { maxSeries: 2 })).toThrow(SeriesLimitError);
    try {
      parseExposition(body, { maxSeries: 2 });
    } catch (error) {
      expect((error as SeriesLimitError).code).toBe("series_limit");
      expect((error as SeriesLimitError).maxSeries).toBe(2);
    }
  });

  it.each([-1, 1.5, Number.NaN])("parseExposition() rejects maxSeries %s with a RangeError", (maxSeries) => {
    expect(() => parseExposition(body, { maxSeries })).toThrow(RangeError);
  });
});

describe("parseExposition() reads the vLLM fixture as its ground truth says", () => {
  const families = parseExposition(FIXTURE);

  it("parseExposition() finds every family with its type, in order", () => {
    expect(families.map((f) => [f.name, f.type])).toEqual(Object.entries(EXPECTED.family_types));
  });

  it("parseExposition() reads every ground-truth sample value", () => {
    const byKey = new Map(allSamples(families).map((s) => [seriesKey(s), s.value]));
    for (const [key, value] of Object.entries(EXPECTED.samples)) expect(byKey.get(key), key).toBe(value);
  });

  it("parseExposition() reads the fixture the same twice through a series cache", () => {
    const seriesCache = new SeriesCache(20_000);
    expect(parseExposition(FIXTURE, { seriesCache })).toEqual(families);
    expect(parseExposition(FIXTURE, { seriesCache })).toEqual(families);
  });

  it("parseExposition() keeps histogram buckets cumulative, with +Inf equal to _count per label set", () => {
    const histograms = families.filter((f) => f.type === "histogram");
    expect(histograms.length).toBeGreaterThan(10);
    for (const family of histograms) {
      const points = new Map<string, { buckets: number[]; inf?: number; count?: number }>();
      for (const s of family.samples) {
        const { le, ...own } = s.labels;
        const key = JSON.stringify(own);
        const point = points.get(key) ?? { buckets: [] };
        points.set(key, point);
        if (s.name === `${family.name}_bucket`) {
          point.buckets.push(s.value);
          if (le === "+Inf") point.inf = s.value;
        } else if (s.name === `${family.name}_count`) {
          point.count = s.value;
        }
      }
      expect(points.size, family.name).toBeGreaterThan(0);
      for (const [key, point] of points) {
        expect(point.inf, `${family.name}${key}`).toBe(point.count);
        point.buckets.forEach((value, i) => expect(value).toBeGreaterThanOrEqual(point.buckets[i - 1] ?? 0));
      }
    }
  });

  it("parseExposition() reads values that satisfy the fixture's arithmetic invariants", () => {
    const value = (name: string, labels: Record<string, string> = {}): number =>
      allSamples(families)
        .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
        .reduce((sum, s) => sum + s.value, 0);
    expect(value("vllm:prompt_tokens_by_source_total")).toBe(value("vllm:prompt_tokens_total"));
    expect(value("vllm:prompt_tokens_cached_total")).toBe(
      value("vllm:prompt_tokens_by_source_total", { source: "local_cache_hit" }) + value("vllm:prompt_tokens_by_source_total", { source: "external_kv_transfer" }),
    );
    expect(value("vllm:request_success_total")).toBe(value("vllm:e2e_request_latency_seconds_count"));
    expect(value("vllm:iteration_tokens_total_sum")).toBe(value("vllm:prompt_tokens_total") + value("vllm:generation_tokens_total"));
    expect(value("vllm:time_to_first_token_seconds_count") + value("vllm:inter_token_latency_seconds_count")).toBe(value("vllm:generation_tokens_total"));
  });

  it("parseExposition() keeps labels in the order written (sorted, in this fixture)", () => {
    for (const s of allSamples(families)) {
      const names = Object.keys(s.labels);
      expect(names, seriesKey(s)).toEqual([...names].sort());
    }
  });
});
