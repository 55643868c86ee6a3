/**
 * Typed NVML failures. NvmlError carries the NVML code and the function that
 * returned it; NvmlUnavailableError means there is no usable NVML at all (library
 * missing, driver not loaded, driver/library mismatch): the agent runs without GPUs.
 */

/** An NVML call returned a failure code. */
export class NvmlError extends Error {
  override readonly name = "NvmlError";
  readonly code: number;
  readonly functionName: string;

  constructor(functionName: string, code: number, description: string) {
    super(`${functionName} failed: ${description} (NVML code ${code})`);
    this.code = code;
    this.functionName = functionName;
  }
}

/** NVML cannot be used on this host; `message` is the one log line an operator reads. */
export class NvmlUnavailableError extends Error {
  override readonly name = "NvmlUnavailableError";
}
