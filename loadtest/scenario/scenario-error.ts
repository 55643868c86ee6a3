/** Errors about scenario files: every problem at once, each with its field path; the CLI exits 2. */

/** A scenario that failed validation or could not be loaded. */
export class ScenarioError extends Error {
  readonly code = "scenario";
  override readonly name = "ScenarioError";
  constructor(
    /** The scenario file (or "" for one built in code). */
    readonly file: string,
    /** One line per problem, `field.path: what is wrong, got value`. */
    readonly problems: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`${file === "" ? "scenario" : file}: ${problems.length === 1 ? problems[0] : `${problems.length} problems:\n  ${problems.join("\n  ")}`}`, options);
  }
}
