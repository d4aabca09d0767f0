// Property: whatever a legal event holds (up to Lambda's 6 MB request, any
// format, framing, enrichment size, partition keys, budget and re-ingestion
// outcome), the serialised response stays within the budget, answers every
// recordId once in order, and accounts for every record.
import { gzipSync } from 'node:zlib';
import type { FirehoseTransformationEvent } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Enricher } from '../../shared/enrich/types.ts';
import {
  createPartitioner,
  TIME_KEYS,
} from '../../shared/firehose/partition.ts';
import type {
  ReingestEntry,
  Reingester,
} from '../../shared/firehose/process-event.ts';
import { processEvent } from '../../shared/firehose/process-event.ts';
import { RecordTransformer } from '../../shared/firehose/record-transformer.ts';
import { readReingestMarker } from '../../shared/firehose/reingest-marker.ts';
import {
  TGW_DEFAULT_FORMAT,
  VPC_DEFAULT_FORMAT,
} from '../../shared/flowlog/fields.ts';
import type { FlowLogFormat } from '../../shared/flowlog/format.ts';
import { parseFormat } from '../../shared/flowlog/format.ts';
import { JsonSerializer } from '../../shared/output/json.ts';
import { keyBytes } from '../../shared/output/nested-writer.ts';
import { prng, V5_29_FORMAT } from '../bench/generate.ts';

const FORMATS = [VPC_DEFAULT_FORMAT, V5_29_FORMAT, TGW_DEFAULT_FORMAT].map(
  (text) => parseFormat(text)
);
const LAMBDA_REQUEST_LIMIT = 6_291_456;
const STRING_VALUES = [
  'a',
  'b',
  'vpc-0a1b',
  'us-east-1',
  'ACCEPT',
  'x:y/z',
  'q"u\\o',
  'ü',
];

function lineOf(
  format: FlowLogFormat,
  random: () => number,
  serial: number
): string {
  return format.fields
    .map((field, i) => {
      if (i === 1 && field.type === 'string') return `s${serial}`; // unique lines
      if (random() < 0.1) return '-';
      if (field.name === 'start')
        return String(1418530010 + Math.floor(random() * 4 * 3600));
      if (field.type === 'int') return String(Math.floor(random() * 70000));
      return STRING_VALUES[Math.floor(random() * STRING_VALUES.length)]!;
    })
    .join(' ');
}

interface Built {
  event: FirehoseTransformationEvent;
  /** Decoded data per record (undefined for invalid base64). */
  originals: Array<Buffer | undefined>;
  /** The valid flow-log lines of each record. */
  lines: string[][];
}

/** One record's data by kind: wrapped, bare lines, gzip, big, malformed, empty. */
function dataOf(
  kind: number,
  format: FlowLogFormat,
  random: () => number,
  next: () => number
): { data: string; lines: string[] } {
  const many = (n: number) =>
    Array.from({ length: n }, () => lineOf(format, random, next()));
  const b64 = (bytes: string | Buffer) => Buffer.from(bytes).toString('base64');
  if (kind < 0.55) {
    const line = lineOf(format, random, next());
    return {
      data: b64(`${JSON.stringify({ message: line })}\n`),
      lines: [line],
    };
  }
  if (kind < 0.7) {
    const lines = many(1 + Math.floor(random() * 40));
    return { data: b64(`${lines.join('\n')}\n`), lines };
  }
  if (kind < 0.78) {
    const lines = many(1 + Math.floor(random() * 200));
    const envelope = {
      messageType: 'DATA_MESSAGE',
      owner: '1',
      logGroup: 'g',
      logStream: 's',
      subscriptionFilters: [],
      logEvents: lines.map((message, id) => ({
        id: String(id),
        timestamp: 0,
        message,
      })),
    };
    return { data: b64(gzipSync(JSON.stringify(envelope))), lines };
  }
  if (kind < 0.8) {
    const lines = many(2000 + Math.floor(random() * 3000));
    return { data: b64(`${lines.join('\n')}\n`), lines };
  }
  if (kind < 0.9)
    return {
      data: b64(`${JSON.stringify({ message: '2 123 eni-0' })}\n`),
      lines: [],
    };
  if (kind < 0.95) return { data: 'not base64 "!"', lines: [] };
  return { data: '', lines: [] };
}

function recordId(random: () => number, index: number): string {
  const special = ['"', '\\', '\n', 'ü', '\ud800', '東'];
  let id = `4954698668313554428650745793632162567570019247115678${index}`;
  if (random() < 0.2) id += special[Math.floor(random() * special.length)];
  return id.slice(0, 20 + Math.floor(random() * 60));
}

function buildEvent(
  seed: number,
  targetBytes: number,
  format: FlowLogFormat
): Built {
  const random = prng(seed);
  let serial = 0;
  const next = () => serial++;
  const event: FirehoseTransformationEvent = {
    invocationId: 'p',
    deliveryStreamArn: 'arn:aws:firehose:us-east-1:1:deliverystream/s',
    region: 'us-east-1',
    records: [],
  };
  const built: Built = { event, originals: [], lines: [] };
  let size = JSON.stringify(event).length;
  for (let i = 0; ; i++) {
    const { data, lines } = dataOf(random(), format, random, next);
    const record = {
      recordId: `${recordId(random, i)}-${i}`,
      approximateArrivalTimestamp: 1700000000000 + i,
      data,
    };
    size += JSON.stringify(record).length + 1;
    if (size > targetBytes) break;
    event.records.push(record);
    built.originals.push(
      data.startsWith('not') ? undefined : Buffer.from(data, 'base64')
    );
    built.lines.push(lines);
  }
  return built;
}

const PADDING_KEY = keyBytes('padding');

/** Adds a string of a per-line pseudo-random size up to `maxChars`. */
function paddingEnricher(maxChars: number): Enricher {
  return {
    name: 'padding',
    enrich(line, into) {
      const n = maxChars === 0 ? 0 : (line.integer(3) ?? 7) % (maxChars + 1);
      into.add(PADDING_KEY).jsonString('p'.repeat(n));
    },
  };
}

/** Records what it put; each entry succeeds unless `failRate` says. */
function fakeReingester(seed: number, failRate: number) {
  const put: ReingestEntry[] = [];
  const random = prng(seed ^ 0x5bd1e995);
  const reingester: Reingester = {
    async put(_target, entries) {
      return entries.map((entry) => {
        const ok = random() >= failRate;
        if (ok) put.push(entry);
        return ok;
      });
    },
  };
  return { reingester, put };
}

const recipe = fc.record({
  seed: fc.integer(),
  targetBytes: fc.oneof(
    fc.integer({ min: 200, max: 200_000 }),
    fc.integer({ min: 5_000_000, max: LAMBDA_REQUEST_LIMIT - 100 })
  ),
  formatIndex: fc.integer({ min: 0, max: FORMATS.length - 1 }),
  enrichChars: fc.constantFrom(0, 0, 50, 400, 3000),
  keyCount: fc.integer({ min: 0, max: 4 }),
  budgetBytes: fc.constantFrom(6_000_000, 6_000_000, 1_000_000, 100_000),
  reingest: fc.boolean(),
  failRate: fc.constantFrom(0, 0, 0.3, 1),
});

describe('response budget property', () => {
  it('stays within the budget, answers every record once in order, and loses none', async () => {
    await fc.assert(
      fc.asyncProperty(recipe, async (r) => {
        // Prepare
        const format = FORMATS[r.formatIndex]!;
        const candidates = [
          format.fields[2]!.key,
          format.fields[4]!.key,
          ...TIME_KEYS,
        ];
        const keys = candidates.slice(0, r.keyCount);
        const transformer = new RecordTransformer(
          {
            format,
            filter: undefined,
            enrichers:
              r.enrichChars > 0 ? [paddingEnricher(r.enrichChars)] : [],
            serializer: new JsonSerializer(format),
            partitioner: createPartitioner(keys, format),
          },
          { maxDecompressedBytes: 8 << 20 }
        );
        const built = buildEvent(r.seed, r.targetBytes, format);
        const { reingester, put } = fakeReingester(r.seed, r.failRate);
        // Act
        const outcome = await processEvent(built.event, {
          transformer,
          budgetBytes: r.budgetBytes,
          reingester: r.reingest ? reingester : undefined,
          deadline: Number.MAX_SAFE_INTEGER,
        });
        // Assess: the budget holds whenever the smallest answers fit it,
        // which they always do for a legal event at the default budget
        const { records } = outcome.response;
        const size = Buffer.byteLength(JSON.stringify(outcome.response));
        const smallest = Buffer.byteLength(
          JSON.stringify({
            records: built.event.records.map((x) => ({
              recordId: x.recordId,
              result: 'ProcessingFailed',
              data: '',
            })),
          })
        );
        if (r.budgetBytes === 6_000_000)
          expect(smallest).toBeLessThanOrEqual(r.budgetBytes);
        expect(size).toBeLessThanOrEqual(Math.max(r.budgetBytes, smallest));
        expect(outcome.responseBytes).toBe(size);
        expect(records.map((x) => x.recordId)).toEqual(
          built.event.records.map((x) => x.recordId)
        );
        // Each put carries the re-ingestion marker line before the data.
        const unmarked = put.map((e) =>
          e.data.subarray(readReingestMarker(e.data).offset)
        );
        const putData = new Set(unmarked.map((d) => d.toString('base64')));
        const putLines = new Set(
          unmarked.flatMap((d) => d.toString('utf8').split('\n'))
        );
        records.forEach((answer, i) => {
          const original = built.originals[i];
          const reingested =
            original !== undefined && putData.has(original.toString('base64'));
          if (answer.result === 'Ok') {
            expect(reingested).toBe(false);
          } else if (answer.result === 'Dropped') {
            expect(answer.data).toBe('');
            const lines = built.lines[i]!;
            const linesPut = lines.every((line) => putLines.has(line));
            expect(lines.length === 0 || reingested || linesPut).toBe(true);
          } else {
            expect(answer.result).toBe('ProcessingFailed');
          }
        });
        const { ok, dropped, failed } = outcome.counters;
        expect(ok + dropped + failed).toBe(records.length);
      }),
      { numRuns: 24 }
    );
  });
});
