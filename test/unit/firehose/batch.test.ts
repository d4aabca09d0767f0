import { describe, expect, it } from 'vitest';
import {
  decodeBase64,
  transformBatch,
} from '../../../shared/firehose/batch.ts';
import { VPC_DEFAULT_FORMAT } from '../../../shared/flowlog/fields.ts';
import { jsonTransformer } from '../../helpers/pipeline.ts';
import { firehoseEvent } from '../../helpers/render.ts';

const LINE =
  '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
const transformer = jsonTransformer(VPC_DEFAULT_FORMAT);
const b64 = (text: string) => Buffer.from(text).toString('base64');

const event = firehoseEvent;

describe('transformBatch', () => {
  it('answers every recordId once, in input order', () => {
    // Prepare
    const input = event([b64(LINE), b64(''), b64('bad'), b64(LINE)]);
    // Act
    const { response, counters } = transformBatch(input, transformer);
    // Assess
    expect(response.records.map((r) => [r.recordId, r.result])).toEqual([
      ['id-0', 'Ok'],
      ['id-1', 'Dropped'],
      ['id-2', 'ProcessingFailed'],
      ['id-3', 'Ok'],
    ]);
    expect(counters).toMatchObject({
      records: 4,
      ok: 2,
      dropped: 1,
      failed: 1,
    });
  });

  it('answers a failed record with empty data: Firehose keeps the original as rawData', () => {
    // https://docs.aws.amazon.com/firehose/latest/dev/data-transformation-failure-handling.html
    const data = b64('2 123 eni');
    const { response, samples } = transformBatch(event([data]), transformer);
    expect(response.records[0]).toEqual({
      recordId: 'id-0',
      result: 'ProcessingFailed',
      data: '',
    });
    expect(samples).toEqual([
      { recordId: 'id-0', reason: 'too_few_fields', excerpt: '2 123 eni' },
    ]);
  });

  it('fails records whose data is not base64 or not a string', () => {
    // 'Zm9v-_Zm' is base64url (RFC 4648 §5), not Firehose's standard base64.
    const { response, counters } = transformBatch(
      event(['%%%%', 42, 'QQ=A', 'A', 'Zm9v-_Zm']),
      transformer
    );
    expect(response.records.map((r) => r.result)).toEqual([
      'ProcessingFailed',
      'ProcessingFailed',
      'ProcessingFailed',
      'ProcessingFailed',
      'ProcessingFailed',
    ]);
    expect(counters.malformed.invalid_base64).toBe(5);
  });

  it('answers an empty batch with no records', () => {
    expect(transformBatch(event([]), transformer).response).toEqual({
      records: [],
    });
  });

  it.each([
    ['null', null, 'expected an object, got null'],
    ['an array', [], 'expected an object, got an array'],
    ['an S3 event', { Records: [] }, "'records' is missing, expected an array"],
    [
      'a record without recordId',
      { records: [{ data: '' }] },
      'records[0].recordId is missing, expected a string',
    ],
  ])('throws a clear error for %s', (_, input, message) => {
    expect(() => transformBatch(input, transformer)).toThrow(
      `Not an Amazon Data Firehose transformation event: ${message}`
    );
  });
});

describe('decodeBase64', () => {
  it.each([
    ['', ''],
    ['QQ==', 'A'],
    ['QUI=', 'AB'],
    ['QUJD', 'ABC'],
    ['QUI', 'AB'],
  ])('decodes %j', (input, expected) => {
    expect(decodeBase64(input)?.toString()).toBe(expected);
  });

  // RFC 4648 §3.2: `=` only completes the last group of four.
  it.each(['Q', 'QU!D', 'QUJD\n', 'QUJD QUJD', 'QUJD==', 'QUI==', 'QQ='])(
    'refuses %j',
    (input) => {
      expect(decodeBase64(input)).toBeUndefined();
    }
  );
});
