/**
 * The simulator's tokenizer rule: simple, documented, and needing no model files, so the
 * harness can build prompts of exactly N tokens with the same pure functions.
 *
 * Rule: a token is an optional run of whitespace followed by 1 to 4 non-whitespace
 * characters (Unicode code points); whitespace at the very end of the text is one more
 * token. So `"hello world"` is `["hell", "o", " worl", "d"]` (4 tokens) and `""` is 0.
 * That averages about 4 characters per token on English, like a BPE tokenizer.
 *
 * Completions: prompt tokens = countTokens(prompt) (no BOS added); a prompt given as
 * token ids counts one token per id.
 * Chat: prompt tokens = 4 + Σ over messages (4 + countTokens(content)), the shape of the
 * Llama-3 chat template (BOS, a 3-token header and an end-of-turn token per message, a
 * 3-token assistant header); see countChatPromptTokens().
 */

const TOKEN = /\s*[^\s]{1,4}|\s+/gu;

/** Splits text into its tokens (their concatenation is the text). */
export function tokenize(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

/**
 * Number of tokens in `text` under the simulator's rule.
 * @example countTokens("hello world") // 4
 */
export function countTokens(text: string): number {
  let count = 0;
  TOKEN.lastIndex = 0;
  while (TOKEN.exec(text) !== null) count++;
  return count;
}

/** Words of at most 4 letters: each one, with its leading space, is exactly one token. */
export const WORDS: readonly string[] = [
  "the", "of", "and", "to", "in", "is", "that", "for", "it", "as", "was", "with", "be", "by", "on", "not", "he", "this",
  "are", "or", "his", "from", "at", "which", "but", "have", "an", "had", "they", "you", "were", "her", "one", "all",
  "we", "can", "has", "its", "more", "will", "been", "each", "when", "time", "may", "into", "made", "some", "then",
  "such", "over", "also", "only", "much", "what", "like", "used", "well", "even", "most", "many", "work", "part",
  "data", "node", "load", "step", "fast", "slow", "core", "disk", "page", "byte", "bit", "key", "map", "set", "list",
  "tree", "leaf", "root", "path", "file", "line", "word", "text", "code", "test", "run", "loop", "call", "send", "read",
  "sum", "max", "min", "mean", "rate", "peak", "low", "high", "warm", "cold", "gpu", "cpu", "ram", "heap", "port",
].filter((word) => word.length <= 4);

/**
 * Text of exactly `tokenCount` tokens: pseudo-words picked by `seed` (same seed, same
 * text). Use it to build prompts of a known length.
 * @example countTokens(generateText(100, 7)) // 100
 */
export function generateText(tokenCount: number, seed = 0): string {
  if (!Number.isInteger(tokenCount) || tokenCount < 0) throw new RangeError(`Cannot generate text as 'tokenCount' must be a non-negative integer: current value is ${tokenCount}`);
  let text = "";
  let state = (seed >>> 0) ^ 0x9e3779b9;
  for (let i = 0; i < tokenCount; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const index = (state >>> 8) % WORDS.length;
    text += i === 0 ? (WORDS[index] as string) : (SPACED_WORDS[index] as string);
  }
  return text;
}

/** WORDS with their leading space (the harness builds a prompt per request: no template string per token). */
const SPACED_WORDS: readonly string[] = WORDS.map((word) => ` ${word}`);

/** A chat message as the API takes it: content as a string or as text parts. */
export interface ChatMessageInput {
  readonly role: string;
  readonly content: string | readonly { readonly type: string; readonly text?: string }[] | null;
}

/** The text of a message's content (text parts joined with "\n", as vLLM's content parser does). */
export function messageText(message: ChatMessageInput): string {
  const content = message.content;
  if (content === null) return "";
  if (typeof content === "string") return content;
  return content.filter((part) => part.type === "text").map((part) => part.text ?? "").join("\n");
}

/** Template tokens around each chat message, and around the whole conversation (BOS + assistant header). */
export const CHAT_TOKENS_PER_MESSAGE = 4;
export const CHAT_TOKENS_PER_CONVERSATION = 4;

/**
 * The chat prompt as tokens: template markers (strings starting with `<|`) around each
 * message's content tokens. Its length is countChatPromptTokens(messages).
 */
export function chatPromptTokens(messages: readonly ChatMessageInput[]): string[] {
  const tokens: string[] = ["<|begin_of_text|>"];
  for (const message of messages) {
    tokens.push("<|start_header_id|>", `<|${message.role}|>`, "<|end_header_id|>");
    for (const token of tokenize(messageText(message))) tokens.push(token);
    tokens.push("<|eot_id|>");
  }
  tokens.push("<|start_header_id|>", "<|assistant|>", "<|end_header_id|>");
  return tokens;
}

/**
 * Prompt tokens of a chat request: 4 + Σ (4 + countTokens(content)).
 * @example countChatPromptTokens([{ role: "user", content: generateText(92) }]) // 100
 */
export function countChatPromptTokens(messages: readonly ChatMessageInput[]): number {
  let total = CHAT_TOKENS_PER_CONVERSATION;
  for (const message of messages) total += CHAT_TOKENS_PER_MESSAGE + countTokens(messageText(message));
  return total;
}
