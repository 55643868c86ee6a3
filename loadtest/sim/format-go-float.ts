/**
 * Numbers as Python's prometheus_client writes them (`floatToGoString` over `repr`), so
 * the simulator's /metrics is byte-for-byte vLLM's style: `8.0`, `0.0063`, `1e-05`,
 * `1.048576e+06` (7+ integer digits), and the real quirk `2.4073863168e+010` for
 * 11-digit values (shared/reference/vllm.md §1.1).
 */

/** Python's repr(float): shortest round-trip digits, fixed notation for exponents -4..15, else `d.ddde±XX`. */
export function pythonFloatRepr(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
  const [mantissa, exponentText] = value.toExponential().split("e") as [string, string];
  const exponent = Number(exponentText);
  const negative = mantissa.startsWith("-");
  const digits = mantissa.replace("-", "").replace(".", "");
  const sign = negative ? "-" : "";
  if (exponent < -4 || exponent >= 16) {
    const tail = digits.length > 1 ? `.${digits.slice(1)}` : "";
    const expAbs = Math.abs(exponent);
    return `${sign}${digits[0]}${tail}e${exponent < 0 ? "-" : "+"}${expAbs < 10 ? `0${expAbs}` : expAbs}`;
  }
  if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
  const intLength = exponent + 1;
  if (digits.length <= intLength) return `${sign}${digits}${"0".repeat(intLength - digits.length)}.0`;
  return `${sign}${digits.slice(0, intLength)}.${digits.slice(intLength)}`;
}

/**
 * prometheus_client's floatToGoString.
 * @example formatGoFloat(8) // "8.0"
 * @example formatGoFloat(24073863168) // "2.4073863168e+010"
 */
export function formatGoFloat(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  if (Number.isNaN(value)) return "NaN";
  const repr = pythonFloatRepr(value);
  const dot = repr.indexOf(".");
  // Go switches to exponents sooner than Python (prometheus_client/utils.py).
  if (value > 0 && dot > 6) {
    const mantissa = `${repr[0]}.${repr.slice(1, dot)}${repr.slice(dot + 1)}`.replace(/[0.]+$/, "");
    return `${mantissa}e+0${dot - 1}`;
  }
  return repr;
}
