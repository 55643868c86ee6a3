/**
 * What each output costs per sample, against the /metrics render of the same sample
 * measured in the same run (the work every scrape already does):
 *   bun scripts/bench/outputs-cost.ts [--iterations 300]
 *
 * The sample: this host's /proc reading, the vLLM fixture's families and 8 GPUs.
 * Writes reports/bench/outputs-cost.json. Quote the ratios, not the absolute times.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JsonMetricsSerializer, ProtobufMetricsSerializer } from "@opentelemetry/otlp-transformer";
import { parseExposition } from "../../agent/exposition/parse-exposition.ts";
import { writeTextExposition } from "../../agent/exposition/write-exposition.ts";
import { gpuFamilies } from "../../agent/gpu/gpu-families.ts";
import { gpuTestReading } from "../../agent/gpu/gpu-test-reading.ts";
import { hostFamilies } from "../../agent/host/host-families.ts";
import { createHostSource } from "../../agent/host/host-source.ts";
import { otlpResource } from "../../agent/outputs/otlp/otlp-resource.ts";
import { sampleToOtlp } from "../../agent/outputs/otlp/sample-to-otlp.ts";
import { CsvRecorder } from "../../agent/outputs/record/csv-recorder.ts";
import { JsonlRecorder } from "../../agent/outputs/record/jsonl-recorder.ts";
import { recordedSampleOf } from "../../agent/outputs/record/recorded-sample.ts";
import { SqliteRecorder } from "../../agent/outputs/record/sqlite-recorder.ts";
import { TextfileRecorder } from "../../agent/outputs/record/textfile-recorder.ts";
import type { Sample } from "../../agent/sample.ts";
import { summarizeVllm } from "../../agent/vllm/summarize-vllm.ts";
import { FIXTURE_PATH } from "../vllm-fixture-server.ts";

const root = new URL("../..", import.meta.url).pathname;
const i = process.argv.indexOf("--iterations");
const ITERATIONS = i === -1 ? 300 : Number(process.argv[i + 1]);

const vllmFamilies = parseExposition(await Bun.file(FIXTURE_PATH).text()).filter((f) => f.name.startsWith("vllm:"));
const { reading: host } = await createHostSource({ watchedProcesses: () => [] }).read(AbortSignal.timeout(5_000));
const gpus = Array.from({ length: 8 }, (_, n) => gpuTestReading(n, { uuid: `GPU-${n}` }));
const sample = (timeMs: number): Sample => ({
  timeMs,
  durationMs: 1,
  gpus,
  host,
  vllm: [{ target: "http://127.0.0.1:8000", up: true, scrapeDurationMs: 1, families: vllmFamilies, summary: summarizeVllm(vllmFamilies) }],
  sources: [],
  errors: [],
});
const families = (s: Sample) => [...(s.host ? hostFamilies(s.host, { timeMs: s.timeMs }) : []), ...gpuFamilies(s.gpus), ...s.vllm.flatMap((v) => v.families)];

/** Median microseconds of `fn` over ITERATIONS runs (after 20 warm-up runs). */
function measure(fn: (n: number) => void): number {
  for (let n = 0; n < 20; n++) fn(-n - 1);
  const times: number[] = [];
  for (let n = 0; n < ITERATIONS; n++) {
    const started = performance.now();
    fn(n);
    times.push((performance.now() - started) * 1000);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

const dir = mkdtempSync(join(tmpdir(), "vigil-bench-outputs-"));
const resource = otlpResource({ version: "bench", extra: {} });
const batch = sampleToOtlp(sample(1), { resource, version: "bench", startMs: 0, previousCpus: host?.cpus ?? null });
const jsonl = new JsonlRecorder(join(dir, "r.jsonl"));
const csv = new CsvRecorder(join(dir, "r.csv"));
const sqlite = new SqliteRecorder(join(dir, "r.sqlite"), { version: "bench" });
const textfile = new TextfileRecorder(join(dir, "r.prom"), { include: () => true });
const base = 1_800_000_000_000;
const peerUs = measure((n) => writeTextExposition(families(sample(base + n))));
const results = {
  "otlp batch (sampleToOtlp)": measure((n) => sampleToOtlp(sample(base + n), { resource, version: "bench", startMs: 0, previousCpus: host?.cpus ?? null })),
  "otlp json encode": measure(() => JsonMetricsSerializer.serializeRequest(batch)),
  "otlp protobuf encode": measure(() => ProtobufMetricsSerializer.serializeRequest(batch)),
  "record jsonl": measure((n) => jsonl.write(recordedSampleOf(base + n, families(sample(base + n)), () => true), [])),
  "record csv": measure((n) => csv.write(recordedSampleOf(base + 1e6 + n, families(sample(base + n)), () => true), [])),
  "record sqlite": measure((n) => sqlite.write(recordedSampleOf(base + 2e6 + n, families(sample(base + n)), () => true), [])),
  "record textfile": measure((n) => { const f = families(sample(base + n)); textfile.write(recordedSampleOf(base + n, [], () => true), f); }),
};
jsonl.close();
csv.close();
sqlite.close();
textfile.close();
rmSync(dir, { recursive: true, force: true });

const series = families(sample(base)).reduce((count, f) => count + f.samples.length, 0);
const report = {
  name: "outputs-cost",
  measuredAt: new Date().toISOString(),
  bun: Bun.version,
  iterations: ITERATIONS,
  seriesPerSample: series,
  peer: { name: "/metrics text render of the same sample (writeTextExposition)", medianUs: Math.round(peerUs) },
  outputs: Object.fromEntries(Object.entries(results).map(([name, us]) => [name, { medianUs: Math.round(us), ratioToMetricsRender: Number((us / peerUs).toFixed(2)) }])),
};
mkdirSync(join(root, "reports/bench"), { recursive: true });
writeFileSync(join(root, "reports/bench/outputs-cost.json"), `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
