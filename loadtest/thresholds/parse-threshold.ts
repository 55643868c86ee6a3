/**
 * k6's threshold grammar (docs: using-k6/thresholds): `<aggregation> <operator> <number>`, with
 * aggregation `avg|min|max|med|count|rate|value|p(N)` and operator `<|<=|>|>=|==|===|!=`.
 */
import type { ParsedThreshold, ThresholdOperator } from "./threshold-types.ts";

/** A threshold expression that does not follow the grammar. */
export class ThresholdSyntaxError extends Error {
  readonly code = "threshold_syntax";
  override readonly name = "ThresholdSyntaxError";
}

const EXPRESSION = /^\s*(avg|min|max|med|count|rate|value|p\(\s*([0-9]+(?:\.[0-9]+)?)\s*\))\s*(<=|>=|===|==|!=|<|>)\s*(-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)\s*$/;

/**
 * Parses one expression.
 * @throws ThresholdSyntaxError naming the expression and what is wrong.
 * @example parseThreshold("p(95)<500") // { aggregation: "p(95)", percentile: 95, operator: "<", limit: 500 }
 */
export function parseThreshold(expression: string): ParsedThreshold {
  const match = EXPRESSION.exec(expression);
  if (!match) {
    throw new ThresholdSyntaxError(
      `cannot parse threshold '${expression}': expected '<aggregation> <operator> <number>' such as 'p(95)<500' (aggregations avg, min, max, med, count, rate, value, p(N); operators < <= > >= == !=)`,
    );
  }
  const [, aggregationText, percentileText, operatorText, limitText] = match as unknown as [string, string, string | undefined, string, string];
  let percentile: number | null = null;
  let aggregation = aggregationText;
  if (percentileText !== undefined) {
    percentile = Number(percentileText);
    if (percentile > 100) throw new ThresholdSyntaxError(`cannot parse threshold '${expression}': percentile must be 0..100, got ${percentile}`);
    aggregation = `p(${percentile})`;
  }
  const operator: ThresholdOperator = operatorText === "===" ? "==" : (operatorText as ThresholdOperator);
  return { aggregation, percentile, operator, limit: Number(limitText) };
}

/** Applies the operator: `compare(actual, "<", 500)`. */
export function compareThreshold(actual: number, operator: ThresholdOperator, limit: number): boolean {
  switch (operator) {
    case "<":
      return actual < limit;
    case "<=":
      return actual <= limit;
    case ">":
      return actual > limit;
    case ">=":
      return actual >= limit;
    case "==":
      return actual === limit;
    case "!=":
      return actual !== limit;
  }
}
