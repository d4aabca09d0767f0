// Issue #9, item 3: re-ingestion could loop forever (RESPONSE_BUDGET_BYTES
// 100000 and a 1 MB burst: every record re-ingested on every round). The loop
// guard is a marker line on every re-ingested record (reingest-marker.ts):
// marked records are answered first, and a record is put back at most
// MAX_REINGEST_ATTEMPTS times.
import { describe, expect, it } from 'vitest';
import { processEvent } from '../../shared/firehose/process-event.ts';
import {
  isMarkedBase64,
  MARKER_BYTES,
  MARKER_PREFIX_BASE64,
  MAX_REINGEST_ATTEMPTS,
  markForReingestion,
  priorityOrder,
  readReingestMarker,
  withReingestMarker,
} from '../../shared/firehose/reingest-marker.ts';
import { VPC_DEFAULT_FORMAT } from '../../shared/flowlog/fields.ts';
import { jsonTransformer } from '../helpers/pipeline.ts';
import { burst, simulate } from './helpers/reingest-simulation.ts';

const LINE =
  '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK\n';

describe('the re-ingestion marker', () => {
  it('is one line, #flp-reingest/1 attempt=N, before the original bytes', () => {
    // Act
    const marked = withReingestMarker(Buffer.from(LINE), 2);
    // Assess
    expect(marked.toString()).toBe(`#flp-reingest/1 attempt=2\n${LINE}`);
    expect(readReingestMarker(marked)).toEqual({
      attempt: 2,
      offset: MARKER_BYTES,
    });
    expect(marked.subarray(MARKER_BYTES).toString()).toBe(LINE);
  });

  it('is recognised from the base64 data without decoding it', () => {
    const marked = withReingestMarker(Buffer.from(LINE), 1).toString('base64');
    expect(MARKER_PREFIX_BASE64).toHaveLength(32);
    expect(isMarkedBase64(marked)).toBe(true);
    expect(isMarkedBase64(Buffer.from(LINE).toString('base64'))).toBe(false);
  });

  it.each([
    '#flp-reingest/1 attempt=x\n2 1',
    '#flp-reingest/1 attempt=1 2 1',
    '#flp-reingest/1 attempt=',
    '#flp-reingest/2 attempt=1\n',
    LINE,
  ])('leaves %j as data', (text) => {
    expect(readReingestMarker(Buffer.from(text))).toEqual({
      attempt: 0,
      offset: 0,
    });
  });

  it('refuses a record at the attempt limit, and one over a Firehose record with its marker', () => {
    expect(markForReingestion([Buffer.from(LINE)], MAX_REINGEST_ATTEMPTS)).toBe(
      're-ingested 3 times already, the limit (3)'
    );
    expect(markForReingestion([Buffer.alloc(1_024_000 - 25)], 0)).toBe(
      '1024001 bytes with the re-ingestion marker is over the 1024000-byte record limit'
    );
    expect(markForReingestion([Buffer.alloc(1_024_000 - 26)], 0)).toEqual([
      expect.any(Buffer),
    ]);
  });

  it('orders marked records first, in input order among them', () => {
    const marked = {
      data: withReingestMarker(Buffer.from(LINE), 1).toString('base64'),
    };
    const fresh = { data: Buffer.from(LINE).toString('base64') };
    expect(priorityOrder([fresh, marked, fresh, marked])).toEqual([1, 3, 0, 2]);
    expect(priorityOrder([fresh, fresh])).toBeUndefined();
  });
});

describe('processEvent with marked records', () => {
  const transformer = jsonTransformer(VPC_DEFAULT_FORMAT);
  const deps = (budgetBytes: number, puts: Buffer[][]) => ({
    transformer,
    budgetBytes,
    deadline: Number.MAX_SAFE_INTEGER,
    reingester: {
      put: async (_target: unknown, entries: readonly { data: Buffer }[]) => {
        puts.push(entries.map((entry) => entry.data));
        return entries.map(() => true);
      },
    },
  });
  const event = (datas: Buffer[]) => ({
    invocationId: 'i',
    deliveryStreamArn:
      'arn:aws:firehose:us-east-1:123456789012:deliverystream/s',
    region: 'us-east-1',
    records: datas.map((data, i) => ({
      recordId: `id-${i}`,
      approximateArrivalTimestamp: 1,
      data: data.toString('base64'),
    })),
  });

  it('gives a re-ingested record the budget before fresh ones, answering in input order', async () => {
    // Prepare: room for about one record's output
    const fresh = Buffer.from(LINE.repeat(5));
    const marked = withReingestMarker(fresh, 1);
    const puts: Buffer[][] = [];
    // Act
    const outcome = await processEvent(
      event([fresh, fresh, marked]),
      deps(3_500, puts)
    );
    // Assess
    expect(outcome.response.records.map((r) => [r.recordId, r.result])).toEqual(
      [
        ['id-0', 'Dropped'],
        ['id-1', 'Dropped'],
        ['id-2', 'Ok'],
      ]
    );
    expect(puts.flat().map((data) => readReingestMarker(data).attempt)).toEqual(
      [1, 1]
    );
  });

  it('fails a record re-ingested 3 times that still does not fit, and puts nothing', async () => {
    // Prepare
    const marked = withReingestMarker(Buffer.from(LINE.repeat(10)), 3);
    const puts: Buffer[][] = [];
    // Act
    const outcome = await processEvent(
      event([marked, marked]),
      deps(6_000, puts)
    );
    // Assess
    expect(outcome.response.records.map((r) => r.result)).toEqual([
      'Ok',
      'ProcessingFailed',
    ]);
    expect(puts).toEqual([]);
    expect(outcome.samples[0]).toMatchObject({
      reason: 'reingest_failed',
      excerpt:
        'output does not fit the response budget; re-ingested 3 times already, the limit (3)',
    });
  });

  it("ends the issue's loop: a 1 MB burst at RESPONSE_BUDGET_BYTES=100000 stops after 3 puts per record, every record answered", async () => {
    // Prepare: 1 MB of one-line records, as the burst
    const records = burst('v2', 1_000_000, false);
    // Act
    const result = await simulate({
      records,
      transformer,
      budgetBytes: 100_000,
      bufferBytes: 1_048_576,
    });
    // Assess
    expect(result.invocations).toBeLessThanOrEqual(MAX_REINGEST_ATTEMPTS + 2);
    expect(result.puts).toBeLessThanOrEqual(
      MAX_REINGEST_ATTEMPTS * records.length
    );
    expect(result.delivered + result.failed).toBe(records.length);
    expect(result.maxInvocations).toBeLessThanOrEqual(
      MAX_REINGEST_ATTEMPTS + 1
    );
  });
});
