/**
 * vLLM's error responses (since v0.10.1, PR #22099): `{"error": {"message", "type",
 * "param", "code"}}` with the HTTP status repeated in `code`.
 */

/** An error the API answers with; thrown by request parsing and caught by the server. */
export class VllmApiError extends Error {
  override readonly name = "VllmApiError";
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly param: string | null = null,
  ) {
    super(message);
  }
}

/** The error body, as a JSON string. */
export function vllmErrorBody(error: VllmApiError): string {
  return JSON.stringify({ error: { message: error.message, type: error.type, param: error.param, code: error.status } });
}

/** The response for an error (JSON, vLLM's status). */
export function vllmErrorResponse(error: VllmApiError, headers: Record<string, string> = {}): Response {
  return new Response(vllmErrorBody(error), { status: error.status, headers: { "content-type": "application/json", ...headers } });
}

/** Error types vLLM uses per status (create_error_response's err_type). */
export const ERROR_TYPE_BY_STATUS: Readonly<Record<number, string>> = {
  400: "BadRequestError",
  404: "NotFoundError",
  429: "RateLimitError",
  500: "InternalServerError",
  503: "ServiceUnavailableError",
};

/** Python's repr() of a JSON value, for messages that quote pydantic's error list. */
export function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : String(value);
  if (typeof value === "string") return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n")}'`;
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(", ")}]`;
  if (typeof value === "object") return `{${Object.entries(value as Record<string, unknown>).map(([key, item]) => `${pythonRepr(key)}: ${pythonRepr(item)}`).join(", ")}}`;
  return String(value);
}

/** One pydantic validation error, as FastAPI reports it. */
export interface ValidationIssue {
  readonly type: string;
  readonly loc: readonly (string | number)[];
  readonly msg: string;
  readonly input: unknown;
}

/** A 400 for request validation errors, with pydantic's error list as the message (vLLM's validation_exception_handler). */
export function validationError(issues: readonly ValidationIssue[]): VllmApiError {
  const list = issues.map((issue) => `{'type': ${pythonRepr(issue.type)}, 'loc': (${issue.loc.map(pythonRepr).join(", ")}${issue.loc.length === 1 ? "," : ""}), 'msg': ${pythonRepr(issue.msg)}, 'input': ${pythonRepr(issue.input)}}`);
  return new VllmApiError(400, `[${list.join(", ")}]`, "Bad Request");
}
