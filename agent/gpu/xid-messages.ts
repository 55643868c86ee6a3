/**
 * Short descriptions of common XID codes, for dcgm-exporter's `err_msg` label on
 * DCGM_FI_DEV_XID_ERRORS (texts after NVIDIA's XID catalogue, as dcgm-exporter's
 * internal/pkg/collector/xid_errors.go carries them; the rare ones read "Unknown Error").
 */
const MESSAGES: Readonly<Record<number, string>> = {
  0: "No Error",
  8: "GPU stopped processing",
  13: "Graphics Engine Exception",
  31: "GPU memory page fault",
  32: "Invalid or corrupted push buffer stream",
  38: "Driver firmware error",
  43: "GPU stopped processing",
  44: "Graphics Engine fault during context switch",
  45: "Preemptive cleanup, due to previous errors -- Most likely to see when running multiple cuda applications and hitting a DBE",
  48: "Double Bit ECC Error",
  56: "Display Engine error",
  57: "Error programming video memory interface",
  58: "Unstable video memory interface detected",
  61: "Internal micro-controller breakpoint/warning (newer drivers)",
  62: "Internal micro-controller halt (newer drivers)",
  63: "ECC page retirement or row remapping recording event",
  64: "ECC page retirement or row remapper recording failure",
  68: "NVDEC0 Exception",
  69: "Graphics Engine class error",
  74: "NVLINK Error",
  79: "GPU has fallen off the bus",
  92: "High single-bit ECC error rate",
  94: "Contained ECC error",
  95: "Uncontained ECC error",
  119: "GSP RPC Timeout",
  120: "GSP Error",
};

/** The description of an XID code, "Unknown Error" when not in the table. */
export function xidMessage(xid: number): string {
  return MESSAGES[xid] ?? "Unknown Error";
}
