/** Parses /proc/net/dev (proc(5)) for node_exporter's node_network_*_total counters. */
import type { NetworkReading } from "../sample.ts";
import { ProcParseError } from "./host-errors.ts";

const FILE = "/proc/net/dev";

/**
 * Parses the text of /proc/net/dev: two header lines, then `iface: 8 receive columns
 * 8 transmit columns` (bytes packets errs drop fifo frame compressed multicast |
 * bytes packets errs drop fifo colls carrier compressed). Device names are trimmed.
 * Every device is returned; excluding `lo` is the exposition's choice.
 *
 * @example parseNetDev(text).find((n) => n.device === "eth0")?.receiveBytesTotal
 */
export function parseNetDev(text: string): NetworkReading[] {
  const readings: NetworkReading[] = [];
  const lines = text.split("\n");
  if (!(lines[1] ?? "").includes("|")) throw new ProcParseError(FILE, "missing the two header lines");
  for (let index = 2; index < lines.length; index++) {
    const line = lines[index] ?? "";
    if (line.trim() === "") continue;
    // The last colon: old kernels print `eth0:123456` with no space once the byte count is wide.
    const colon = line.lastIndexOf(":");
    const device = line.slice(0, colon).trim();
    const columns = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    if (colon <= 0 || device === "" || columns.length < 16 || columns.some((value) => !Number.isFinite(value))) {
      throw new ProcParseError(FILE, `line ${index + 1}: ${JSON.stringify(line)} is not \`iface: 16 counters\``);
    }
    const column = (at: number): number => columns[at] ?? 0;
    readings.push({
      device,
      receiveBytesTotal: column(0),
      receivePacketsTotal: column(1),
      receiveErrsTotal: column(2),
      receiveDropTotal: column(3),
      transmitBytesTotal: column(8),
      transmitPacketsTotal: column(9),
      transmitErrsTotal: column(10),
      transmitDropTotal: column(11),
    });
  }
  return readings;
}
