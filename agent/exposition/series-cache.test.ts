import { describe, expect, it } from "vitest";
import type { MetricFamily } from "./family.ts";
import { ExpositionParseError, SeriesLimitError, parseExposition } from "./parse-exposition.ts";
import { SeriesCache } from "./series-cache.ts";

const samplesOf = (families: readonly MetricFamily[]) => families.flatMap((family) => family.samples);

describe("parseExposition() with a SeriesCache", () => {
  it("reuses the labels object of an unchanged series while its value changes", () => {
    const cache = new SeriesCache(100);
    const [first] = samplesOf(parseExposition('x{a="1",b="2"} 1\n', { seriesCache: cache }));
    const [second] = samplesOf(parseExposition('x{a="1",b="2"} 7\n', { seriesCache: cache }));
    expect(second).toEqual({ name: "x", labels: { a: "1", b: "2" }, value: 7 });
    expect(second?.labels).toBe(first?.labels);
  });

  it("never gives a changed label set the labels of the old one", () => {
    const cache = new SeriesCache(100);
    parseExposition('x{a="1"} 1\nx{a="1",b="2"} 1\n', { seriesCache: cache });
    const samples = samplesOf(parseExposition('x{a="2"} 1\nx{a="1",b="3"} 1\nx{a="1"} 5\n', { seriesCache: cache }));
    expect(samples.map((sample) => sample.labels)).toEqual([{ a: "2" }, { a: "1", b: "3" }, { a: "1" }]);
  });

  it("keeps series of different names apart when their labels match", () => {
    const cache = new SeriesCache(100);
    const body = '# TYPE a counter\na_total{x="1"} 1\n# TYPE b gauge\nb{x="1"} 2\n';
    parseExposition(body, { seriesCache: cache });
    expect(parseExposition(body, { seriesCache: cache })).toEqual(parseExposition(body));
  });

  it("finds the end of labels whose values hold escaped quotes, braces and spaces", () => {
    const cache = new SeriesCache(100);
    const body = 'x{a="q\\"} 2",b="{ }"} 3\nx {a="1" , } 4\n';
    const expected = [
      { name: "x", labels: { a: 'q"} 2', b: "{ }" }, value: 3 },
      { name: "x", labels: { a: "1" }, value: 4 },
    ];
    expect(samplesOf(parseExposition(body, { seriesCache: cache }))).toEqual(expected);
    expect(samplesOf(parseExposition(body, { seriesCache: cache }))).toEqual(expected);
  });

  it("still rejects a malformed line after its series was cached", () => {
    const cache = new SeriesCache(100);
    parseExposition('foo{a="1"} 1\n', { seriesCache: cache });
    for (const [input, reason] of [
      ['foo{a="1"}1', "expected a space after the labels"],
      ['foo{a="1"}', "expected a value after the labels"],
      ['foo{a="1"} abc', "cannot parse value 'abc'"],
      ['foo{a="1" 1', "expected ',' or '}' after the value of label 'a'"],
    ] as const) {
      expect(() => parseExposition(input, { seriesCache: cache })).toThrow(expect.objectContaining({ constructor: ExpositionParseError, reason }));
    }
  });

  it("keeps a cached __proto__ label a plain own label", () => {
    const cache = new SeriesCache(100);
    parseExposition('x{__proto__="p",a="1"} 1\n', { seriesCache: cache });
    const [sample] = samplesOf(parseExposition('x{__proto__="p",a="1"} 2\n', { seriesCache: cache }));
    expect(Object.keys(sample?.labels ?? {})).toEqual(["__proto__", "a"]);
    expect(Object.getPrototypeOf(sample?.labels)).toBe(Object.prototype);
  });

  it("holds no more series than its capacity, and parses right past it", () => {
    const cache = new SeriesCache(2);
    const body = Array.from({ length: 5 }, (_, i) => `x{i="${i}"} ${i}`).join("\n");
    parseExposition(body, { seriesCache: cache });
    expect(cache.size).toBe(2);
    expect(samplesOf(parseExposition(body, { seriesCache: cache })).map((sample) => [sample.labels.i, sample.value])).toEqual([0, 1, 2, 3, 4].map((i) => [String(i), i]));
    expect(cache.size).toBe(2);
  });

  it("drops the series a body no longer has", () => {
    const cache = new SeriesCache(1000);
    const series = (count: number, tag: string) => Array.from({ length: count }, (_, i) => `x{${tag}="${i}"} 1`).join("\n");
    parseExposition(series(100, "old"), { seriesCache: cache });
    expect(cache.size).toBe(100);
    parseExposition(series(10, "new"), { seriesCache: cache });
    expect(cache.size).toBe(10);
  });

  const pairs: [string, string, string][] = [
    ["only values change", '# HELP x X.\n# TYPE x gauge\nx{a="1"} 1\nx{a="2"} 2\n', '# HELP x X.\n# TYPE x gauge\nx{a="1"} 5\nx{a="2"} NaN\n'],
    ["a line is added", 'x{a="1"} 1\n', 'x{a="1"} 1\nx{a="2"} 2\n'],
    ["a line is removed", 'x{a="1"} 1\nx{a="2"} 2\n', 'x{a="1"} 1\n'],
    ["HELP text changes", "# HELP x old\nx 1\n", "# HELP x new\nx 1\n"],
    ["TYPE changes which family owns a sample", "# TYPE x gauge\nx_total 1\n", "# TYPE x counter\nx_total 1\n"],
    ["a value gets more blanks before it", 'x{a="1"} 1\n', 'x{a="1"}   2\n'],
    ["a timestamp appears", "x 1\n", "x 1 1700000000000\n"],
    ["the body becomes OpenMetrics", "x 1 17\n", "x 1 17\n# EOF\n"],
    ["CRLF line ends", "x 1\r\ny 2\r\n", "x 3\r\ny 4\r\n"],
    ["the last newline goes", "x 1\n", "x 2"],
    ["an exemplar follows the value", "x_total 1\n", 'x_total 2 # {trace_id="a"} 1\n'],
    ["a label-less line", "up 1\n", "up 0\n"],
  ];

  it.each(pairs)("parses the next body as a cold parse does when %s", (_name, first, second) => {
    const cache = new SeriesCache(100);
    parseExposition(first, { seriesCache: cache });
    expect(parseExposition(second, { seriesCache: cache })).toEqual(parseExposition(second));
  });

  it("gives an unchanged line the sample it gave before, and a changed one a new sample", () => {
    const cache = new SeriesCache(100);
    const body = (a: number, b: number) => `# TYPE x gauge\nx{i="1"} ${a}\nup ${b}\n`;
    const first = samplesOf(parseExposition(body(1, 1), { seriesCache: cache }));
    const second = samplesOf(parseExposition(body(1, 2), { seriesCache: cache }));
    const third = samplesOf(parseExposition(body(1, 2), { seriesCache: cache }));
    expect(second).toEqual([{ name: "x", labels: { i: "1" }, value: 1 }, { name: "up", labels: {}, value: 2 }]);
    expect(second[0]).toBe(first[0]);
    expect(second[1]).not.toBe(first[1]);
    expect(third[1]).toBe(second[1]);
  });

  it("gives a family whose lines are all unchanged as the same object", () => {
    const cache = new SeriesCache(100);
    const body = (b: number) => `# TYPE a gauge\na 1\n# TYPE b gauge\nb ${b}\n`;
    const [a1, b1] = parseExposition(body(1), { seriesCache: cache });
    const [a2, b2] = parseExposition(body(2), { seriesCache: cache });
    expect(a2).toBe(a1);
    expect(b2).not.toBe(b1);
    expect(b2).toEqual({ name: "b", help: "", type: "gauge", samples: [{ name: "b", labels: {}, value: 2 }] });
  });

  it("keeps what a body with a bad value changed out of the layout", () => {
    const cache = new SeriesCache(100);
    parseExposition("a 1\nb 2\n", { seriesCache: cache });
    expect(() => parseExposition("a 5\nb x\n", { seriesCache: cache })).toThrow(ExpositionParseError);
    expect(samplesOf(parseExposition("a 1\nb 2\n", { seriesCache: cache })).map((sample) => sample.value)).toEqual([1, 2]);
  });

  it("still limits series when the body keeps its layout", () => {
    const cache = new SeriesCache(100);
    const body = "a 1\nb 2\nc 3\n";
    parseExposition(body, { seriesCache: cache, maxSeries: 3 });
    expect(() => parseExposition(body, { seriesCache: cache, maxSeries: 2 })).toThrow(SeriesLimitError);
  });

  it("rejects a capacity that is not a non-negative integer", () => {
    expect(() => new SeriesCache(-1)).toThrow(RangeError);
    expect(() => new SeriesCache(1.5)).toThrow(RangeError);
  });
});
