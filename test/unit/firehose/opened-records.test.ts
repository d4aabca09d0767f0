// A record the ENI collector opened is read by the transform without being
// opened again, and answered exactly as if the transform had opened it:
// same status, reason, excerpt and output, and the same charge to the
// invocation's decompression budget, whatever the order, caps and byte cap
// of the kept text (issue #12, item 5).
import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { collectFieldValues } from '../../../shared/enrich/collect.ts';
import { OpenedRecords } from '../../../shared/firehose/opened-records.ts';
import { RecordTransformer } from '../../../shared/firehose/record-transformer.ts';
import { VPC_DEFAULT_FORMAT } from '../../../shared/flowlog/fields.ts';
import { parseFormat } from '../../../shared/flowlog/format.ts';
import { JsonSerializer } from '../../../shared/output/json.ts';

vi.mock('node:zlib', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:zlib')>();
  return { ...actual, gunzipSync: vi.fn(actual.gunzipSync) };
});

const FORMAT = parseFormat(VPC_DEFAULT_FORMAT);
const LINE =
  '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';

function envelope(messages: readonly string[], type = 'DATA_MESSAGE'): string {
  return JSON.stringify({
    messageType: type,
    owner: '123456789010',
    logEvents: messages.map((message, i) => ({ id: String(i), message })),
  });
}

const gzip = (text: string | Buffer) => zlib.gzipSync(text);

/** A gzip stream cut short: zlib's "unexpected end of file". */
function truncated(text: string): Buffer {
  const whole = gzip(text);
  return whole.subarray(0, whole.length - 12);
}

/**
 * A gzip stream whose CRC-32 is wrong (RFC 1952 §2.3.1): zlib says so at
 * its end, unless the output passed the cap first.
 */
function badCheck(text: Buffer): Buffer {
  const whole = Buffer.from(gzip(text));
  whole[whole.length - 8]! ^= 0xff;
  return whole;
}

/** Every way a record opens: whole, too large, corrupt, refused, plain. */
const RECORDS: readonly Buffer[] = [
  gzip(envelope([LINE, LINE])), // 2 lines
  gzip(`   ${LINE}\n${LINE}\n`), // lines after blanks
  gzip(Buffer.alloc(600, 0x0a)), // 600 bytes of LF
  gzip(Buffer.alloc(1500, 0x20)), // past a 1,000-byte record cap
  gzip(Buffer.alloc(64 << 10, 0x20)), // a small bomb
  truncated(envelope([LINE, LINE, LINE])),
  badCheck(Buffer.alloc(64 << 10, 0x20)), // 4 output chunks, then corrupt
  gzip(envelope(['x'], 'OTHER_MESSAGE')), // bad envelope
  gzip(envelope(['CWL CONTROL MESSAGE'], 'CONTROL_MESSAGE')),
  gzip(Buffer.from([0x7b, 0xff, 0xfe])), // `{` then not UTF-8
  Buffer.from(envelope([LINE])), // decompressed by Firehose
  Buffer.from(`${envelope([LINE])}x`), // decompressed, refused
  Buffer.from(`${LINE}\n`), // plain
];

function transformer(
  maxInvocation: number,
  maxRecord = 1000
): RecordTransformer {
  return new RecordTransformer(
    {
      format: FORMAT,
      filter: undefined,
      enrichers: [],
      serializer: new JsonSerializer(FORMAT),
    },
    {
      maxDecompressedBytes: maxRecord,
      maxInvocationDecompressedBytes: maxInvocation,
    }
  );
}

/** The records as views of one buffer, as event.ts decodes them. */
function arenaOf(picks: readonly number[]): Buffer[] {
  const arena = Buffer.concat(picks.map((pick) => RECORDS[pick]!));
  let at = 0;
  return picks.map((pick) => {
    const view = arena.subarray(at, at + RECORDS[pick]!.length);
    at += view.length;
    return view;
  });
}

/** Each record's answer, in `order`, as the batch pass asks for them. */
function answers(
  t: RecordTransformer,
  records: readonly Buffer[],
  order: readonly number[]
) {
  t.startInvocation();
  return order.map((index) => {
    const result = t.transform(records[index]!);
    return {
      status: result.status,
      reason: result.reason,
      excerpt: result.excerpt,
      output: t.output.toBuffer().toString(),
    };
  });
}

/** Moves what `from` kept into a transformer's store, cap for cap. */
function handOver(
  from: OpenedRecords,
  to: OpenedRecords,
  records: readonly Buffer[]
): void {
  to.clear();
  for (const record of records) {
    const kept = from.take(record);
    if (kept !== undefined) to.keep(record, kept);
  }
}

const inflations = () => vi.mocked(zlib.gunzipSync).mock.calls.length;

describe('records opened by the ENI collector', () => {
  it('are answered exactly as records the transform opens itself', () => {
    fc.assert(
      fc.property(
        fc
          .array(fc.nat(RECORDS.length - 1), { minLength: 1, maxLength: 12 })
          .chain((picks) =>
            fc.tuple(
              fc.constant(picks),
              fc.shuffledSubarray([...picks.keys()], {
                minLength: picks.length,
              })
            )
          ),
        fc.constantFrom(500, 1000, 4000, 100_000), // the collector's record cap
        fc.constantFrom(1000, 100_000), // the transform's record cap
        fc.constantFrom(1, 700, 2500, 1 << 20), // the invocation budget
        fc.constantFrom(0, 400, 1 << 20), // bytes of text kept
        ([picks, order], collectorCap, cap, maxInvocation, keepBytes) => {
          // Prepare
          const records = arenaOf(picks);
          const alone = transformer(maxInvocation, cap);
          const shared = transformer(maxInvocation, cap);
          const opened = new OpenedRecords(keepBytes);
          // Act
          const expected = answers(alone, records, order);
          collectFieldValues(
            records,
            FORMAT,
            'interface-id',
            collectorCap,
            opened
          );
          handOver(opened, shared.opened, records);
          const got = answers(shared, records, order);
          // Assess
          expect(got).toEqual(expected);
        }
      ),
      { numRuns: 400 }
    );
  });

  it('are not inflated again when the caps and the order agree', () => {
    // Prepare
    const picks = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1];
    const records = arenaOf(picks);
    const t = transformer(1 << 20);
    collectFieldValues(records, FORMAT, 'interface-id', 1000, t.opened);
    const before = inflations();
    // Act
    const got = answers(t, records, [...picks.keys()]);
    // Assess
    expect(inflations() - before).toBe(0);
    expect(t.opened.size).toBe(0);
    expect(got.map((answer) => answer.reason)).toEqual([
      undefined,
      undefined,
      undefined,
      'decompressed_too_large',
      'decompressed_too_large',
      'bad_cloudwatch_envelope',
      'decompressed_too_large',
      'bad_cloudwatch_envelope',
      undefined,
      'bad_cloudwatch_envelope',
      undefined,
      undefined,
    ]);
  });

  it('are opened again, once, past the byte cap of kept text', () => {
    // Prepare: room for the first envelope's messages only
    const records = arenaOf([0, 0, 0]);
    const t = transformer(1 << 20);
    const messages = 2 * (LINE.length + 1);
    const opened = new OpenedRecords(384 + messages); // one entry: 384 bytes

    collectFieldValues(records, FORMAT, 'interface-id', 1000, opened);
    const before = inflations();
    // Act
    handOver(opened, t.opened, records);
    const got = answers(t, records, [0, 1, 2]);
    // Assess
    expect(inflations() - before).toBe(2);
    expect(got.map((answer) => answer.status)).toEqual(['Ok', 'Ok', 'Ok']);
  });
});
