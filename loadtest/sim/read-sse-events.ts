/**
 * Splits an SSE body into its events the way vLLM's benchmark client does
 * (reference/vllm.md §3.1): events end at a blank line; `data: ` lines carry JSON or
 * `[DONE]`; lines starting with `:` are comments. For tests and quick checks.
 */

export type SseEvent = { readonly kind: "data"; readonly data: string } | { readonly kind: "comment"; readonly text: string };

export function parseSseEvents(body: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const block of body.split("\n\n")) {
    if (block === "") continue;
    if (block.startsWith(":")) events.push({ kind: "comment", text: block.slice(1).trimStart() });
    else if (block.startsWith("data: ")) events.push({ kind: "data", data: block.slice(6) });
    else events.push({ kind: "data", data: block });
  }
  return events;
}
