/**
 * Is NVML usable, and if not, why: no library (no NVIDIA driver, or the wrong
 * --nvml-library), driver/library mismatch (a driver upgraded without a reboot),
 * driver not loaded, or no permission on /dev/nvidia*; then one line per GPU.
 */
import { openGpuSource } from "../gpu/gpu-source.ts";
import { createLogger } from "../log.ts";
import type { DoctorCheck } from "./doctor-check.ts";

/** nvmlReturn_t codes worth explaining (nvml.h). */
const EXPLAINED: Record<number, string> = {
  4: "no permission: the agent's user cannot open /dev/nvidia* (add it to the video group, or run the container with the NVIDIA runtime)",
  9: "the NVIDIA kernel driver is not loaded (modprobe nvidia, or check dmesg)",
  12: "the NVML library was found but could not load its dependencies",
  18: "the driver and libnvidia-ml versions differ (the driver was upgraded without a reboot): reboot or reload the nvidia kernel module",
};

/** Runs the check; never throws. */
export async function checkNvml(libraryPath: string, procRoot: string): Promise<DoctorCheck[]> {
  const source = openGpuSource({ libraryPath, procRoot, logger: createLogger("error", { write: () => undefined }), worker: false });
  try {
    const controller = new AbortController();
    const { value: gpus, errors } = await source.read(controller.signal);
    const unavailable = errors.find((e) => e.code === "nvml_unavailable");
    if (unavailable) return [explain(libraryPath, unavailable.message)];
    const checks: DoctorCheck[] = [];
    const first = gpus[0];
    const simulated = gpus.some((g) => g.simulated);
    checks.push({
      subject: "nvml",
      status: gpus.length === 0 ? "warn" : "ok",
      message: gpus.length === 0
        ? `loaded ${libraryPath}, but NVML sees no GPU`
        : `${gpus.length} GPU${gpus.length === 1 ? "" : "s"} via ${libraryPath} (driver ${first?.driverVersion}, NVML ${first?.nvmlVersion}, CUDA ${first?.cudaDriverVersion})${simulated ? " [simulated: a fake NVML, not hardware]" : ""}`,
    });
    for (const gpu of gpus) {
      const failure = errors.find((e) => e.target === `gpu${gpu.index}`);
      const memory = gpu.memoryTotalBytes === null ? "" : `, ${Math.round(gpu.memoryTotalBytes / 1024 ** 2)} MiB`;
      checks.push({
        subject: `gpu${gpu.index}`,
        status: failure ? "fail" : "ok",
        message: failure ? failure.message : `${gpu.name} ${gpu.uuid} at ${gpu.pciBusId}${memory}`,
      });
    }
    return checks;
  } finally {
    await source.close();
  }
}

function explain(libraryPath: string, message: string): DoctorCheck {
  if (/cannot open shared object file|No such file|not found/i.test(message) && !/NVML code/.test(message)) {
    // A host without the NVIDIA driver is a CPU host, not a broken one: the agent runs without GPU metrics.
    return { subject: "nvml", status: "warn", message: `${libraryPath} not found: no NVIDIA driver on this host (or pass --nvml-library PATH); the agent serves no GPU metrics` };
  }
  const code = Number(/NVML code (\d+)/.exec(message)?.[1] ?? NaN);
  const why = EXPLAINED[code];
  return { subject: "nvml", status: "fail", message: why ? `${why} (${message.replace(/; serving no GPU metrics$/, "")})` : message };
}
