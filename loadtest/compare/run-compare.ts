/**
 * The compare command without the process around it: reads both reports, compares, renders the
 * requested views and writes the extra files. Returns the exit code and the stdout text, so the CLI
 * (main.ts) and the CI gate share one path and tests call it directly.
 */
import { dirname } from "node:path";
import { mkdir } from "node:fs/promises";
import { compareReports } from "./compare-reports.ts";
import { CompareUsageError, IncompatibleReportsError, ReportReadError } from "./compare-errors.ts";
import type { Comparison } from "./comparison-types.ts";
import { COMPARE_USAGE, type CompareArgs, type CompareFormat, parseCompareArgs } from "./parse-compare-args.ts";
import { readReport } from "./read-report.ts";
import { formatJson } from "./views/format-json.ts";
import { formatJunit } from "./views/format-junit.ts";
import { formatMarkdown } from "./views/format-markdown.ts";
import { formatTable } from "./views/format-table.ts";
import { renderComparisonHtml } from "./views/render-comparison-html.ts";

/** What a compare run produced. */
export interface CompareOutcome {
  /** 0 no regression, 1 regression, 2 usage error or incompatible reports. */
  readonly exitCode: 0 | 1 | 2;
  readonly stdout: string;
  /** One line for stderr (the error), or "". */
  readonly stderr: string;
  readonly comparison: Comparison | null;
}

const RENDER: Readonly<Record<CompareFormat, (c: Comparison) => string>> = { table: formatTable, markdown: formatMarkdown, junit: formatJunit, json: formatJson };

/** Runs `compare` for an argv (after the script name). */
export async function runCompare(argv: readonly string[]): Promise<CompareOutcome> {
  let args: CompareArgs;
  try {
    args = parseCompareArgs(argv);
  } catch (error) {
    return failure(error);
  }
  if (args.help) return { exitCode: 0, stdout: COMPARE_USAGE, stderr: "", comparison: null };
  try {
    const [baseline, candidate] = await Promise.all([readReport(args.baseline), readReport(args.candidate)]);
    const comparison = compareReports(baseline, candidate, { tolerances: args.tolerances, confidence: args.confidence, noiseFloor: args.noiseFloor, jitterMs: args.jitterMs, force: args.force });
    for (const [kind, path] of Object.entries(args.files) as Array<[CompareFormat | "html", string]>) {
      await mkdir(dirname(path), { recursive: true });
      await Bun.write(path, kind === "html" ? renderComparisonHtml(comparison, baseline, candidate) : RENDER[kind](comparison));
    }
    return { exitCode: comparison.verdict === "regression" ? 1 : 0, stdout: RENDER[args.format](comparison), stderr: "", comparison };
  } catch (error) {
    return failure(error);
  }
}

function failure(error: unknown): CompareOutcome {
  if (error instanceof CompareUsageError || error instanceof IncompatibleReportsError || error instanceof ReportReadError || error instanceof RangeError) {
    return { exitCode: 2, stdout: "", stderr: `compare: ${error.message}`, comparison: null };
  }
  throw error;
}
