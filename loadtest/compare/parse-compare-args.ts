/** The `bun run compare` command line, parsed and checked (all problems at once, one CompareUsageError). */
import { CompareUsageError } from "./compare-errors.ts";
import { parseTolerances, type Tolerances } from "./parse-tolerances.ts";

/** The output formats of stdout. */
export const COMPARE_FORMATS = ["table", "markdown", "junit", "json"] as const;
export type CompareFormat = (typeof COMPARE_FORMATS)[number];

/** What the command was asked to do. */
export interface CompareArgs {
  readonly help: boolean;
  readonly baseline: string;
  readonly candidate: string;
  readonly format: CompareFormat;
  readonly tolerances: Tolerances;
  readonly confidence: number | undefined;
  readonly noiseFloor: number | undefined;
  readonly jitterMs: number | undefined;
  readonly force: boolean;
  /** Extra files: each format to a path, beside what goes to stdout. */
  readonly files: Readonly<Partial<Record<CompareFormat | "html", string>>>;
}

/** The help text. */
export const COMPARE_USAGE = `Usage: bun run compare <baseline.json|dir> <candidate.json|dir> [options]

Compares two vigil.report/v1 reports metric by metric (TTFT, ITL, TPOT, E2E at p50/p95/p99,
throughput, goodput, error rate); a change counts only outside the run-to-run noise.

Options:
  --tolerance LIST     allowed worsening per metric, e.g. ttft_p95=5%,itl=10%,error_rate=0.5%
                       (keys: ttft_p50 ... e2e_p99, requests_per_s, output_tokens_per_s, goodput_per_s,
                       error_rate; groups: ttft, itl, tpot, e2e, latency, throughput, goodput, all)
  --format FORMAT      stdout format: table (default), markdown, junit, json
  --markdown FILE      also write Markdown (e.g. $GITHUB_STEP_SUMMARY)
  --junit FILE         also write JUnit XML
  --json FILE          also write the comparison JSON
  --html FILE          also write a self-contained comparison page (distributions overlaid)
  --confidence P       two-sided confidence of the noise interval (default 0.997)
  --noise-floor PCT    smallest relative noise of one report (default 1%)
  --jitter-ms MS       smallest absolute latency noise of one report (default 0.1)
  --force              compare even when scenario, model or workload differ (differences become warnings)
  -h, --help           this text

Exit: 0 no regression, 1 regression, 2 usage error or incompatible reports.
`;

/** Parses argv (after the script name). */
export function parseCompareArgs(argv: readonly string[]): CompareArgs {
  const problems: string[] = [];
  const positional: string[] = [];
  const files: Partial<Record<CompareFormat | "html", string>> = {};
  let format: CompareFormat = "table";
  let tolerances: Tolerances = {};
  let confidence: number | undefined;
  let noiseFloor: number | undefined;
  let jitterMs: number | undefined;
  let force = false;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = (): string | undefined => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--")) {
        problems.push(`${flag} needs a value`);
        return undefined;
      }
      i++;
      return next;
    };
    switch (flag) {
      case "-h":
      case "--help":
        help = true;
        break;
      case "--force":
        force = true;
        break;
      case "--format": {
        const v = value();
        if (v === undefined) break;
        if ((COMPARE_FORMATS as readonly string[]).includes(v)) format = v as CompareFormat;
        else problems.push(`--format must be one of ${COMPARE_FORMATS.join(", ")}: current value is ${v}`);
        break;
      }
      case "--tolerance": {
        const v = value();
        if (v === undefined) break;
        try {
          tolerances = { ...tolerances, ...parseTolerances(v) };
        } catch (error) {
          problems.push((error as Error).message);
        }
        break;
      }
      case "--markdown":
      case "--junit":
      case "--json":
      case "--html": {
        const v = value();
        if (v !== undefined) files[flag.slice(2) as CompareFormat | "html"] = v;
        break;
      }
      case "--confidence": {
        const v = value();
        if (v === undefined) break;
        const n = parseFraction(v);
        if (n !== null && n > 0 && n < 1) confidence = n;
        else problems.push(`--confidence must be between 0 and 1 (e.g. 0.997 or 99.7%): current value is ${v}`);
        break;
      }
      case "--noise-floor": {
        const v = value();
        if (v === undefined) break;
        const n = parseFraction(v);
        if (n !== null && n >= 0 && n < 1) noiseFloor = n;
        else problems.push(`--noise-floor must be a fraction in [0, 1) (e.g. 1%): current value is ${v}`);
        break;
      }
      case "--jitter-ms": {
        const v = value();
        if (v === undefined) break;
        const n = Number(v);
        if (Number.isFinite(n) && n >= 0) jitterMs = n;
        else problems.push(`--jitter-ms must be a number >= 0: current value is ${v}`);
        break;
      }
      default:
        if (arg.startsWith("-") && arg !== "-") problems.push(`unknown option ${arg}`);
        else positional.push(arg);
    }
  }
  if (!help) {
    if (positional.length !== 2) problems.push(`expected <baseline> <candidate>, got ${positional.length} path${positional.length === 1 ? "" : "s"}`);
    if (problems.length > 0) throw new CompareUsageError(`${problems.join("; ")} (see --help)`);
  }
  return { help, baseline: positional[0] ?? "", candidate: positional[1] ?? "", format, tolerances, confidence, noiseFloor, jitterMs, force, files };
}

/** `0.05`, `5%` -> 0.05; null when not a number. */
function parseFraction(text: string): number | null {
  const match = /^([0-9]*\.?[0-9]+)(%?)$/.exec(text.trim());
  if (!match) return null;
  return Number(match[1]) / (match[2] === "%" ? 100 : 1);
}
