/**
 * `bun run report <report.json> [--out report.html]`: re-renders the HTML view of a saved report
 * (a pure function of the JSON), by default as report.html beside it, and prints the path.
 */
import { dirname, join } from "node:path";
import { UsageError } from "../../agent/errors.ts";
import { renderReportHtml } from "./html/render-report-html.ts";
import { readReportFile } from "./read-report-file.ts";

const HELP = `Usage: bun run report <report.json> [--out FILE]

Re-renders report.html from a saved report.json (schema vigil.report/v1).

  --out FILE   where to write the HTML (default: report.html beside the JSON)
  --help       this text
`;

/** Parsed command line. */
interface ReportCommand {
  readonly input: string;
  readonly out: string;
}

function parseArgs(argv: readonly string[]): ReportCommand | "help" {
  let input: string | undefined;
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--help" || arg === "-h") return "help";
    if (arg === "--out") {
      out = argv[++i];
      if (out === undefined || out === "") throw new UsageError("--out needs a file path");
    } else if (arg.startsWith("--out=")) out = arg.slice(6);
    else if (arg.startsWith("-")) throw new UsageError(`Unknown flag ${arg} (see --help)`);
    else if (input === undefined) input = arg;
    else throw new UsageError(`Unexpected argument ${arg}: give one report.json`);
  }
  if (input === undefined) throw new UsageError("Give the report.json to render (see --help)");
  return { input, out: out ?? join(dirname(input), "report.html") };
}

async function main(argv: readonly string[]): Promise<number> {
  try {
    const command = parseArgs(argv);
    if (command === "help") {
      process.stdout.write(HELP);
      return 0;
    }
    const report = await readReportFile(command.input);
    await Bun.write(command.out, renderReportHtml(report));
    process.stdout.write(`${command.out}\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`report: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`report: failed: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
