/**
 * NVML return codes (`nvmlReturn_t`) the agent treats specially. The rest are
 * reported through nvmlErrorString. Values from the NVML 13.3 header.
 */
export const NVML_SUCCESS = 0;
export const NVML_ERROR_UNINITIALIZED = 1;
export const NVML_ERROR_NOT_SUPPORTED = 3;
export const NVML_ERROR_NO_PERMISSION = 4;
export const NVML_ERROR_INSUFFICIENT_SIZE = 7;
export const NVML_ERROR_TIMEOUT = 10;
export const NVML_ERROR_FUNCTION_NOT_FOUND = 13;
export const NVML_ERROR_GPU_IS_LOST = 15;

/**
 * Codes that mean "this device does not report this value": the metric is omitted for
 * the device and the device stays up. NO_PERMISSION is included because an unprivileged
 * agent (containers) gets it for a few functions on healthy GPUs, e.g. process lists.
 */
export function isUnsupported(code: number): boolean {
  return code === NVML_ERROR_NOT_SUPPORTED || code === NVML_ERROR_NO_PERMISSION || code === NVML_ERROR_FUNCTION_NOT_FOUND;
}
