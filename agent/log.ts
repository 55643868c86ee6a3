/**
 * logfmt lines on stderr (`time=... level=warn msg="..." source=vllm`), the format
 * Prometheus' own binaries write, so the same log pipelines read both.
 */
import type { LogLevel } from "./config/agent-config.ts";

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined>>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

/** Creates a logger writing lines at `level` or above; `write` and `now` are injectable for tests. */
export function createLogger(level: LogLevel, options: { write?: (line: string) => void; now?: () => number } = {}): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const now = options.now ?? Date.now;
  const emit = (lineLevel: LogLevel) => (msg: string, fields: LogFields = {}) => {
    if (RANK[lineLevel] < RANK[level]) return;
    let line = `time=${new Date(now()).toISOString()} level=${lineLevel} msg=${quote(msg)}`;
    for (const [key, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      line += ` ${key}=${quote(String(value))}`;
    }
    write(`${line}\n`);
  };
  return { debug: emit("debug"), info: emit("info"), warn: emit("warn"), error: emit("error") };
}

function quote(value: string): string {
  return /^[\w.:/@+-]+$/.test(value) ? value : JSON.stringify(value);
}
