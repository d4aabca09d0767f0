/**
 * The fuzzer's oracle must be right before it can judge: its readings of
 * AWS's documented example records
 * (https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-records-examples.html)
 * and of the documented framing rules (docs/configuration.md).
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  referenceFormat,
  referenceRecord,
} from '../../scripts/fuzz/reference.mjs';

const V2 = referenceFormat(
  '${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}'
);
const OPTIONS = { maxInflated: 8_388_608, filter: undefined };
const ACCEPTED =
  '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
const NODATA =
  '2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA';

function read(text: string | Buffer) {
  return referenceRecord(Buffer.from(text).toString('base64'), V2, OPTIONS);
}

function envelope(messageType: string, messages: string[]): string {
  return JSON.stringify({
    messageType,
    owner: '123456789010',
    logGroup: 'flow-logs',
    logStream: 'eni-1235b8ca123456789-all',
    subscriptionFilters: ['to-firehose'],
    logEvents: messages.map((message, i) => ({
      id: String(i),
      timestamp: 0,
      message,
    })),
  });
}

describe('reference parser', () => {
  it('reads the documented accepted-traffic line with exact types', () => {
    // Act
    const outcome = read(ACCEPTED);

    // Assess
    expect(outcome.status).toBe('Ok');
    expect(outcome.kept).toEqual([
      [
        ['version', 2n],
        ['account_id', '123456789010'],
        ['interface_id', 'eni-1235b8ca123456789'],
        ['srcaddr', '172.31.16.139'],
        ['dstaddr', '172.31.16.21'],
        ['srcport', 20641n],
        ['dstport', 22n],
        ['protocol', 6n],
        ['packets', 20n],
        ['bytes', 4249n],
        ['start', 1418530010n],
        ['end', 1418530070n],
        ['action', 'ACCEPT'],
        ['log_status', 'OK'],
      ],
    ]);
  });

  it('omits `-` fields of the documented NODATA line', () => {
    // Act
    const outcome = read(`${NODATA}\r\n`);

    // Assess
    expect(outcome.kept[0]?.map(([key]) => key)).toEqual([
      'version',
      'account_id',
      'interface_id',
      'start',
      'end',
      'log_status',
    ]);
  });

  it('keeps 2^64 - 1 exactly and fails 2^64', () => {
    // Prepare
    const max = ACCEPTED.replace(' 4249 ', ' 18446744073709551615 ');
    const over = ACCEPTED.replace(' 4249 ', ' 18446744073709551616 ');

    // Act / Assess
    expect(read(max).kept[0]).toContainEqual(['bytes', 18446744073709551615n]);
    expect(read(over).status).toBe('ProcessingFailed');
  });

  it('reads wrappers and fails short JSON objects without a message', () => {
    // Act / Assess
    expect(read(JSON.stringify({ message: ACCEPTED })).status).toBe('Ok');
    expect(read('{"a":"b"}').status).toBe('ProcessingFailed');
    expect(read(`{"message":"${ACCEPTED.replace(' ', '\t')}"}`).status).toBe(
      'ProcessingFailed'
    );
    expect(read('{"message":"2 \\ud800"}').status).toBe('ProcessingFailed');
  });

  it('reads concatenated gzip envelopes and keeps a `}{` value', () => {
    // Prepare
    const line = ACCEPTED.replace('ACCEPT', '}{');
    const text = `${envelope('DATA_MESSAGE', [line])}${envelope('CONTROL_MESSAGE', ['CWL CONTROL MESSAGE'])}`;

    // Act
    const outcome = read(gzipSync(text));

    // Assess
    expect(outcome.status).toBe('Ok');
    expect(outcome.kept[0]).toContainEqual(['action', '}{']);
  });

  it('drops control messages, blank records and the S3 header line', () => {
    // Act / Assess
    expect(read(gzipSync(envelope('CONTROL_MESSAGE', ['x']))).status).toBe(
      'Dropped'
    );
    expect(read(envelope('CONTROL_MESSAGE', ['x'])).status).toBe('Dropped');
    expect(read(' \n\r\n').status).toBe('Dropped');
    expect(read(V2.header).status).toBe('Dropped');
  });

  it('lets a record with a repeated JSON key also fail (RFC 8259 section 4)', () => {
    // Act
    const outcome = read(`{"message":"x","message":"${ACCEPTED}"}`);

    // Assess
    expect(outcome.status).toBe('Ok');
    expect(outcome.loose).toEqual(['repeated JSON key']);
  });

  it('fails data that is not standard base64', () => {
    // Act / Assess
    for (const data of ['Zm9v-', 'Zm9v_', 'Zm9vY', 'Zm9vYg===', 'Zm 9v']) {
      expect(referenceRecord(data, V2, OPTIONS).status).toBe(
        'ProcessingFailed'
      );
    }
  });
});
