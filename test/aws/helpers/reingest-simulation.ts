// A model of re-ingestion through a stream, for the loop-guard test and the
// figures in docs/reingestion.md. Fresh records wait in a FIFO queue; each
// invocation's batch is what was re-ingested since the last one (it reaches
// the stream's buffer first) topped up with fresh records, up to the
// processor buffer size (BufferSizeInMBs); it runs processEvent and every
// put succeeds. The model counts invocations, puts, bytes and
// what became of each original record.
//
//   node --import tsx test/aws/helpers/reingest-simulation.ts
import type { FirehoseTransformationEventRecord } from 'aws-lambda';
import { loadConfig } from '../../../functions/flow-log-processor/config.ts';
import { buildRuntime } from '../../../functions/flow-log-processor/runtime.ts';
import { processEvent } from '../../../shared/firehose/process-event.ts';
import type { RecordTransformer } from '../../../shared/firehose/record-transformer.ts';
import { readReingestMarker } from '../../../shared/firehose/reingest-marker.ts';
import { makeEvent } from '../../bench/generate.ts';

/** What a run did. */
interface SimulationResult {
  readonly records: number;
  readonly freshBytes: number;
  readonly invocations: number;
  /** Records put back (PutRecordBatch entries). */
  readonly puts: number;
  readonly putBytes: number;
  /** Original records answered Ok (delivered). */
  readonly delivered: number;
  /** Original records answered ProcessingFailed (kept by Firehose). */
  readonly failed: number;
  /** Most invocations one original record went through. */
  readonly maxInvocations: number;
  /** Largest response, in bytes. */
  readonly maxResponseBytes: number;
  /** Puts by attempt: first puts, second puts, third puts. */
  readonly putsByAttempt: readonly number[];
}

interface Queued {
  readonly data: string;
  readonly bytes: number;
}

/** Runs a queue of records through processEvent until nothing is put back. */
async function simulate(options: {
  readonly records: readonly FirehoseTransformationEventRecord[];
  readonly transformer: RecordTransformer;
  readonly budgetBytes: number;
  readonly bufferBytes: number;
  readonly maxInvocations?: number;
}): Promise<SimulationResult> {
  const queue: Queued[] = options.records.map((r) => ({
    data: r.data,
    bytes: Buffer.byteLength(r.data, 'base64'),
  }));
  const freshBytes = queue.reduce((sum, q) => sum + q.bytes, 0);
  const returning: Queued[] = [];
  let invocations = 0;
  let puts = 0;
  let putBytes = 0;
  let delivered = 0;
  let failed = 0;
  let maxAttempt = 0;
  let maxResponseBytes = 0;
  const putsByAttempt = [0, 0, 0];
  let id = 0;
  const reingester = {
    put: async (_target: unknown, entries: readonly { data: Buffer }[]) => {
      for (const entry of entries) {
        puts++;
        putBytes += entry.data.length;
        const { attempt } = readReingestMarker(entry.data);
        maxAttempt = Math.max(maxAttempt, attempt);
        putsByAttempt[attempt - 1] = (putsByAttempt[attempt - 1] ?? 0) + 1;
        returning.push({
          data: entry.data.toString('base64'),
          bytes: entry.data.length,
        });
      }
      return entries.map(() => true);
    },
  };
  while (queue.length > 0 || returning.length > 0) {
    if (++invocations > (options.maxInvocations ?? 1_000)) break;
    const batch: Queued[] = [];
    let bytes = 0;
    for (const source of [returning, queue]) {
      while (
        source.length > 0 &&
        (batch.length === 0 || bytes + source[0]!.bytes <= options.bufferBytes)
      ) {
        const next = source.shift()!;
        batch.push(next);
        bytes += next.bytes;
      }
    }
    const event = {
      invocationId: `sim-${invocations}`,
      deliveryStreamArn:
        'arn:aws:firehose:us-east-1:123456789012:deliverystream/sim',
      region: 'us-east-1',
      records: batch.map((q) => ({
        recordId: `49546986683135544286507457936321625675700192471156785154${String(id++).padStart(6, '0')}`,
        approximateArrivalTimestamp: 1_700_000_000_000,
        data: q.data,
      })),
    };
    const outcome = await processEvent(event, {
      transformer: options.transformer,
      budgetBytes: options.budgetBytes,
      reingester,
      deadline: Number.MAX_SAFE_INTEGER,
    });
    maxResponseBytes = Math.max(maxResponseBytes, outcome.responseBytes);
    for (const record of outcome.response.records) {
      if (record.result === 'Ok') delivered++;
      if (record.result === 'ProcessingFailed') failed++;
    }
  }
  return {
    records: options.records.length,
    freshBytes,
    invocations,
    puts,
    putBytes,
    delivered,
    failed,
    maxInvocations: maxAttempt + 1,
    maxResponseBytes,
    putsByAttempt,
  };
}

/** The records of a generated event: one flow-log line each. */
function burst(
  format: 'v2' | 'v5',
  bytes: number,
  wrapped: boolean,
  seed = 42
): FirehoseTransformationEventRecord[] {
  return JSON.parse(makeEvent(format, bytes, wrapped, seed).json).records;
}

async function transformerFor(env: Record<string, string>) {
  return (await buildRuntime(loadConfig(env))).transformer;
}

async function main(): Promise<void> {
  const { V5_29_FORMAT } = await import('../../../scripts/lib/seeded.mjs');
  const v2 = await transformerFor({});
  const wide = await transformerFor({
    FLOW_LOG_FORMAT: V5_29_FORMAT,
    OUTPUT_FORMAT: 'ocsf',
    ENRICH: 'protocol,tcp_flags,traffic_path,time,ip,direction,community_id',
  });
  const cases = [
    [
      '1 MB burst, v2, budget 100,000',
      burst('v2', 1_000_000, false),
      v2,
      100_000,
      1_048_576,
    ],
    [
      '1 MB burst, v2, budget 1,000,000',
      burst('v2', 1_000_000, false),
      v2,
      1_000_000,
      1_048_576,
    ],
    [
      '1 MB burst, v2, budget 6,000,000',
      burst('v2', 1_000_000, false),
      v2,
      6_000_000,
      1_048_576,
    ],
    [
      '12 MB, v5 wrapped, OCSF + 7 enrichers, 1 MB buffer, budget 6,000,000',
      burst('v5', 12_000_000, true),
      wide,
      6_000_000,
      1_048_576,
    ],
    [
      '12 MB, v5 wrapped, OCSF + 7 enrichers, 3 MB buffer, budget 6,000,000',
      burst('v5', 12_000_000, true),
      wide,
      6_000_000,
      3_145_728,
    ],
  ] as const;
  for (const [name, records, transformer, budgetBytes, bufferBytes] of cases) {
    const r = await simulate({
      records,
      transformer,
      budgetBytes,
      bufferBytes,
    });
    console.log(
      `${name}: ${r.records} records (${r.freshBytes} B) -> ${r.invocations} invocations, ${r.puts} puts (${r.putBytes} B, ${((100 * r.putBytes) / r.freshBytes).toFixed(1)}% of the input), delivered ${r.delivered}, ProcessingFailed ${r.failed}, at most ${r.maxInvocations} invocations per record, largest response ${r.maxResponseBytes} B; puts by attempt ${r.putsByAttempt.join('/')}`
    );
  }
}

if (process.argv[1]?.endsWith('reingest-simulation.ts')) await main();

export type { SimulationResult };
export { burst, simulate, transformerFor };
