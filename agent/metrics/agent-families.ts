/**
 * The agent's own families: who it is and how each source is doing. Gauges of the
 * last sample, as Prometheus' exporter guide asks (no scrape counters or histograms).
 */
import type { MetricFamily, MetricSample } from "../exposition/family.ts";
import type { Sample, SourceName } from "../sample.ts";
import type { ErrorTotals } from "../sampler/sampler.ts";
import { targetLabel } from "../vllm/vllm-source.ts";

const SOURCES: readonly SourceName[] = ["host", "vllm", "gpu"];

export interface AgentFamiliesInput {
  readonly sample: Sample;
  readonly version: string;
  readonly errorTotals: ErrorTotals;
  /** Sources the agent was started with; each gets a series from the first scrape, even at 0. */
  readonly configuredSources: readonly SourceName[];
}

/** vigil_agent_info, vigil_source_*, vigil_vllm_up and vigil_vllm_scrape_duration_seconds. */
export function agentFamilies(input: AgentFamiliesInput): MetricFamily[] {
  const { sample } = input;
  const statusOf = (source: SourceName) => sample.sources.find((s) => s.source === source);
  const configured = SOURCES.filter((s) => input.configuredSources.includes(s));
  const gauge = (name: string, help: string, samples: MetricSample[]): MetricFamily => ({ name, help, type: "gauge", samples });
  return [
    gauge("vigil_agent_info", "Vigil agent build information; always 1.", [
      { name: "vigil_agent_info", labels: { version: input.version, runtime: `bun ${Bun.version}` }, value: 1 },
    ]),
    gauge("vigil_source_up", "Whether the last sample read this source without any error (1) or not (0).", configured.map((source) => ({
      name: "vigil_source_up", labels: { source }, value: statusOf(source)?.up ? 1 : 0,
    }))),
    gauge("vigil_source_duration_seconds", "Time the last sample spent reading this source.", configured.map((source) => ({
      name: "vigil_source_duration_seconds", labels: { source }, value: (statusOf(source)?.durationMs ?? 0) / 1000,
    }))),
    {
      name: "vigil_source_errors_total",
      help: "Errors met reading this source since the agent started.",
      type: "counter",
      samples: configured.map((source) => ({ name: "vigil_source_errors_total", labels: { source }, value: input.errorTotals[source] })),
    },
    gauge("vigil_sample_timestamp_seconds", "Wall-clock time the served sample was taken.", [
      { name: "vigil_sample_timestamp_seconds", labels: {}, value: sample.timeMs / 1000 },
    ]),
    gauge("vigil_sample_duration_seconds", "Time the served sample took to take, all sources in parallel.", [
      { name: "vigil_sample_duration_seconds", labels: {}, value: sample.durationMs / 1000 },
    ]),
    gauge("vigil_vllm_up", "Whether the last scrape of this vLLM server's /metrics succeeded (1) or not (0).", sample.vllm.map((v) => ({
      name: "vigil_vllm_up", labels: { target: targetLabel(v.target) }, value: v.up ? 1 : 0,
    }))),
    gauge("vigil_vllm_scrape_duration_seconds", "Time the last scrape of this vLLM server's /metrics took.", sample.vllm.map((v) => ({
      name: "vigil_vllm_scrape_duration_seconds", labels: { target: targetLabel(v.target) }, value: v.scrapeDurationMs / 1000,
    }))),
  ];
}
