/**
 * The kernel's page size, for /proc/<pid>/stat's rss (in pages). 4096 on x86_64, but
 * aarch64 kernels are often built with 64 KiB pages (e.g. NVIDIA Grace hosts), and Bun
 * has no sysconf(_SC_PAGESIZE).
 */
import { open } from "node:fs/promises";

/** Parses the first `KernelPageSize:  4 kB` line of a smaps text; null when absent. */
export function parseKernelPageSize(smaps: string): number | null {
  const match = /^KernelPageSize:\s+(\d+) kB$/m.exec(smaps);
  return match === null ? null : Number(match[1]) * 1024;
}

/**
 * Reads the page size from the first mapping of `/proc/self/smaps` (proc(5)). Only the
 * first 4 KiB are read: the file lists every mapping of this process and can be large.
 */
export async function readPageSize(smapsPath = "/proc/self/smaps"): Promise<number> {
  const file = await open(smapsPath, "r");
  try {
    const buffer = Buffer.alloc(4096);
    const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
    const pageSize = parseKernelPageSize(buffer.toString("utf8", 0, bytesRead));
    if (pageSize === null) throw new Error(`Cannot find KernelPageSize in the first ${bytesRead} bytes of ${smapsPath}`);
    return pageSize;
  } finally {
    await file.close();
  }
}
