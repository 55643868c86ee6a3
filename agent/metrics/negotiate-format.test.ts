import { describe, expect, it } from "vitest";
import { negotiateFormat } from "./exposition-cache.ts";

describe("negotiateFormat()", () => {
  it.each([
    [undefined, "text"],
    ["", "text"],
    ["*/*", "text"],
    ["text/plain;version=0.0.4", "text"],
    // What Prometheus 2.42 sends (measured, reference/agent-anchors.md §2.3).
    ["application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1", "openmetrics"],
    ["text/plain;q=0.5, application/openmetrics-text; version=1.0.0; q=0.6", "openmetrics"],
    ["application/openmetrics-text;q=0, text/plain", "text"],
  ])("picks the right format for Accept %j", (accept, format) => expect(negotiateFormat(accept)).toBe(format));
});
