import { describe, expect, it } from "vitest";
import { endsOnWholeCharacter } from "./send-request.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("endsOnWholeCharacter", () => {
  it.each([
    ["empty", new Uint8Array(0), true],
    ["ascii", bytes('data: {"text":"a"}\n\n'), true],
    ["ends on é", bytes("caf\u00e9"), true],
    ["ends on €", bytes("1\u20ac"), true],
    ["ends on an emoji", bytes("ok \u{1f600}"), true],
  ])("%s: whole", (_name, input, expected) => {
    expect(endsOnWholeCharacter(input)).toBe(expected);
  });

  it("is false at every cut inside a 2, 3 and 4-byte character", () => {
    for (const char of ["\u00e9", "\u20ac", "\u{1f600}"]) {
      const whole = bytes(`x${char}`);
      for (let cut = 2; cut < whole.length; cut++) expect(endsOnWholeCharacter(whole.subarray(0, cut)), `${char} cut at ${cut}`).toBe(false);
      expect(endsOnWholeCharacter(whole)).toBe(true);
    }
  });

  it("is false for a piece of continuation bytes only (the middle of a split character)", () => {
    expect(endsOnWholeCharacter(bytes("\u{1f600}").subarray(1, 3))).toBe(false);
  });
});
