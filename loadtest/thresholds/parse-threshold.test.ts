import { describe, expect, it } from "vitest";
import { compareThreshold, parseThreshold, ThresholdSyntaxError } from "./parse-threshold.ts";

describe("parseThreshold()", () => {
  const valid: Array<[string, { aggregation: string; percentile: number | null; operator: string; limit: number }]> = [
    ["p(95)<500", { aggregation: "p(95)", percentile: 95, operator: "<", limit: 500 }],
    ["p(99.9) <= 1200.5", { aggregation: "p(99.9)", percentile: 99.9, operator: "<=", limit: 1200.5 }],
    [" avg>1000 ", { aggregation: "avg", percentile: null, operator: ">", limit: 1000 }],
    ["rate<0.01", { aggregation: "rate", percentile: null, operator: "<", limit: 0.01 }],
    ["med>=2", { aggregation: "med", percentile: null, operator: ">=", limit: 2 }],
    ["count==0", { aggregation: "count", percentile: null, operator: "==", limit: 0 }],
    ["count===0", { aggregation: "count", percentile: null, operator: "==", limit: 0 }],
    ["max!=-1", { aggregation: "max", percentile: null, operator: "!=", limit: -1 }],
    ["value>1e3", { aggregation: "value", percentile: null, operator: ">", limit: 1000 }],
    ["min > 0", { aggregation: "min", percentile: null, operator: ">", limit: 0 }],
    ["p( 50 )<10", { aggregation: "p(50)", percentile: 50, operator: "<", limit: 10 }],
  ];
  it.each(valid)("parses %s", (text, expected) => {
    expect(parseThreshold(text)).toEqual(expected);
  });

  const invalid = ["", "p95<500", "p(95)", "<500", "avg<", "avg<<5", "mean<5", "p(101)<5", "avg<5ms", "p(95)<500 && avg<2"];
  it.each(invalid)("rejects %j with a message naming it", (text) => {
    expect(() => parseThreshold(text)).toThrow(ThresholdSyntaxError);
    expect(() => parseThreshold(text)).toThrow(`'${text}'`);
  });
});

describe("compareThreshold()", () => {
  const table: Array<[number, "<" | "<=" | ">" | ">=" | "==" | "!=", number, boolean]> = [
    [1, "<", 2, true],
    [2, "<", 2, false],
    [2, "<=", 2, true],
    [3, ">", 2, true],
    [2, ">=", 2, true],
    [2, "==", 2, true],
    [2, "!=", 2, false],
  ];
  it.each(table)("%d %s %d is %s", (actual, operator, limit, expected) => {
    expect(compareThreshold(actual, operator, limit)).toBe(expected);
  });
});
