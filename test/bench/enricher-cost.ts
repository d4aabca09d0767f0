// One enricher configuration timed alone in a fresh process, so that the
// JIT sees one pipeline, as a deployed function does:
//   node dist/bench/enricher-cost.mjs [ENRICHER]   (none without an argument)
// Prints the best-of-rounds transform time per line in ns.
import { createEnrichers } from '../../shared/enrich/index.ts';
import { transformBatch } from '../../shared/firehose/batch.ts';
import { RecordTransformer } from '../../shared/firehose/record-transformer.ts';
import { parseFormat } from '../../shared/flowlog/format.ts';
import { createSerializer } from '../../shared/output/index.ts';
import { formatOf, makeEvent } from './generate.ts';

const ROUNDS = 8;
const PER_ROUND = 15;

const enrich = process.argv[2] === undefined ? [] : [process.argv[2]];
const format = parseFormat(formatOf('v5'));
const transformer = new RecordTransformer(
  {
    format,
    filter: undefined,
    enrichers: createEnrichers(enrich, format, {
      internalCidrs: ['10.0.0.0/8'],
    }),
    serializer: createSerializer('json', format),
  },
  { maxDecompressedBytes: 8 << 20 }
);
const event = JSON.parse(makeEvent('v5', 1 << 20, true).json) as {
  records: unknown[];
};
let best = Number.POSITIVE_INFINITY;
for (let round = 0; round < ROUNDS; round++) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < PER_ROUND; i++) transformBatch(event, transformer);
  const ns = Number(process.hrtime.bigint() - start) / PER_ROUND;
  best = Math.min(best, ns / event.records.length);
}
console.log(best.toFixed(0));
