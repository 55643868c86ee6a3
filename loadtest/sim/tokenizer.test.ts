import { describe, expect, it } from "vitest";
import { chatPromptTokens, countChatPromptTokens, countTokens, generateText, tokenize } from "./tokenizer.ts";

describe("tokenizer rule", () => {
  it.each<[string, number]>([
    ["", 0],
    ["a", 1],
    ["abcd", 1],
    ["abcde", 2],
    ["hello world", 4],
    ["  lead", 1],
    ["trail  ", 3],
    ["a\nb\tc", 3],
    ["ünïcödé", 2],
    ["😀😀😀😀😀", 2],
  ])("countTokens(%j) is %i", (text, count) => {
    expect(countTokens(text)).toBe(count);
    expect(tokenize(text)).toHaveLength(count);
    expect(tokenize(text).join("")).toBe(text);
  });

  it("generateText() gives exactly N tokens, the same text for the same seed", () => {
    for (const n of [0, 1, 2, 17, 1000]) expect(countTokens(generateText(n, 3))).toBe(n);
    expect(generateText(50, 1)).toBe(generateText(50, 1));
    expect(generateText(50, 1)).not.toBe(generateText(50, 2));
    expect(() => generateText(-1)).toThrow(/'tokenCount' must be a non-negative integer: current value is -1/);
  });

  it("counts chat prompts as 4 + Σ(4 + content tokens)", () => {
    const messages = [
      { role: "system", content: generateText(10) },
      { role: "user", content: [{ type: "text", text: generateText(20) }] },
    ];
    expect(countChatPromptTokens(messages)).toBe(4 + 14 + 24);
    expect(chatPromptTokens(messages)).toHaveLength(countChatPromptTokens(messages));
    expect(countChatPromptTokens([{ role: "user", content: generateText(92) }])).toBe(100);
  });
});
