/** One line of `vigil-agent doctor`: what was checked, how it went, and why. */

/** ok: works; warn: works with a caveat (nothing to fix to run); fail: fix it; skip: not configured. */
export type DoctorStatus = "ok" | "warn" | "fail" | "skip";

export interface DoctorCheck {
  /** Short subject: "nvml", "gpu0", "vllm http://127.0.0.1:8000", "listen", "otlp", "clock". */
  readonly subject: string;
  readonly status: DoctorStatus;
  readonly message: string;
}

/** `ok    nvml         2 GPUs via ...`: one line per check, aligned. */
export function renderDoctorReport(checks: readonly DoctorCheck[]): string {
  const width = Math.min(40, Math.max(...checks.map((c) => c.subject.length), 0));
  return checks.map((c) => `${c.status.padEnd(5)} ${c.subject.padEnd(width)}  ${c.message}\n`).join("");
}

/** 1 when any check failed, else 0. */
export function doctorExitCode(checks: readonly DoctorCheck[]): number {
  return checks.some((c) => c.status === "fail") ? 1 : 0;
}

/** A server's Date header and the local time it arrived, for the clock check. */
export interface ClockReading {
  readonly date: string;
  readonly atMs: number;
}

/** The response's Date header, stamped with the local time now (when the response arrived). */
export function clockOf(response: Response): ClockReading | null {
  const date = response.headers.get("date");
  return date ? { date, atMs: Date.now() } : null;
}
