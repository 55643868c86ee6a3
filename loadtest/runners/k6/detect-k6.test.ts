import { describe, expect, it } from "vitest";
import { parseK6Version } from "./detect-k6.ts";

describe("parseK6Version()", () => {
  it.each([
    ["k6 v0.40.0 (2022-09-08T09:06:02+0000/v0.39.0-92-gdcbe2f9c, go1.18.6, linux/amd64)\n", "v0.40.0", false],
    ["k6 v1.3.0 (go1.24.4, linux/amd64)\n", "v1.3.0", false],
    ["k6 v1.1.0 (go1.24.1, linux/amd64)\nExtensions:\n  github.com/phymbert/xk6-sse v0.1.11, k6/x/sse [js]\n", "v1.1.0", true],
    ["k6 v0.54.0-dev (commit/abc, go1.23, linux/amd64)\nExtensions:\n  github.com/grafana/xk6-dashboard v0.7.5, web-dashboard [output]\n", "v0.54.0-dev", false],
  ])("%j", (output, version, sse) => {
    expect(parseK6Version(output, "/usr/bin/k6")).toEqual({ command: "/usr/bin/k6", version, sse });
  });
});
