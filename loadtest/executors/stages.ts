/** Ramp stages shared by the ramping executors: `{ duration, target }`, linear from the previous target. */
import { type Problems, isRecord, readDurationMs, readNumber, rejectUnknownKeys, show } from "../scenario/problems.ts";

/** A normalized stage. */
export interface Stage {
  readonly durationMs: number;
  readonly target: number;
}

/** Checks `stages`: a non-empty array of `{ duration, target }` with target >= 0 (integers when `integer`). */
export function validateStages(value: unknown, path: string, problems: Problems, options: { readonly integer: boolean }): Stage[] | undefined {
  if (!Array.isArray(value) || value.length === 0) {
    problems.add(path, `must be a non-empty array of { duration, target }, got ${show(value)}`);
    return undefined;
  }
  const stages: Stage[] = [];
  let ok = true;
  value.forEach((item, index) => {
    const itemPath = `${path}[${index}]`;
    if (!isRecord(item)) {
      problems.add(itemPath, `must be { duration, target }, got ${show(item)}`);
      ok = false;
      return;
    }
    rejectUnknownKeys(item, itemPath, problems, ["duration", "target"]);
    const durationMs = readDurationMs(item.duration, `${itemPath}.duration`, problems);
    const target = readNumber(item.target, `${itemPath}.target`, problems, { min: 0, integer: options.integer });
    if (durationMs === undefined || target === undefined) ok = false;
    else stages.push({ durationMs, target });
  });
  if (ok && stages.every((stage) => stage.durationMs === 0)) {
    problems.add(path, "must last more than 0 s in total");
    return undefined;
  }
  return ok ? stages : undefined;
}

/** Total time of the stages. */
export function stagesDurationMs(stages: readonly Stage[]): number {
  return stages.reduce((sum, stage) => sum + stage.durationMs, 0);
}

/** The level a ramp's warm-up runs at: its start, or the first stage's target when it starts at 0. */
export function warmupLevel(start: number, stages: readonly Stage[]): number {
  return start > 0 ? start : (stages[0]?.target ?? 0);
}

/** The area under a ramp (level x seconds): requests for a rate ramp, linear between stage targets. */
export function rampArea(start: number, stages: readonly Stage[]): number {
  let from = start;
  let area = 0;
  for (const stage of stages) {
    area += ((from + stage.target) / 2) * (stage.durationMs / 1000);
    from = stage.target;
  }
  return area;
}
