/**
 * The handful of vLLM values the timeline keeps and the harness correlates with,
 * summed over label sets (several models or engines behind one server).
 */
import type { MetricFamily } from "../exposition/family.ts";
import type { HistogramReading, VllmSummary } from "../sample.ts";

/** Reduces re-exposed families to a VllmSummary; a missing family gives null, never 0. */
export function summarizeVllm(families: readonly MetricFamily[]): VllmSummary {
  const byName = new Map(families.map((family) => [family.name, family]));
  const total = (...names: string[]): number | null => {
    for (const name of names) {
      const family = byName.get(name);
      if (family) return family.samples.reduce((sum, sample) => sum + sample.value, 0);
    }
    return null;
  };
  const kvFamily = byName.get("vllm:kv_cache_usage_perc") ?? byName.get("vllm:gpu_cache_usage_perc");
  // Usage is a ratio per engine: the busiest engine is what limits the server.
  const kvCacheUsageRatio = kvFamily && kvFamily.samples.length > 0 ? Math.max(...kvFamily.samples.map((s) => s.value)) : null;
  return {
    requestsRunning: total("vllm:num_requests_running"),
    requestsWaiting: total("vllm:num_requests_waiting"),
    kvCacheUsageRatio,
    preemptionsTotal: total("vllm:num_preemptions_total", "vllm:num_preemptions"),
    promptTokensTotal: total("vllm:prompt_tokens_total", "vllm:prompt_tokens"),
    generationTokensTotal: total("vllm:generation_tokens_total", "vllm:generation_tokens"),
    requestSuccessTotal: total("vllm:request_success_total", "vllm:request_success"),
    timeToFirstTokenSeconds: histogram(byName.get("vllm:time_to_first_token_seconds")),
    interTokenLatencySeconds: histogram(byName.get("vllm:inter_token_latency_seconds") ?? byName.get("vllm:time_per_output_token_seconds")),
    e2eRequestLatencySeconds: histogram(byName.get("vllm:e2e_request_latency_seconds")),
    requestQueueTimeSeconds: histogram(byName.get("vllm:request_queue_time_seconds")),
  };
}

/** Sums a histogram family's buckets over its label sets (same bucket layout, as vLLM uses). */
export function histogram(family: MetricFamily | undefined): HistogramReading | null {
  if (!family || family.type !== "histogram") return null;
  const bucketCounts = new Map<number, number>();
  let sum = 0;
  let count = 0;
  for (const sample of family.samples) {
    if (sample.name.endsWith("_bucket")) {
      const le = sample.labels.le;
      if (le === undefined) continue;
      const bound = le === "+Inf" ? Infinity : Number(le);
      bucketCounts.set(bound, (bucketCounts.get(bound) ?? 0) + sample.value);
    } else if (sample.name.endsWith("_sum")) {
      sum += sample.value;
    } else if (sample.name.endsWith("_count")) {
      count += sample.value;
    }
  }
  if (bucketCounts.size === 0) return null;
  const bounds = [...bucketCounts.keys()].sort((a, b) => a - b);
  const upperBounds = bounds.filter((bound) => bound !== Infinity);
  const cumulativeCounts = upperBounds.map((bound) => bucketCounts.get(bound) as number);
  cumulativeCounts.push(bucketCounts.get(Infinity) ?? count);
  return { upperBounds, cumulativeCounts, sum, count };
}
