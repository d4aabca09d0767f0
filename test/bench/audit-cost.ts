// The value audit's share of the transform (docs/fields.md): the same events
// transformed with the audit on and with its per-line check skipped,
// interleaved so a noisy neighbour slows both alike. Not part of `npm run
// bench`; run: npx esbuild test/bench/audit-cost.ts --bundle --platform=node
// --format=esm --outfile=dist/bench/audit-cost.mjs && node dist/bench/audit-cost.mjs
import { loadConfig } from '../../functions/flow-log-processor/config.ts';
import { transformBatch } from '../../shared/firehose/batch.ts';
import { composeProcessor } from '../../shared/firehose/compose.ts';
import type { RecordTransformer } from '../../shared/firehose/record-transformer.ts';
import type { ValueAudit } from '../../shared/flowlog/value-audit.ts';
import { formatOf, makeEvent } from './generate.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);

/** The function's composition for a format, with its default settings. */
function transformerFor(formatText: string): RecordTransformer {
  return composeProcessor(loadConfig({ FLOW_LOG_FORMAT: formatText }))
    .transformer;
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

for (const name of ['v2', 'v5'] as const) {
  const { json, textBytes } = makeEvent(name, 4 << 20, true);
  const on = transformerFor(formatOf(name));
  const off = transformerFor(formatOf(name));
  (off as unknown as { audit: ValueAudit }).audit.check = () => {};
  const times: [number[], number[]] = [[], []];
  for (let run = -3; run < RUNS; run++) {
    [on, off].forEach((transformer, k) => {
      const start = process.cpuUsage().user;
      transformBatch(JSON.parse(json), transformer);
      if (run >= 0) times[k]!.push((process.cpuUsage().user - start) / 1000);
    });
  }
  const [withAudit, without] = times.map(median) as [number, number];
  const mbps = (ms: number) => (textBytes / (1 << 20) / (ms / 1000)).toFixed(1);
  console.log(
    `${name}: audit on ${withAudit.toFixed(0)} ms (${mbps(withAudit)} MB/s), off ${without.toFixed(0)} ms (${mbps(without)} MB/s): ${(((withAudit - without) / without) * 100).toFixed(1)}% CPU`
  );
}
