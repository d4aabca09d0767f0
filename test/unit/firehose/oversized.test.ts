// A record whose output no response can hold — a CloudWatch Logs envelope of
// thousands of events — is re-ingested as parts of its lines instead of
// failing: each part's output fits, and every line is put exactly once.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { planBatch } from '../../../shared/firehose/batch.ts';
import { RecordTransformer } from '../../../shared/firehose/record-transformer.ts';
import { readReingestMarker } from '../../../shared/firehose/reingest-marker.ts';
import { VPC_DEFAULT_FORMAT } from '../../../shared/flowlog/fields.ts';
import { parseFormat } from '../../../shared/flowlog/format.ts';
import { JsonSerializer } from '../../../shared/output/json.ts';

/** AWS's documented v2 example, with the source port varied per event. */
function line(i: number): string {
  return `2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 ${i % 65536} 22 6 20 4249 1418530010 1418530070 ACCEPT OK`;
}

/** A CloudWatch Logs subscription record (DATA_MESSAGE), gzipped. */
function envelope(lines: readonly string[]): string {
  const body = {
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup: 'vpc-flow-logs',
    logStream: 'eni-1235b8ca123456789-all',
    subscriptionFilters: ['to-firehose'],
    logEvents: lines.map((message, i) => ({
      id: String(i),
      timestamp: 1418530070000,
      message,
    })),
  };
  return gzipSync(JSON.stringify(body)).toString('base64');
}

function transformer(maxOutputBytes: number): RecordTransformer {
  const format = parseFormat(VPC_DEFAULT_FORMAT);
  return new RecordTransformer(
    {
      format,
      filter: undefined,
      enrichers: [],
      serializer: new JsonSerializer(format),
    },
    { maxDecompressedBytes: 4 << 20, maxOutputBytes }
  );
}

describe('a record whose output no response can hold', () => {
  const lines = Array.from({ length: 5000 }, (_, i) => line(i));
  const event = {
    records: [
      { recordId: 'r1', approximateArrivalTimestamp: 1, data: envelope(lines) },
    ],
  };

  it('is re-ingested as parts whose outputs each fit, every line once and in order', () => {
    // Prepare: a cap far below the record's ~1.3 MB of JSON
    const t = transformer(200_000);

    // Act
    const plan = planBatch(event, t, {
      budgetBytes: 6_000_000,
      reingest: true,
    });

    // Assess
    expect(plan.response.records).toEqual([
      { recordId: 'r1', result: 'ProcessingFailed', data: '' },
    ]);
    expect(plan.reingest).toHaveLength(1);
    const payloads = plan.reingest[0]!.payloads;
    expect(payloads.length).toBeGreaterThan(1);
    const put: string[] = [];
    for (const payload of payloads) {
      // Each part carries the re-ingestion marker of its first trip.
      const marker = readReingestMarker(payload);
      expect(marker.attempt).toBe(1);
      const body = payload.subarray(marker.offset);
      put.push(...body.toString('utf8').slice(0, -1).split('\n'));
      expect(t.transform(body).status).toBe('Ok');
    }
    expect(put).toEqual(lines);
  });

  it('fails as output_too_large when re-ingestion is off', () => {
    // Act
    const plan = planBatch(event, transformer(200_000), {
      budgetBytes: 6_000_000,
      reingest: false,
    });

    // Assess
    expect(plan.response.records[0]).toEqual({
      recordId: 'r1',
      result: 'ProcessingFailed',
      data: '',
    });
    expect(plan.counters.malformed).toEqual({ output_too_large: 1 });
  });
});
