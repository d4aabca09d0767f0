import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { collectFieldValues } from '../../../shared/enrich/collect.ts';
import { VPC_DEFAULT_FORMAT } from '../../../shared/flowlog/fields.ts';
import { parseFormat } from '../../../shared/flowlog/format.ts';

const FORMAT = parseFormat(VPC_DEFAULT_FORMAT);
const line = (eni: string) =>
  `2 123456789010 ${eni} 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK`;

describe('collectFieldValues', () => {
  it('collects distinct interface ids from wrapped, bare and multi-line records', () => {
    // Prepare
    const records = [
      Buffer.from(`{"message":"${line('eni-aaaaaaaa')}"}`),
      Buffer.from(`${line('eni-bbbbbbbb')}\n`),
      Buffer.from(`${line('eni-aaaaaaaa')}\r\n  ${line('eni-cccccccc')}`),
    ];

    // Act
    const ids = collectFieldValues(records, FORMAT, 'interface-id');

    // Assess
    expect([...ids].sort()).toEqual([
      'eni-aaaaaaaa',
      'eni-bbbbbbbb',
      'eni-cccccccc',
    ]);
  });

  it('reads CloudWatch Logs gzip envelopes', () => {
    // Prepare
    const envelope = {
      messageType: 'DATA_MESSAGE',
      logEvents: [{ id: '1', timestamp: 1, message: line('eni-dddddddd') }],
    };

    // Act
    const ids = collectFieldValues(
      [gzipSync(JSON.stringify(envelope))],
      FORMAT,
      'interface-id'
    );

    // Assess
    expect([...ids]).toEqual(['eni-dddddddd']);
  });

  it('skips `-`, short lines and broken wrappers, and fields the format lacks', () => {
    // Prepare
    const records = [
      Buffer.from('2 123456789010 - - - - - - - - 1 2 - NODATA'),
      Buffer.from('2 123'),
      Buffer.from('{"message":'),
    ];

    // Act
    const ids = collectFieldValues(records, FORMAT, 'interface-id');
    const none = collectFieldValues(records, FORMAT, 'tgw-id');

    // Assess
    expect(ids.size).toBe(0);
    expect(none.size).toBe(0);
  });
});
