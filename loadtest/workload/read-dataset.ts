/** Reads a JSONL prompt dataset: one object per line with `prompt` or `messages`, optional `max_tokens`. */
import { isRecord } from "../scenario/problems.ts";
import { ScenarioError } from "../scenario/scenario-error.ts";

/** One dataset line. */
export interface DatasetEntry {
  readonly prompt: string | null;
  readonly messages: ReadonlyArray<{ readonly role: string; readonly content: string }> | null;
  readonly maxTokens: number | null;
}

/**
 * Parses JSONL text; every bad line is reported at once (`dataset.jsonl:3: ...`).
 * @throws ScenarioError listing the bad lines.
 */
export function parseDataset(text: string, file: string): DatasetEntry[] {
  const entries: DatasetEntry[] = [];
  const problems: string[] = [];
  text.split("\n").forEach((line, index) => {
    if (line.trim() === "") return;
    const where = `${file}:${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      problems.push(`${where}: not JSON (${(error as Error).message})`);
      return;
    }
    if (!isRecord(value)) {
      problems.push(`${where}: must be an object with "prompt" or "messages"`);
      return;
    }
    const prompt = typeof value.prompt === "string" ? value.prompt : null;
    const messages = Array.isArray(value.messages) && value.messages.every((m) => isRecord(m) && typeof m.role === "string" && typeof m.content === "string") ? (value.messages as DatasetEntry["messages"]) : null;
    if (prompt === null && messages === null) {
      problems.push(`${where}: needs "prompt" (string) or "messages" ([{ role, content }])`);
      return;
    }
    const rawMax = value.max_tokens ?? value.output_tokens;
    if (rawMax !== undefined && !(Number.isInteger(rawMax) && (rawMax as number) >= 1)) {
      problems.push(`${where}: max_tokens must be an integer >= 1, got ${JSON.stringify(rawMax)}`);
      return;
    }
    entries.push({ prompt, messages, maxTokens: rawMax === undefined ? null : (rawMax as number) });
  });
  if (entries.length === 0 && problems.length === 0) problems.push(`${file}: no prompts (the file is empty)`);
  if (problems.length > 0) throw new ScenarioError(file, problems);
  return entries;
}
