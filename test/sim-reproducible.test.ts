/**
 * Same seed, same sequential requests: the same token texts and the same modelled
 * timings (relative to each request's arrival), run after run.
 */
import { describe, expect, it } from "vitest";
import { parseSseEvents } from "../loadtest/sim/read-sse-events.ts";
import { startSimulator } from "../loadtest/sim/start-simulator.ts";
import { generateText } from "../loadtest/sim/tokenizer.ts";

async function run(seed: number): Promise<{ texts: string[]; timings: number[][] }> {
  await using sim = await startSimulator({ seed, stepJitter: 0.1, timeScale: 0.2 });
  const texts: string[] = [];
  const timings: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const stream = i % 2 === 0;
    const response = await fetch(`${sim.url}/v1/chat/completions`, {
      method: "POST",
      body: JSON.stringify({ messages: [{ role: "user", content: generateText(50 + 30 * i, i) }], max_tokens: 24, stream }),
    });
    if (stream) {
      const chunks = parseSseEvents(await response.text()).flatMap((event) => (event.kind === "data" && event.data !== "[DONE]" ? [JSON.parse(event.data) as { choices: { delta: { content?: string } }[] }] : []));
      texts.push(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join(""));
    } else {
      texts.push(((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content ?? "");
    }
    const record = sim.record(response.headers.get("x-vigil-sim-request-id") ?? "");
    const choice = record?.choices[0];
    timings.push([choice?.queueTimeMs ?? -1, ...(choice?.tokenTimesMs ?? []).map((t) => t - (record?.arrivalMs ?? 0))]);
  }
  return { texts, timings };
}

describe("a seeded simulator run", () => {
  it("repeats token texts and modelled timings exactly; another seed differs", async () => {
    const first = await run(42);
    const second = await run(42);
    expect(second.texts).toEqual(first.texts);
    expect(second.timings.length).toBe(4);
    second.timings.forEach((timing, i) => {
      expect(timing.length).toBe(first.timings[i]?.length);
      // Modelled times repeat up to float rounding of the absolute clock they were added to.
      timing.forEach((value, j) => expect(value).toBeCloseTo(first.timings[i]?.[j] ?? Number.NaN, 6));
    });
    expect(first.texts.every((text) => text.length > 0)).toBe(true);
    const other = await run(43);
    expect(other.texts).not.toEqual(first.texts);
  });
});
