import { describe, expect, it } from 'vitest';
import { createPartitioner } from '../../../shared/firehose/partition.ts';
import {
  RecordTransformer,
  samePartitionKey,
} from '../../../shared/firehose/record-transformer.ts';
import { MALFORMED } from '../../../shared/flowlog/errors.ts';
import { VPC_DEFAULT_FORMAT } from '../../../shared/flowlog/fields.ts';
import { parseFormat } from '../../../shared/flowlog/format.ts';
import { JsonSerializer } from '../../../shared/output/json.ts';
import { jsonTransformer } from '../../helpers/pipeline.ts';

const ACCEPT =
  '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
const OTHER_ACCOUNT =
  '2 999999999999 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
const FORMAT = parseFormat(VPC_DEFAULT_FORMAT);

function partitioned(maxOutputBytes?: number): RecordTransformer {
  return new RecordTransformer(
    {
      format: FORMAT,
      filter: undefined,
      enrichers: [],
      serializer: new JsonSerializer(FORMAT),
      partitioner: createPartitioner(['account_id'], FORMAT),
    },
    { maxDecompressedBytes: 1 << 20, maxOutputBytes }
  );
}

describe('RecordResult', () => {
  it('is a value: the next record does not change it', () => {
    // Prepare
    const t = jsonTransformer(VPC_DEFAULT_FORMAT);
    // Act
    const ok = t.transform(Buffer.from(`${ACCEPT}\n${ACCEPT}`));
    const failed = t.transform(Buffer.from('2 123 eni'));
    // Assess
    expect(ok).toMatchObject({ status: 'Ok', lines: 2, kept: 2 });
    expect(ok.reason).toBeUndefined();
    expect(failed).toMatchObject({
      status: 'ProcessingFailed',
      reason: MALFORMED.TOO_FEW_FIELDS,
      excerpt: '2 123 eni',
    });
  });

  it('appends records one after another in one output arena', () => {
    // Prepare
    const t = jsonTransformer(VPC_DEFAULT_FORMAT);
    const alone = t.transform(Buffer.from(ACCEPT));
    const one = t.output.toBuffer().toString();
    t.output.reset();
    // Act
    const first = t.transformAppend(Buffer.from(ACCEPT));
    const second = t.transformAppend(Buffer.from(`${ACCEPT}\n${ACCEPT}`));
    // Assess
    expect([alone.outputStart, alone.outputEnd]).toEqual([0, one.length]);
    expect([first.outputStart, first.outputEnd]).toEqual([0, one.length]);
    expect([second.outputStart, second.outputEnd]).toEqual([
      one.length,
      3 * one.length,
    ]);
    expect(t.output.toBuffer().toString()).toBe(one.repeat(3));
  });

  it("caps each appended record's own output, not the arena's", () => {
    // Prepare: one output line is 272 bytes; the cap holds two
    const t = partitioned(600);
    t.output.reset();
    // Act
    const results = [1, 2, 2, 3].map((n) =>
      t.transformAppend(Buffer.from(`${ACCEPT}\n`.repeat(n)))
    );
    // Assess
    expect(results.map((r) => r.status)).toEqual([
      'Ok',
      'Ok',
      'Ok',
      'ProcessingFailed',
    ]);
    expect(results[3]!.reason).toBe(MALFORMED.OUTPUT_TOO_LARGE);
  });

  it('gives the partition key as a value, equal across records', () => {
    // Prepare
    const t = partitioned();
    // Act
    const a = t.transform(Buffer.from(ACCEPT));
    const b = t.transform(Buffer.from(OTHER_ACCOUNT));
    const c = t.transform(Buffer.from(ACCEPT));
    // Assess
    expect(a.key?.partitionKeys).toEqual({ account_id: '123456789010' });
    expect(a.key?.values).toEqual(['123456789010']);
    expect(samePartitionKey(a.key!, c.key!)).toBe(true);
    expect(samePartitionKey(a.key!, b.key!)).toBe(false);
    expect(Object.isFrozen(a.key)).toBe(true);
  });

  it('has no key and mixedKeys when kept lines differ in partition', () => {
    // Prepare
    const t = partitioned();
    const bytes = Buffer.from(`${ACCEPT}\n${OTHER_ACCOUNT}\n${ACCEPT}`);
    // Act
    const result = t.transform(bytes);
    const groups = t.splitByKey(bytes);
    // Assess
    expect(result).toMatchObject({ status: 'Ok', mixedKeys: true });
    expect(result.key).toBeUndefined();
    expect(
      [...groups].map(([key, lines]) => [key.values[0], lines.length])
    ).toEqual([
      ['123456789010', 2],
      ['999999999999', 1],
    ]);
  });

  it('leaves the output arena as it was after splitByKey', () => {
    // Prepare
    const t = partitioned();
    const kept = t.transform(Buffer.from(ACCEPT));
    // Act
    t.splitByKey(Buffer.from(`${ACCEPT}\n${OTHER_ACCOUNT}`));
    // Assess
    expect(t.output.length).toBe(kept.outputEnd);
  });
});
