import { describe, expect, it } from "vitest";
import { pushgatewayGroupUrl } from "./pushgateway-url.ts";

describe("pushgatewayGroupUrl()", () => {
  it.each([
    [{ job: "vigil", labels: { instance: "gpu-01" } }, "http://pg:9091/metrics/job/vigil/instance/gpu-01"],
    [{ job: "vigil", labels: { path: "/var/tmp" } }, "http://pg:9091/metrics/job/vigil/path@base64/L3Zhci90bXA"],
    [{ job: "vigil", labels: { instance: "" } }, "http://pg:9091/metrics/job/vigil/instance@base64/="],
    [{ job: "a b", labels: {} }, "http://pg:9091/metrics/job/a%20b"],
  ])("%j -> %s", ({ job, labels }, expected) => {
    expect(pushgatewayGroupUrl("http://pg:9091/", job, labels)).toBe(expected);
  });
});
