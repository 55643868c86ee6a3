/** Parses /proc/net/tcp and /proc/net/tcp6 (proc(5)) to find listening sockets. */
import { ProcParseError } from "./host-errors.ts";

/** `st` value of TCP_LISTEN (include/net/tcp_states.h), as /proc/net/tcp prints it. */
const TCP_LISTEN = "0A";

/**
 * Returns the socket inodes in LISTEN state on `port` (any local address). Lines look like
 * `0: 00000000:1F40 00000000:0000 0A ... uid timeout inode`: the local address is hex
 * `ADDR:PORT` (32 hex digits of address in tcp6), the state is field 4 and the inode field 10.
 * The inode is a string: it is compared with `socket:[inode]` links and may exceed 2^53.
 *
 * @example listeningInodes(await Bun.file("/proc/net/tcp").text(), 8000) // ["123456"]
 */
export function listeningInodes(text: string, port: number): string[] {
  const inodes: string[] = [];
  const lines = text.split("\n");
  for (let index = 1; index < lines.length; index++) {
    const fields = (lines[index] ?? "").trim().split(/\s+/);
    if (fields.length === 1 && fields[0] === "") continue;
    const local = fields[1];
    const inode = fields[9];
    const colon = local?.lastIndexOf(":") ?? -1;
    if (local === undefined || inode === undefined || colon === -1) {
      throw new ProcParseError("/proc/net/tcp", `line ${index + 1}: ${JSON.stringify(lines[index])} is not a socket line`);
    }
    if (fields[3] === TCP_LISTEN && Number.parseInt(local.slice(colon + 1), 16) === port) inodes.push(inode);
  }
  return inodes;
}
