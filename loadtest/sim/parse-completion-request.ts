/**
 * Validates a /v1/completions or /v1/chat/completions body the way vLLM does: pydantic
 * type errors (400, every problem listed), then SamplingParams checks (400 with vLLM's
 * message), then the context length. The model check (404) is the server's.
 */
import { chatPromptTokens, type ChatMessageInput, tokenize } from "./tokenizer.ts";
import { type ValidationIssue, validationError, VllmApiError } from "./vllm-error.ts";

export type CompletionEndpoint = "/v1/completions" | "/v1/chat/completions";

export interface CompletionRequest {
  readonly endpoint: CompletionEndpoint;
  /** undefined = the served model (vLLM allows omitting it). */
  readonly model: string | undefined;
  readonly stream: boolean;
  readonly includeUsage: boolean;
  readonly continuousUsageStats: boolean;
  /** max_tokens (or max_completion_tokens for chat) as given; undefined = the endpoint's default. */
  readonly maxTokens: number | undefined;
  readonly minTokens: number;
  readonly ignoreEos: boolean;
  readonly n: number;
  readonly seed: number | undefined;
  /** Completions `echo`: the prompt is prepended to the text. */
  readonly echo: boolean;
  /** The prompt as tokens (chat: with template markers). */
  readonly promptTokens: readonly string[];
  /** The prompt's text tokens only (what echo mode repeats). */
  readonly contentTokens: readonly string[];
  /** Completions prompt text, for `echo`. */
  readonly promptText: string;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Parses and type-checks a body. Throws VllmApiError (400) listing every type problem. */
export function parseCompletionRequest(endpoint: CompletionEndpoint, body: unknown): CompletionRequest {
  const issues: ValidationIssue[] = [];
  if (!isObject(body)) throw validationError([{ type: "model_attributes_type", loc: ["body"], msg: "Input should be a valid dictionary or object to extract fields from", input: body }]);
  const issue = (field: string, type: string, msg: string) => issues.push({ type, loc: ["body", field], msg, input: body[field] });
  const optional = <T>(field: string, check: (value: unknown) => value is T, type: string, msg: string): T | undefined => {
    const value = body[field];
    if (value === undefined || value === null) return undefined;
    if (check(value)) return value;
    issue(field, type, msg);
    return undefined;
  };
  const isInt = (value: unknown): value is number => typeof value === "number" && Number.isInteger(value);
  const isBool = (value: unknown): value is boolean => typeof value === "boolean";
  const isString = (value: unknown): value is string => typeof value === "string";
  const model = optional("model", isString, "string_type", "Input should be a valid string");
  const stream = optional("stream", isBool, "bool_type", "Input should be a valid boolean") ?? false;
  const streamOptions = optional("stream_options", isObject, "model_type", "Input should be a valid dictionary or instance of StreamOptions");
  const maxTokensField = endpoint === "/v1/chat/completions" && body.max_completion_tokens !== undefined && body.max_completion_tokens !== null ? "max_completion_tokens" : "max_tokens";
  const maxTokens = optional(maxTokensField, isInt, "int_type", "Input should be a valid integer");
  const minTokens = optional("min_tokens", isInt, "int_type", "Input should be a valid integer") ?? 0;
  const ignoreEos = optional("ignore_eos", isBool, "bool_type", "Input should be a valid boolean") ?? false;
  const n = optional("n", isInt, "int_type", "Input should be a valid integer") ?? 1;
  const seed = optional("seed", isInt, "int_type", "Input should be a valid integer");
  const echo = endpoint === "/v1/completions" ? (optional("echo", isBool, "bool_type", "Input should be a valid boolean") ?? false) : false;

  let promptTokens: string[] = [];
  let contentTokens: string[] = [];
  let promptText = "";
  if (endpoint === "/v1/completions") {
    const prompt = body.prompt;
    if (prompt === undefined) issues.push({ type: "missing", loc: ["body", "prompt"], msg: "Field required", input: body });
    else if (typeof prompt === "string") promptText = prompt;
    else if (Array.isArray(prompt) && prompt.length === 1 && typeof prompt[0] === "string") promptText = prompt[0];
    else if (Array.isArray(prompt) && prompt.length > 0 && prompt.every(isInt)) promptTokens = prompt.map((id) => `<${id}>`);
    else if (Array.isArray(prompt) && prompt.length > 1) throw new VllmApiError(400, "The simulator serves one prompt per request; send a string, one-element list or token ids", "BadRequestError", "prompt");
    else issue("prompt", "string_type", "Input should be a valid string");
    if (promptTokens.length === 0) promptTokens = tokenize(promptText);
    contentTokens = promptTokens;
  } else {
    const messages = body.messages;
    if (messages === undefined) issues.push({ type: "missing", loc: ["body", "messages"], msg: "Field required", input: body });
    else if (!Array.isArray(messages)) issue("messages", "list_type", "Input should be a valid list");
    else {
      const valid: ChatMessageInput[] = [];
      messages.forEach((message: unknown, index) => {
        if (!isObject(message) || typeof message.role !== "string") {
          issues.push({ type: "missing", loc: ["body", "messages", index, "role"], msg: "Field required", input: message });
          return;
        }
        const content = message.content;
        if (content !== undefined && content !== null && typeof content !== "string" && !Array.isArray(content)) {
          issues.push({ type: "string_type", loc: ["body", "messages", index, "content"], msg: "Input should be a valid string", input: content });
          return;
        }
        valid.push({ role: message.role, content: (content ?? null) as ChatMessageInput["content"] });
      });
      promptTokens = chatPromptTokens(valid);
      contentTokens = promptTokens.filter((token) => !token.startsWith("<|"));
    }
  }
  if (issues.length > 0) throw validationError(issues);

  // SamplingParams._verify_args messages (vllm/sampling_params.py).
  if (n < 1) throw new VllmApiError(400, `n must be at least 1, got ${n}.`, "BadRequestError");
  if (maxTokens !== undefined && maxTokens < 1) throw new VllmApiError(400, `max_tokens must be at least 1, got ${maxTokens}.`, "BadRequestError");
  if (minTokens < 0) throw new VllmApiError(400, `min_tokens must be greater than or equal to 0, got ${minTokens}.`, "BadRequestError");
  if (maxTokens !== undefined && minTokens > maxTokens) throw new VllmApiError(400, `min_tokens must be less than or equal to max_tokens=${maxTokens}, got ${minTokens}.`, "BadRequestError");
  if (promptTokens.length === 0) throw new VllmApiError(400, "The prompt cannot be empty", "BadRequestError");
  const includeUsage = streamOptions?.include_usage === true;
  if (streamOptions !== undefined && !stream) throw new VllmApiError(400, "Stream options can only be defined when `stream=True`.", "BadRequestError");
  return {
    endpoint,
    model,
    stream,
    includeUsage,
    continuousUsageStats: streamOptions?.continuous_usage_stats === true,
    maxTokens,
    minTokens,
    ignoreEos,
    n,
    seed,
    echo,
    promptTokens,
    contentTokens,
    promptText,
  };
}

/**
 * max_tokens in force and the context-length check (vLLM's serving messages): chat
 * without max_tokens gets what is left of the context; completions default to 16.
 */
export function resolveMaxTokens(request: CompletionRequest, maxModelLen: number): number {
  const input = request.promptTokens.length;
  if (input >= maxModelLen) {
    throw new VllmApiError(400, `This model's maximum context length is ${maxModelLen} tokens. However, your request has ${input} input tokens. Please reduce the length of the input messages.`, "BadRequestError");
  }
  const maxTokens = request.maxTokens ?? (request.endpoint === "/v1/completions" ? 16 : maxModelLen - input);
  if (input + maxTokens > maxModelLen) {
    throw new VllmApiError(
      400,
      `'max_tokens' or 'max_completion_tokens' is too large: ${maxTokens}. This model's maximum context length is ${maxModelLen} tokens and your request has ${input} input tokens (${maxTokens} > ${maxModelLen} - ${input}).`,
      "BadRequestError",
    );
  }
  return maxTokens;
}
