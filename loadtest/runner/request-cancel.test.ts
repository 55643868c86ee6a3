import { describe, expect, it } from "vitest";
import { RequestCancel } from "./request-cancel.ts";

describe("RequestCancel", () => {
  it("calls the listener once with the first reason, and keeps that reason", () => {
    const cancel = new RequestCancel();
    const seen: string[] = [];
    cancel.listen((reason) => seen.push(reason.message));
    cancel.abort(new Error("first"));
    cancel.abort(new Error("second"));
    expect(seen).toEqual(["first"]);
    expect(cancel.aborted).toBe(true);
    expect(cancel.reason?.message).toBe("first");
  });

  it("does not call a removed or replaced listener", () => {
    const cancel = new RequestCancel();
    const seen: string[] = [];
    cancel.listen(() => seen.push("old"));
    cancel.listen(() => seen.push("new"));
    cancel.abort(new Error("x"));
    const other = new RequestCancel();
    other.listen(() => seen.push("removed"));
    other.listen(null);
    other.abort(new Error("y"));
    expect(seen).toEqual(["new"]);
  });

  it("is as new after reset", () => {
    const cancel = new RequestCancel();
    cancel.listen(() => undefined);
    cancel.reset();
    expect(cancel.aborted).toBe(false);
    expect(cancel.reason).toBeNull();
  });

  it("drives an AbortSignal, also when cancelled before", () => {
    const cancel = new RequestCancel();
    const signal = cancel.toSignal();
    expect(signal.aborted).toBe(false);
    cancel.abort(new Error("stop"));
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).message).toBe("stop");
    expect(cancel.toSignal().aborted).toBe(true);
  });
});
