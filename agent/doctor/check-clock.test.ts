import { describe, expect, it } from "vitest";
import { checkClock } from "./check-endpoints.ts";

describe("checkClock()", () => {
  const at = Date.parse("2026-12-01T10:00:00.700Z");
  it.each([
    ["Tue, 01 Dec 2026 10:00:00 GMT", "ok", "-0.7 s"],
    ["Tue, 01 Dec 2026 10:00:05 GMT", "warn", "+4.3 s"],
    ["Tue, 01 Dec 2026 09:59:50 GMT", "warn", "-10.7 s"],
  ])("a server saying %s is %s", (date, status, shown) => {
    const check = checkClock([{ from: "http://v:8000", clock: { date, atMs: at } }], at);
    expect(check.status).toBe(status);
    expect(check.message).toContain(`http://v:8000 ${shown}`);
  });
  it("is ok with nothing to compare", () => {
    expect(checkClock([], at)).toMatchObject({ status: "ok", message: expect.stringContaining("no server answered") });
  });
});
