import { describe, expect, it } from 'vitest';
import { planDecodedBatch } from '../../../shared/firehose/batch.ts';
import {
  DecodedEvent,
  decodeBase64,
  decodeEvent,
} from '../../../shared/firehose/event.ts';
import { withReingestMarker } from '../../../shared/firehose/reingest-marker.ts';
import { VPC_DEFAULT_FORMAT } from '../../../shared/flowlog/fields.ts';
import { jsonTransformer } from '../../helpers/pipeline.ts';

const LINE =
  '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');

function event(datas: unknown[]) {
  return {
    invocationId: 'i',
    deliveryStreamArn:
      'arn:aws:firehose:us-east-1:123456789012:deliverystream/s',
    region: 'us-east-1',
    records: datas.map((data, i) => ({
      recordId: `id-${i}`,
      approximateArrivalTimestamp: 1700000000000,
      data,
    })),
  };
}

describe('decodeEvent', () => {
  it('decodes every record into one arena, as decodeBase64 would', () => {
    // Prepare
    const datas = ['QUJD', '', 'QQ==', 'QUI'];
    // Act
    const decoded = decodeEvent(event(datas));
    // Assess
    expect(decoded).toBeInstanceOf(DecodedEvent);
    expect(datas.map((_, i) => decoded.bytesOf(i)?.toString())).toEqual(
      datas.map((data) => decodeBase64(data)?.toString())
    );
    expect(decoded.arena.length).toBe(3 + 0 + 1 + 2 + 3);
    expect(decoded.bytesOf(0)!.buffer).toBe(decoded.bytesOf(3)!.buffer);
  });

  it('marks records whose data is not standard base64, and only those', () => {
    // Prepare: base64url, a skipped character, a bad length, not a string
    const datas = ['QUJD', 'QU-D', 'QU!D', 'Q', 42, undefined, 'QUJD'];
    // Act
    const decoded = decodeEvent(event(datas));
    // Assess
    expect([...decoded.starts].map((start) => start >= 0)).toEqual([
      true,
      false,
      false,
      false,
      false,
      false,
      true,
    ]);
    expect(decoded.bytesOf(6)?.toString()).toBe('ABC');
    expect(decoded.decodedRecords().map(String)).toEqual(['ABC', 'ABC']);
  });

  it('strips a re-ingestion marker and keeps its attempt', () => {
    // Prepare
    const marked = withReingestMarker(Buffer.from(`${LINE}\n`), 2);
    // Act
    const decoded = decodeEvent(event([b64(marked), b64(LINE)]));
    // Assess
    expect(decoded.bytesOf(0)?.toString()).toBe(`${LINE}\n`);
    expect([...decoded.attempts]).toEqual([2, 0]);
  });

  it('throws the shape error once, before decoding anything', () => {
    expect(() => decodeEvent({ records: [{ data: 'QUJD' }] })).toThrow(
      'Not an Amazon Data Firehose transformation event: records[0].recordId is missing, expected a string'
    );
  });

  // Firehose sends recordId, approximateArrivalTimestamp and data with every
  // record: https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html
  it.each([
    [{ records: [null] }, 'records[0] is null, expected an object'],
    [
      { records: [{ recordId: '0', approximateArrivalTimestamp: 1 }, 'x'] },
      'records[1] is a string, expected an object',
    ],
    [
      { records: [{ recordId: '0', data: '' }] },
      'records[0].approximateArrivalTimestamp is missing, expected a finite number (epoch milliseconds)',
    ],
    [
      {
        records: [
          { recordId: '0', approximateArrivalTimestamp: 1, data: '' },
          { recordId: '1', approximateArrivalTimestamp: '1', data: '' },
        ],
      },
      'records[1].approximateArrivalTimestamp is a string, expected a finite number',
    ],
    [
      {
        records: [
          { recordId: '0', approximateArrivalTimestamp: Number.NaN, data: '' },
        ],
      },
      'records[0].approximateArrivalTimestamp is NaN, expected a finite number',
    ],
  ])('refuses %j: %s', (input, message) => {
    expect(() => decodeEvent(input)).toThrow(TypeError);
    expect(() => decodeEvent(input)).toThrow(
      `Not an Amazon Data Firehose transformation event: ${message}`
    );
  });
});

describe('planDecodedBatch', () => {
  it('plans in the given order and answers in input order', () => {
    // Prepare: a budget with room for one Ok answer only
    const transformer = jsonTransformer(VPC_DEFAULT_FORMAT);
    const decoded = decodeEvent(event([b64(LINE), b64(LINE)]));
    const one = planDecodedBatch(decoded, transformer, {
      budgetBytes: 1e6,
      reingest: false,
    });
    const budgetBytes =
      one.responseBytes -
      Buffer.byteLength(JSON.stringify(one.response.records[1])) +
      Buffer.byteLength(
        JSON.stringify({
          recordId: 'id-1',
          result: 'ProcessingFailed',
          data: '',
        })
      );
    // Act
    const plan = planDecodedBatch(
      decoded,
      transformer,
      { budgetBytes, reingest: false },
      [1, 0]
    );
    // Assess: the record planned first took the room
    expect(plan.response.records.map((r) => [r.recordId, r.result])).toEqual([
      ['id-0', 'ProcessingFailed'],
      ['id-1', 'Ok'],
    ]);
    expect(plan.responseBytes).toBe(
      Buffer.byteLength(JSON.stringify(plan.response))
    );
  });

  it('gives each Ok record its own slice of the output arena', () => {
    // Prepare: records of 1, 0 (failed) and 2 lines
    const transformer = jsonTransformer(VPC_DEFAULT_FORMAT);
    const decoded = decodeEvent(
      event([b64(LINE), b64('2 bad'), b64(`${LINE}\n${LINE}\n`)])
    );
    // Act
    const plan = planDecodedBatch(decoded, transformer, {
      budgetBytes: 6e6,
      reingest: false,
    });
    // Assess
    const lines = plan.response.records.map(
      (r) =>
        Buffer.from(r.data ?? '', 'base64')
          .toString()
          .split('\n').length - 1
    );
    expect(plan.response.records.map((r) => r.result)).toEqual([
      'Ok',
      'ProcessingFailed',
      'Ok',
    ]);
    expect(lines).toEqual([1, 0, 2]);
    expect(plan.counters.bytesOut).toBe(
      plan.response.records.reduce(
        (sum, r) => sum + Buffer.from(r.data ?? '', 'base64').length,
        0
      )
    );
  });

  it('keeps the output arena at its first size, the answers as one record at a time', () => {
    // Prepare: 8 records of 600 lines, 8 × 163 KB of output, past 1 MiB
    const transformer = jsonTransformer(VPC_DEFAULT_FORMAT);
    const capacity = transformer.output.buffer.length;
    const text = `${LINE}\n`.repeat(600);
    const decoded = decodeEvent(
      event(Array.from({ length: 8 }, () => b64(text)))
    );
    const alone = transformer.transform(Buffer.from(text));
    const expected = transformer.output.toBuffer().toString('base64');
    // Act
    const plan = planDecodedBatch(decoded, transformer, {
      budgetBytes: 6e6,
      reingest: false,
    });
    // Assess
    expect(alone.status).toBe('Ok');
    expect(8 * expected.length * 0.75).toBeGreaterThan(capacity);
    expect(plan.response.records.map((r) => r.data)).toEqual(
      Array.from({ length: 8 }, () => expected)
    );
    expect(transformer.output.buffer.length).toBe(capacity);
  });
});
