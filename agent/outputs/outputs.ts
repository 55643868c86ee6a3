/**
 * Every configured output (OTLP push, Pushgateway, recorder) behind one small
 * lifecycle the agent drives: open at construction (a path that cannot be written
 * fails here), onSample() per sample (O(1) each: the work happens on the outputs'
 * own turns), start() with the server, stop() flushes, and families() for /metrics.
 */
import type { AgentConfig } from "../config/agent-config.ts";
import type { MetricFamily } from "../exposition/family.ts";
import type { Logger } from "../log.ts";
import type { Sample } from "../sample.ts";
import { createOtlpExporter } from "./otlp/create-otlp-exporter.ts";
import { OtlpPusher } from "./otlp/otlp-pusher.ts";
import { otlpResource } from "./otlp/otlp-resource.ts";
import { type OutputStats, outputFamilies } from "./output-stats.ts";
import { PushgatewayPusher } from "./pushgateway/pushgateway-pusher.ts";
import { metricFilter } from "./record/metric-filter.ts";
import { RecordOutput, openRecorder } from "./record/record-output.ts";

export interface OutputsOptions {
  readonly logger: Logger;
  readonly version: string;
  /** The families of a sample, exactly as /metrics has them. */
  readonly families: (sample: Sample) => Promise<MetricFamily[]>;
  /** The text 0.0.4 body of a sample, exactly as /metrics renders it. */
  readonly render: (sample: Sample) => Promise<string>;
}

export class Outputs {
  readonly #otlp: OtlpPusher | null;
  readonly #pushgateway: PushgatewayPusher | null;
  readonly #record: RecordOutput | null;
  readonly #stats: OutputStats[];

  /** @throws RecordPathError when --record names a file that cannot be written. */
  constructor(config: Pick<AgentConfig, "otlp" | "pushgateway" | "record">, options: OutputsOptions) {
    const { logger, version } = options;
    this.#record = config.record
      ? new RecordOutput({ recorder: openRecorder(config.record, { version, logger }), include: metricFilter(config.record.metrics), families: options.families, logger })
      : null;
    this.#otlp = config.otlp
      ? new OtlpPusher({
          exporter: createOtlpExporter(config.otlp),
          url: config.otlp.url,
          intervalMs: config.otlp.intervalMs,
          queueBatches: config.otlp.queueBatches,
          resource: otlpResource({ version, extra: config.otlp.resource }),
          version,
          logger,
        })
      : null;
    this.#pushgateway = config.pushgateway ? new PushgatewayPusher({ config: config.pushgateway, render: options.render, logger }) : null;
    this.#stats = [this.#otlp?.stats, this.#pushgateway?.stats, this.#record?.stats].filter((s): s is OutputStats => s !== undefined);
  }

  /** Called by the sampler for every sample: hands it on, no I/O here. */
  onSample(sample: Sample): void {
    this.#record?.onSample(sample);
    this.#otlp?.onSample(sample);
    this.#pushgateway?.onSample(sample);
  }

  start(): void {
    this.#otlp?.start();
    this.#pushgateway?.start();
  }

  /** Flushes the recorder and the last OTLP batch, deletes the Pushgateway group. */
  async stop(): Promise<void> {
    await Promise.all([this.#record?.stop(), this.#otlp?.stop(), this.#pushgateway?.stop()]);
  }

  /** vigil_output_* for the configured outputs. */
  families(): MetricFamily[] {
    return outputFamilies(this.#stats);
  }
}
