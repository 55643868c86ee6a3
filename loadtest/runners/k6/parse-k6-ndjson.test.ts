import { describe, expect, it } from "vitest";
import { K6ResultsError, parseK6Ndjson, parseRfc3339Ms } from "./parse-k6-ndjson.ts";

// Verbatim from ../shared/reference/loadtest-anchors.md §5: the documented shape and the current writer's.
const DOCUMENTED = [
  '{"type":"Metric","data":{"type":"gauge","contains":"default","tainted":null,"thresholds":[],"submetrics":null},"metric":"vus"}',
  '{"type":"Point","data":{"time":"2017-05-09T14:34:45.625742514+02:00","value":5,"tags":null},"metric":"vus"}',
  '{"type":"Metric","data":{"type":"trend","contains":"time","tainted":null,"thresholds":["avg<1000"],"submetrics":null},"metric":"http_req_duration"}',
  '{"type":"Point","data":{"time":"2017-05-09T14:34:45.239531499+02:00","value":459.865729,"tags":{"group":"::my group::json","method":"GET","status":"200","url":"https://quickpizza.grafana.com/api/tools"}},"metric":"http_req_duration"}',
].join("\n");
const WRITER = [
  '{"type":"Metric","data":{"name":"my_metric1","type":"gauge","contains":"default","thresholds":["rate<0.01","p(99)<250"],"submetrics":[{"name":"my_metric1{a:1,b:2}","suffix":"a:1,b:2","tags":{"a":"1","b":"2"}}]},"metric":"my_metric1"}',
  '{"type":"Point","data":{"time":"2021-02-24T13:37:10Z","value":1,"tags":{"tag1":"val1"},"metadata":{"meta1":"foo","meta2":"bar"}},"metric":"my_metric1"}',
].join("\n");

describe("parseRfc3339Ms()", () => {
  it.each([
    ["2017-05-09T14:34:45.625742514+02:00", Date.UTC(2017, 4, 9, 12, 34, 45) + 625.742514],
    ["2021-02-24T13:37:10Z", Date.UTC(2021, 1, 24, 13, 37, 10)],
    ["2021-02-24T13:37:10.5-01:30", Date.UTC(2021, 1, 24, 15, 7, 10, 500)],
  ])("%s", (text, expected) => {
    expect(parseRfc3339Ms(text)).toBeCloseTo(expected, 6);
  });
  it.each(["", "2021-02-24 13:37:10Z", "2021-02-24T13:37:10", "yesterday"])("rejects %j", (text) => {
    expect(parseRfc3339Ms(text)).toBeNaN();
  });
});

describe("parseK6Ndjson()", () => {
  it("reads the documented shape (no data.name, tainted, no metadata)", () => {
    const results = parseK6Ndjson(`${DOCUMENTED}\n`, "doc.ndjson");
    expect([...results.metrics.keys()]).toEqual(["vus", "http_req_duration"]);
    expect(results.metrics.get("http_req_duration")).toEqual({ name: "http_req_duration", type: "trend", contains: "time", thresholds: ["avg<1000"] });
    expect(results.points).toHaveLength(2);
    expect(results.points[0]?.tags).toEqual({});
    expect(results.points[1]).toMatchObject({ metric: "http_req_duration", value: 459.865729, tags: { status: "200", method: "GET" }, metadata: {} });
    expect((results.points[1]?.timeMs ?? 0) - Date.UTC(2017, 4, 9, 12, 34, 45)).toBeCloseTo(239.531499, 5);
  });

  it("reads the current writer's shape (data.name, metadata)", () => {
    const results = parseK6Ndjson(WRITER, "writer.ndjson");
    expect(results.metrics.get("my_metric1")?.thresholds).toEqual(["rate<0.01", "p(99)<250"]);
    expect(results.points[0]).toMatchObject({ metric: "my_metric1", value: 1, tags: { tag1: "val1" }, metadata: { meta1: "foo", meta2: "bar" } });
  });

  it("skips a last line cut mid-write, and says so", () => {
    const results = parseK6Ndjson(`${DOCUMENTED}\n{"type":"Point","data":{"time":"2017-05`, "cut.ndjson");
    expect(results.points).toHaveLength(2);
    expect(results.skipped).toEqual([{ source: "cut.ndjson", line: 5, reason: "last line cut mid-write (k6 stopped while writing)" }]);
  });

  it.each([
    [`${DOCUMENTED.split("\n").slice(0, 2).join("\n")}\nnot json\n${DOCUMENTED.split("\n")[3]}\n`, /bad\.ndjson:3: not JSON: not json/],
    ['{"type":"Point","data":{"time":"soon","value":1},"metric":"x"}\n', /bad\.ndjson:1: point time "soon" is not RFC3339/],
    ['{"type":"Point","data":{"time":"2021-02-24T13:37:10Z","value":"1"},"metric":"x"}\n', /bad\.ndjson:1: point value "1" is not a number/],
    ['{"hello":"world"}\n', /bad\.ndjson:1: not a k6 line/],
    [`${DOCUMENTED.split("\n")[0]}\n`, /bad\.ndjson: no k6 points/],
    ["", /no k6 points/],
  ])("refuses a broken file with the line: %#", (text, message) => {
    expect(() => parseK6Ndjson(text, "bad.ndjson")).toThrow(K6ResultsError);
    expect(() => parseK6Ndjson(text, "bad.ndjson")).toThrow(message);
  });
});
