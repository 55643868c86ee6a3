import { describe, expect, it } from "vitest";
import { formatGoFloat, pythonFloatRepr } from "./format-go-float.ts";

describe("formatGoFloat() writes numbers as prometheus_client does", () => {
  it.each<[number, string]>([
    [0, "0.0"],
    [8, "8.0"],
    [0.006296872789019386, "0.006296872789019386"],
    [1e-5, "1e-05"],
    [0.0001, "0.0001"],
    [100000, "100000.0"],
    [934705, "934705.0"],
    [3410264, "3.410264e+06"],
    [1048576, "1.048576e+06"],
    [1712783360, "1.71278336e+09"],
    [24073863168, "2.4073863168e+010"],
    [1789560041.2915266, "1.7895600412915266e+09"],
    [1.5e16, "1.5e+16"],
    [153.9096405506134, "153.9096405506134"],
    [-2.5, "-2.5"],
    [Number.POSITIVE_INFINITY, "+Inf"],
    [Number.NaN, "NaN"],
  ])("%d -> %s", (value, text) => {
    expect(formatGoFloat(value)).toBe(text);
  });

  it("pythonFloatRepr() matches repr() for small and integral values", () => {
    expect(pythonFloatRepr(1e-7)).toBe("1e-07");
    expect(pythonFloatRepr(123.0)).toBe("123.0");
    expect(pythonFloatRepr(3.45068359375)).toBe("3.45068359375");
  });
});
