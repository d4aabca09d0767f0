// Hostile records: each must come back answered, with a stable reason, and
// nothing may throw or hang.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { transformBatch } from '../../../shared/firehose/batch.ts';
import { VPC_DEFAULT_FORMAT } from '../../../shared/flowlog/fields.ts';
import { jsonTransformer } from '../../helpers/pipeline.ts';

const transformer = jsonTransformer(VPC_DEFAULT_FORMAT, 8 << 20);

function answer(data: Buffer | string) {
  const event = {
    records: [
      {
        recordId: 'r0',
        approximateArrivalTimestamp: 0,
        data: typeof data === 'string' ? data : data.toString('base64'),
      },
    ],
  };
  const outcome = transformBatch(event, transformer);
  expect(outcome.response.records).toHaveLength(1);
  return { record: outcome.response.records[0]!, outcome };
}

describe('hostile records', () => {
  it('fails a 1,000 KiB line with no separators as one field of 14', () => {
    // Its first (integer) field fails too, but a field count other than the
    // format's is the reason (docs/configuration.md).
    const letters = answer(Buffer.alloc(1000 * 1024, 0x41));
    expect(letters.record.result).toBe('ProcessingFailed');
    expect(letters.outcome.samples[0]?.reason).toBe('too_few_fields');
    expect(letters.outcome.samples[0]?.excerpt.length).toBeLessThanOrEqual(256);
    const digits = answer(Buffer.alloc(1000 * 1024, 0x39));
    expect(digits.outcome.samples[0]?.reason).toBe('too_few_fields');
  });

  it('fails a wrapper nested 200,000 levels deep without a stack overflow', () => {
    const deep = `{"message":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    const { record, outcome } = answer(Buffer.from(deep));
    expect(record.result).toBe('ProcessingFailed');
    expect(outcome.samples[0]?.reason).toBe('bad_json_wrapper');
  });

  it('stops inflating a gzip bomb at MAX_DECOMPRESSED_BYTES', () => {
    const bomb = gzipSync(Buffer.alloc(64 << 20));
    expect(bomb.length).toBeLessThan(100_000);
    const { record, outcome } = answer(bomb);
    expect(record.result).toBe('ProcessingFailed');
    expect(outcome.samples[0]?.reason).toBe('decompressed_too_large');
  });

  it('drops a record of 500,000 empty lines', () => {
    const { record } = answer(Buffer.alloc(500_000, 0x0a));
    expect(record.result).toBe('Dropped');
  });

  it('fails NUL and other control bytes in a numeric field, escapes them in a string', () => {
    const nul = '2 123456789010 eni-1 a b 1\u0000 2 6 1 1 1 2 ACCEPT OK';
    expect(answer(Buffer.from(nul)).record.result).toBe('ProcessingFailed');
    const inString = '2 123456789010 eni-\u0000 a b 1 2 6 1 1 1 2 ACCEPT OK';
    const { record } = answer(Buffer.from(inString));
    expect(record.result).toBe('Ok');
    const json = Buffer.from(record.data ?? '', 'base64').toString();
    expect(JSON.parse(json).interface_id).toBe('eni-\u0000');
  });

  it('fails a UTF-8 overlong encoding and a lone surrogate as invalid_utf8', () => {
    for (const bad of [
      [0xc0, 0xaf],
      [0xed, 0xa0, 0x80],
    ]) {
      const line = Buffer.concat([
        Buffer.from('2 '),
        Buffer.from(bad),
        Buffer.from(' eni-1 a b 1 2 6 1 1 1 2 ACCEPT OK'),
      ]);
      const { outcome } = answer(line);
      expect(outcome.samples[0]?.reason).toBe('invalid_utf8');
    }
  });

  it('answers a recordId full of characters JSON must escape', () => {
    const event = {
      records: [
        {
          recordId: 'a"b\\c\u0001\u2028é',
          approximateArrivalTimestamp: 0,
          data: '',
        },
      ],
    };
    const outcome = transformBatch(event, transformer);
    expect(outcome.response.records[0]?.recordId).toBe('a"b\\c\u0001\u2028é');
    expect(outcome.responseBytes).toBe(
      Buffer.byteLength(JSON.stringify(outcome.response))
    );
  });
});
