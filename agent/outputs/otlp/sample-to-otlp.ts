/**
 * One Sample as one OTLP batch (the SDK's ResourceMetrics): host, GPU and vLLM
 * metrics under their semantic-convention names, read from the same Sample that
 * /metrics renders. Pure: the resource, the start time and the previous CPU
 * reading come in.
 */
import type { Resource } from "@opentelemetry/resources";
import type { MetricData, ResourceMetrics } from "@opentelemetry/sdk-metrics";
import type { CpuReading, Sample } from "../../sample.ts";
import { gpuToOtlp } from "./gpu-to-otlp.ts";
import { hostToOtlp } from "./host-to-otlp.ts";
import { familiesToOtlp } from "./vllm-to-otlp.ts";

export interface SampleToOtlpOptions {
  readonly resource: Resource;
  readonly version: string;
  /** When the agent started: the cumulative start of counters it did not see from zero (vLLM's). */
  readonly startMs: number;
  readonly previousCpus: readonly CpuReading[] | null;
}

/** Builds the batch for one sample. */
export function sampleToOtlp(sample: Sample, options: SampleToOtlpOptions): ResourceMetrics {
  const times = { startMs: Math.min(options.startMs, sample.timeMs), timeMs: sample.timeMs };
  const metrics: MetricData[] = [
    ...(sample.host ? hostToOtlp(sample.host, { timeMs: sample.timeMs, previousCpus: options.previousCpus }) : []),
    ...gpuToOtlp(sample.gpus, times),
    ...familiesToOtlp(sample.vllm.flatMap((v) => v.families), times),
  ];
  return { resource: options.resource, scopeMetrics: [{ scope: { name: "vigil-agent", version: options.version }, metrics }] };
}
