import type { FirehoseTransformationResult } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  planBatch,
  ResponseTooLargeError,
  settleBatch,
  transformBatch,
} from '../../../shared/firehose/batch.ts';
import { withReingestMarker } from '../../../shared/firehose/reingest-marker.ts';
import {
  base64Length,
  entryBytes,
  jsonStringBytes,
  ResponseBudget,
  responseBytes,
} from '../../../shared/firehose/response-size.ts';
import { VPC_DEFAULT_FORMAT } from '../../../shared/flowlog/fields.ts';
import { jsonTransformer } from '../../helpers/pipeline.ts';

const LINE =
  '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
const transformer = jsonTransformer(VPC_DEFAULT_FORMAT);
const b64 = (text: string) => Buffer.from(text).toString('base64');
const serialized = (response: FirehoseTransformationResult) =>
  Buffer.byteLength(JSON.stringify(response));

function event(datas: unknown[], ids?: string[]) {
  return {
    invocationId: 'i',
    deliveryStreamArn:
      'arn:aws:firehose:us-east-1:123456789012:deliverystream/s',
    region: 'us-east-1',
    records: datas.map((data, i) => ({
      recordId: ids?.[i] ?? `id-${i}`,
      approximateArrivalTimestamp: 1700000000000,
      data,
    })),
  };
}

/** `count` copies of LINE, one per line, as one record's text. */
const lines = (count: number) => `${LINE}\n`.repeat(count);

describe('response size arithmetic', () => {
  it.each([
    ['plain ASCII', 'abc'],
    ['a quote and a backslash', 'a"b\\c'],
    ['control characters', 'a\nb\u0001'],
    ['non-ASCII text', 'zürich-東京'],
    ['a lone surrogate', 'x\ud800y'],
  ])('counts the JSON length of %s as JSON.stringify writes it', (_, text) => {
    // Act
    const bytes = jsonStringBytes(text);
    // Assess
    expect(bytes).toBe(Buffer.byteLength(JSON.stringify(text)));
  });

  it('counts an entry and a response as JSON.stringify writes them', () => {
    // Prepare
    const entry = {
      recordId: 'r"1',
      result: 'Ok',
      data: 'QUJD',
      metadata: { partitionKeys: { year: '2024' } },
    };
    const metadataBytes = Buffer.byteLength(JSON.stringify(entry.metadata));
    // Act
    const bytes = entryBytes(jsonStringBytes('r"1'), 'Ok', 4, metadataBytes);
    // Assess
    expect(bytes).toBe(Buffer.byteLength(JSON.stringify(entry)));
    expect(responseBytes(2, 2 * bytes)).toBe(
      Buffer.byteLength(JSON.stringify({ records: [entry, entry] }))
    );
    expect(responseBytes(0, 0)).toBe('{"records":[]}'.length);
  });

  it('gives the base64 length of a byte count, padding included', () => {
    expect([0, 1, 2, 3, 4].map(base64Length)).toEqual([0, 4, 4, 4, 8]);
  });

  it('reserves the smallest answer of every record before the first', () => {
    // Prepare
    const records = [{ recordId: 'a' }, { recordId: 'bb' }];
    const smallest = [
      { recordId: 'a', result: 'ProcessingFailed', data: '' },
      { recordId: 'bb', result: 'ProcessingFailed', data: '' },
    ];
    // Act
    const budget = new ResponseBudget(1000, records);
    const total = budget.total;
    const room = budget.open(0);
    // Assess
    expect(total).toBe(serialized({ records: smallest } as never));
    expect(room).toBe(1000 - total + budget.smallest(0));
  });
});

describe('planBatch within the response budget', () => {
  it('answers every record Ok when the response fits, as transformBatch', () => {
    // Prepare
    const input = event([b64(LINE), b64(''), b64('bad'), b64(LINE)]);
    // Act
    const plan = planBatch(input, transformer, {
      budgetBytes: 6_000_000,
      reingest: true,
    });
    // Assess
    expect(plan.response).toEqual(transformBatch(input, transformer).response);
    expect(plan.reingest).toEqual([]);
    expect(plan.responseBytes).toBe(serialized(plan.response));
  });

  it('counts the response exactly, escaped recordIds and data included', () => {
    // Prepare
    const ids = ['plain', 'with "quotes"', 'tab\there', 'ünï', 'x\ud800'];
    const input = event(
      [b64(LINE), 'not "base64"\n', b64(''), 42, b64(LINE)],
      ids
    );
    // Act
    const plan = planBatch(input, transformer, {
      budgetBytes: 6_000_000,
      reingest: true,
    });
    // Assess
    expect(plan.response.records.map((r) => r.recordId)).toEqual(ids);
    expect(plan.responseBytes).toBe(serialized(plan.response));
  });

  it('re-ingests the records whose output would not fit, with their original data', () => {
    // Prepare: each record is 20 lines, about 6 KB of JSON output
    const datas = Array.from({ length: 10 }, () => b64(lines(20)));
    const input = event(datas);
    const budgetBytes = 30_000;
    // Act
    const plan = planBatch(input, transformer, { budgetBytes, reingest: true });
    // Assess
    const results = plan.response.records.map((r) => r.result);
    const okCount = results.filter((r) => r === 'Ok').length;
    expect(okCount).toBeGreaterThan(0);
    expect(okCount).toBeLessThan(10);
    expect(plan.reingest.map((r) => r.index)).toEqual(
      Array.from({ length: 10 - okCount }, (_, i) => okCount + i)
    );
    for (const request of plan.reingest) {
      expect(request.why).toBe('overflow');
      expect(request.payloads).toEqual([
        withReingestMarker(Buffer.from(lines(20)), 1),
      ]);
      expect(plan.response.records[request.index]).toEqual({
        recordId: `id-${request.index}`,
        result: 'ProcessingFailed',
        data: '',
      });
    }
    expect(serialized(plan.response)).toBeLessThanOrEqual(budgetBytes);
    expect(plan.counters.overflowed).toBe(10 - okCount);
  });

  it('still answers a small record Ok after a large one overflowed', () => {
    // Prepare
    const input = event([b64(lines(50)), b64(lines(50)), b64(LINE)]);
    // Act
    const plan = planBatch(input, transformer, {
      budgetBytes: 20_000,
      reingest: true,
    });
    // Assess
    expect(plan.response.records.map((r) => r.result)).toEqual([
      'Ok',
      'ProcessingFailed',
      'Ok',
    ]);
    expect(plan.reingest.map((r) => r.index)).toEqual([1]);
  });

  it('fails a record whose own output can never fit, without re-ingesting it', () => {
    // Prepare: 200 lines give about 60 KB of JSON, over a 20 KB budget
    const input = event([b64(lines(200)), b64(LINE)]);
    // Act
    const plan = planBatch(input, transformer, {
      budgetBytes: 20_000,
      reingest: true,
    });
    // Assess
    expect(plan.reingest).toEqual([]);
    expect(plan.response.records.map((r) => r.result)).toEqual([
      'ProcessingFailed',
      'Ok',
    ]);
    expect(plan.counters.malformed).toEqual({ output_too_large: 1 });
    expect(plan.samples[0]?.reason).toBe('output_too_large');
  });

  it('fails overflow records with reingest_failed when re-ingestion is off', () => {
    // Prepare
    const input = event([b64(lines(50)), b64(lines(50))]);
    // Act
    const plan = planBatch(input, transformer, {
      budgetBytes: 20_000,
      reingest: false,
    });
    // Assess
    expect(plan.reingest).toEqual([]);
    expect(plan.response.records.map((r) => r.result)).toEqual([
      'Ok',
      'ProcessingFailed',
    ]);
    expect(plan.counters).toMatchObject({
      ok: 1,
      failed: 1,
      overflowed: 1,
      malformed: { reingest_failed: 1 },
    });
  });

  it('answers failed records with empty data, which Firehose keeps as rawData', () => {
    // Prepare: three malformed records of about 8 KB of base64 each
    const bad = b64('2 123 eni\n'.repeat(600));
    const input = event([bad, bad, bad]);
    // Act
    const plan = planBatch(input, transformer, {
      budgetBytes: 20_000,
      reingest: true,
    });
    // Assess
    expect(plan.response.records.map((r) => r.data)).toEqual(['', '', '']);
    expect(
      plan.response.records.every((r) => r.result === 'ProcessingFailed')
    ).toBe(true);
    expect(serialized(plan.response)).toBeLessThanOrEqual(20_000);
  });

  it('holds the default budget for a 6 MB event of malformed records', () => {
    // Prepare: 5 records of 930,005 bytes: a 6.2 MB event, under Lambda's
    // 6,291,456-byte request limit, whose echo would pass 6,000,000 bytes
    const bad = b64('2 123456789010 eni-0 x\n'.repeat(40_435));
    const input = event(Array.from({ length: 5 }, () => bad));
    expect(JSON.stringify(input).length).toBeLessThan(6_291_456);
    // Act
    const outcome = transformBatch(input, transformer);
    // Assess
    const size = serialized(outcome.response);
    expect(size).toBeLessThanOrEqual(6_000_000);
    expect(outcome.responseBytes).toBe(size);
    expect(outcome.counters.failed).toBe(5);
    expect(outcome.response.records.filter((r) => r.data === '').length).toBe(
      5
    );
  });
});

describe('settleBatch', () => {
  it('drops re-ingested records and fails the others, counting exactly', () => {
    // Prepare
    const input = event([b64(lines(50)), b64(lines(50)), b64(lines(50))]);
    const plan = planBatch(input, transformer, {
      budgetBytes: 20_000,
      reingest: true,
    });
    // Act
    const outcome = settleBatch(plan, [[true], [false]]);
    // Assess
    expect(outcome.response.records).toEqual([
      expect.objectContaining({ recordId: 'id-0', result: 'Ok' }),
      { recordId: 'id-1', result: 'Dropped', data: '' },
      { recordId: 'id-2', result: 'ProcessingFailed', data: '' },
    ]);
    expect(outcome.counters).toMatchObject({
      records: 3,
      ok: 1,
      dropped: 1,
      failed: 1,
      reingested: 1,
      malformed: { reingest_failed: 1 },
    });
    expect(outcome.responseBytes).toBe(serialized(outcome.response));
  });
});

describe('failed records never crowd out good ones (issue #9.5)', () => {
  it('answers good records Ok after two malformed 600 KB records, re-ingestion off', () => {
    // Prepare: Firehose keeps a failed record itself as rawData
    // (https://docs.aws.amazon.com/firehose/latest/dev/data-transformation-failure-handling.html),
    // so its answer needs no data.
    const bad = b64('2 123 eni\n'.repeat(60_000));
    const good = b64(lines(2_400));
    const input = event([bad, bad, good, good, good]);
    // Act
    const { response } = transformBatch(input, transformer);
    // Assess
    expect(response.records.map((r) => r.result)).toEqual([
      'ProcessingFailed',
      'ProcessingFailed',
      'Ok',
      'Ok',
      'Ok',
    ]);
    expect(response.records[0]?.data).toBe('');
    expect(serialized(response)).toBeLessThanOrEqual(6_000_000);
  });
});

describe('the final response size (issue #9.9)', () => {
  /** An event as Firehose sends it: approximateArrivalTimestamp per record. */
  const bareEvent = (datas: string[]) => ({
    records: datas.map((data, i) => ({
      recordId: String(i),
      approximateArrivalTimestamp: 0,
      data,
    })),
  });

  it('stays under 6,291,456 bytes for 6.1 MB of one-line records', () => {
    // Prepare: 6.1 MB of one-line records, the event under Lambda's request limit
    const input = bareEvent(Array.from({ length: 28_500 }, () => b64(LINE)));
    expect(JSON.stringify(input).length).toBeLessThan(6_291_456);
    // Act
    const outcome = transformBatch(input, transformer);
    // Assess
    expect(outcome.responseBytes).toBe(serialized(outcome.response));
    expect(outcome.responseBytes).toBeLessThanOrEqual(6_000_000);
  });

  it('refuses records without approximateArrivalTimestamp as not a Firehose event', () => {
    // Prepare: the tester's 180,000 records {"recordId":"0","data":""} (5.6 MB),
    // whose smallest response would pass Lambda's 6 MB limit. Firehose sends
    // recordId, approximateArrivalTimestamp and data with every record
    // (https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html).
    const input = {
      records: Array.from({ length: 180_000 }, () => ({
        recordId: '0',
        data: '',
      })),
    };
    // Act
    const act = () => transformBatch(input, transformer);
    // Assess
    expect(act).toThrow(TypeError);
    expect(act).toThrow(
      'Not an Amazon Data Firehose transformation event: records[0].approximateArrivalTimestamp is missing'
    );
  });

  it("cannot reach ResponseTooLargeError with the timestamp: the event outgrows Lambda's 6 MB request first", () => {
    // Prepare: each record's request entry is longer than its smallest answer
    const input = bareEvent(Array.from({ length: 120_000 }, () => ''));
    const smallest = {
      records: input.records.map(({ recordId }) => ({
        recordId,
        result: 'ProcessingFailed',
        data: '',
      })),
    };
    // Assess
    expect(JSON.stringify(smallest).length).toBeLessThan(
      JSON.stringify(input).length
    );
    expect(JSON.stringify(input).length).toBeGreaterThan(6_291_456);
    expect(JSON.stringify(smallest).length).toBeGreaterThan(6_291_456);
    // The planner still refuses such an answer before any work.
    expect(() => transformBatch(input, transformer)).toThrow(
      ResponseTooLargeError
    );
  });

  it("returns a response between the budget and Lambda's limit when only that fits", () => {
    // Prepare: records of invalid base64, ProcessingFailed answers of 6.1 MB
    const count = 102_000;
    const input = bareEvent(Array.from({ length: count }, () => '!'));
    // Act
    const outcome = transformBatch(input, transformer);
    // Assess
    const size = serialized(outcome.response);
    expect(size).toBeGreaterThan(6_000_000);
    expect(size).toBeLessThanOrEqual(6_291_456);
    expect(outcome.responseBytes).toBe(size);
  });
});
