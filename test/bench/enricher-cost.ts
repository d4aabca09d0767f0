// One enricher configuration timed alone in a fresh process, so that the
// JIT sees one pipeline, as a deployed function does:
//   node dist/bench/enricher-cost.mjs [ENRICHER]   (none without an argument)
// Prints the best-of-rounds transform time per line in ns.
import { loadConfig } from '../../functions/flow-log-processor/config.ts';
import { transformBatch } from '../../shared/firehose/batch.ts';
import { composeProcessor } from '../../shared/firehose/compose.ts';
import { formatOf, makeEvent } from './generate.ts';

const ROUNDS = 8;
const PER_ROUND = 15;

// The function's own settings and composition root, as deployed with
// ENRICH=<the enricher>. Any enricher takes a line off the WebAssembly
// kernel, so the line without one is timed on the TypeScript path too: the
// difference is the enricher's, not the kernel's.
const { transformer } = composeProcessor({
  ...loadConfig({
    FLOW_LOG_FORMAT: formatOf('v5'),
    ENRICH: process.argv[2] ?? '',
    INTERNAL_CIDRS: '10.0.0.0/8',
  }),
  jsonKernel: false,
});
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
