/**
 * The Kubernetes manifests, parsed and checked field by field (there is no cluster
 * here): the DaemonSet, Service and ServiceMonitor select each other, the NVML library
 * mount and the agent's flags agree, resources cover the measured footprint, and the
 * PrometheusRule carries exactly the rule files (and passes promtool).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderPrometheusRule } from "../agent/deploy/kubernetes/build-prometheus-rule.ts";
import { AGENT_BINARY } from "./support/agent-process.ts";
import { findTool } from "./support/require-tool.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const K8S = join(ROOT, "agent/deploy/kubernetes");

// Manifests are free-form YAML: the assertions below are their schema.
type Yaml = any;
const load = (file: string): Yaml => Bun.YAML.parse(readFileSync(join(K8S, file), "utf8"));

const daemonSet = load("daemonset.yaml");
const service = load("service.yaml");
const serviceMonitor = load("servicemonitor.yaml");
const pod = daemonSet.spec.template;
const container = pod.spec.containers[0];

/** Kubernetes quantity to a number: bytes for memory ("96Mi"), cores for CPU ("50m"). */
function quantity(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi)?$/.exec(text);
  if (!match) throw new Error(`not a quantity this test reads: ${text}`);
  const scale = { m: 1e-3, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 }[match[2] ?? ""] ?? 1;
  return Number(match[1]) * scale;
}

function subset(small: Record<string, string>, big: Record<string, string>): boolean {
  return Object.entries(small).every(([k, v]) => big[k] === v);
}

describe("Kubernetes manifests", () => {
  it("DaemonSet: hostPID, GPU nodes, selector matching its pods", () => {
    expect(daemonSet).toMatchObject({ apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "vigil-agent" } });
    expect(subset(daemonSet.spec.selector.matchLabels, pod.metadata.labels)).toBe(true);
    expect(pod.spec.hostPID).toBe(true);
    expect(pod.spec.tolerations).toContainEqual({ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" });
    expect(pod.spec.containers).toHaveLength(1);
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
    expect(container.securityContext.privileged ?? false).toBe(false);
  });

  it("DaemonSet: NVML is loaded from the host's driver library, mounted read-only", () => {
    const env = Object.fromEntries(container.env.map((e: { name: string; value: string }) => [e.name, e.value]));
    const library: string = env.VIGIL_NVML_LIBRARY;
    expect(library).toMatch(/\/libnvidia-ml\.so\.1$/);
    const mount = container.volumeMounts.find((m: { mountPath: string }) => library.startsWith(`${m.mountPath}/`));
    expect(mount, "a volumeMount holding VIGIL_NVML_LIBRARY").toBeDefined();
    expect(mount.readOnly).toBe(true);
    const volume = pod.spec.volumes.find((v: { name: string }) => v.name === mount.name);
    expect(volume.hostPath.path).toMatch(/^\/usr\/lib/);
    expect(volume.hostPath.type).toBe("Directory");
    // --path.rootfs points into a read-only mount of the host's /.
    const rootfs = (container.args as string[]).find((a) => a.startsWith("--path.rootfs="))?.split("=")[1];
    const rootMount = container.volumeMounts.find((m: { mountPath: string }) => m.mountPath === rootfs);
    expect(rootMount).toMatchObject({ readOnly: true, mountPropagation: "HostToContainer" });
    expect(pod.spec.volumes.find((v: { name: string }) => v.name === rootMount.name).hostPath.path).toBe("/");
  });

  it("DaemonSet: every flag and VIGIL_* variable is one the agent knows", async () => {
    const help = await new Response(Bun.spawn([AGENT_BINARY, "--help"], { stdout: "pipe" }).stdout).text();
    for (const arg of container.args as string[]) expect(help, arg).toContain(`  ${arg.split("=")[0]} `);
    for (const { name } of container.env as { name: string }[]) {
      if (name.startsWith("VIGIL_")) expect(help, name).toContain(`[${name}`);
    }
    const listen = container.env.find((e: { name: string }) => e.name === "VIGIL_LISTEN").value as string;
    expect(Number(listen.split(":").at(-1))).toBe(container.ports[0].containerPort);
    expect(container.ports[0]).toMatchObject({ name: "metrics", containerPort: 19400 });
    expect(container.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "metrics" });
    expect(container.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "metrics" });
  });

  it("DaemonSet: requests and limits cover what the agent benchmark measured", () => {
    const { requests, limits } = container.resources;
    for (const key of ["cpu", "memory"]) expect(quantity(requests[key])).toBeLessThanOrEqual(quantity(limits[key]));
    const bench = JSON.parse(readFileSync(join(ROOT, "reports/bench/agent-overhead.json"), "utf8")) as {
      results: { peer: string; rssAfterScrapesBytes: number; idleCpuCoreFraction: number }[];
    };
    const agents = bench.results.filter((r) => r.peer.startsWith("vigil-agent"));
    expect(agents.length).toBeGreaterThan(0);
    const sampled = agents.find((r) => r.peer.includes("1s sampler")) ?? agents[0]!;
    // The request holds the default (1 s sampler) steady state; the limit, every mode with room to spare.
    expect(quantity(requests.memory)).toBeGreaterThan(sampled.rssAfterScrapesBytes);
    expect(quantity(limits.memory)).toBeGreaterThan(2 * Math.max(...agents.map((r) => r.rssAfterScrapesBytes)));
    expect(quantity(requests.cpu)).toBeGreaterThan(sampled.idleCpuCoreFraction);
  });

  it("Service selects the DaemonSet's pods and names the metrics port", () => {
    expect(service).toMatchObject({ apiVersion: "v1", kind: "Service", metadata: { name: "vigil-agent", namespace: daemonSet.metadata.namespace } });
    expect(service.spec.clusterIP).toBe("None");
    expect(subset(service.spec.selector, pod.metadata.labels)).toBe(true);
    expect(service.spec.ports).toEqual([{ name: "metrics", port: 19400, targetPort: "metrics", protocol: "TCP" }]);
  });

  it("ServiceMonitor selects the Service and scrapes its metrics port", () => {
    expect(serviceMonitor).toMatchObject({ apiVersion: "monitoring.coreos.com/v1", kind: "ServiceMonitor" });
    expect(subset(serviceMonitor.spec.selector.matchLabels, service.metadata.labels)).toBe(true);
    expect(serviceMonitor.spec.namespaceSelector.matchNames).toContain(service.metadata.namespace);
    const [endpoint] = serviceMonitor.spec.endpoints;
    expect(endpoint.port).toBe(service.spec.ports[0].name);
    expect(endpoint.path).toBe("/metrics");
    expect(Number.parseInt(endpoint.scrapeTimeout)).toBeLessThan(Number.parseInt(endpoint.interval));
    // The alert rules match up{job="vigil-agent"}: the Operator names the job after the Service.
    expect(serviceMonitor.spec.jobLabel).toBeUndefined();
    expect(service.metadata.name).toBe("vigil-agent");
  });

  it("PrometheusRule is the rule files, unchanged, and passes promtool check rules", async () => {
    expect(readFileSync(join(K8S, "prometheusrule.yaml"), "utf8")).toBe(renderPrometheusRule());
    const rule = load("prometheusrule.yaml");
    expect(rule).toMatchObject({ apiVersion: "monitoring.coreos.com/v1", kind: "PrometheusRule" });
    const promtool = findTool("promtool");
    if (!promtool) return;
    const dir = mkdtempSync(join(tmpdir(), "vigil-k8s-rules-"));
    try {
      writeFileSync(join(dir, "rules.yml"), JSON.stringify({ groups: rule.spec.groups }));
      const proc = Bun.spawn([promtool, "check", "rules", join(dir, "rules.yml")], { stdout: "pipe", stderr: "pipe" });
      const [out, exitCode] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
      expect(exitCode, out).toBe(0);
      expect(out).toContain("SUCCESS: 44 rules found");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("kustomization.yaml lists every manifest", () => {
    const manifests = readdirSync(K8S).filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml").sort();
    expect([...load("kustomization.yaml").resources].sort()).toEqual(manifests);
  });
});
