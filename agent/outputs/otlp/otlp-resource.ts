/**
 * The OTLP resource: who is reporting. service.name, service.version, host.name and
 * host.id (the machine id, as the collector's resourcedetection processor reads it),
 * then the operator's --otlp-resource pairs, which win.
 */
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { type Resource, resourceFromAttributes } from "@opentelemetry/resources";

export interface OtlpResourceOptions {
  readonly version: string;
  readonly extra: Readonly<Record<string, string>>;
  readonly hostName?: string;
  /** Reads /etc/machine-id; injectable for tests. */
  readonly readMachineId?: () => string | null;
}

/** Builds the resource once at start. */
export function otlpResource(options: OtlpResourceOptions): Resource {
  const machineId = (options.readMachineId ?? readMachineId)();
  const attributes: Record<string, string> = {
    "service.name": "vigil-agent",
    "service.version": options.version,
    "host.name": options.hostName ?? hostname(),
    ...(machineId ? { "host.id": machineId } : {}),
    ...options.extra,
  };
  return resourceFromAttributes(attributes);
}

function readMachineId(): string | null {
  for (const path of ["/etc/machine-id", "/var/lib/dbus/machine-id"]) {
    try {
      const id = readFileSync(path, "utf8").trim();
      if (id) return id;
    } catch {
      // Absent in many containers; the next path, then no host.id.
    }
  }
  return null;
}
