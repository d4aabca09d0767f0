import {
  FirehoseClient,
  PutRecordBatchCommand,
  ResourceNotFoundException,
  ServiceUnavailableException,
} from '@aws-sdk/client-firehose';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  callsOf,
  isRetryable,
  SdkReingester,
} from '../../shared/aws/reingest.ts';
import type { ReingestEntry } from '../../shared/firehose/process-event.ts';
import { processEvent } from '../../shared/firehose/process-event.ts';
import { withReingestMarker } from '../../shared/firehose/reingest-marker.ts';
import { VPC_DEFAULT_FORMAT } from '../../shared/flowlog/fields.ts';
import { jsonTransformer } from '../helpers/pipeline.ts';

const firehoseMock = mockClient(FirehoseClient);
const kinesisMock = mockClient(KinesisClient);
const STREAM = { kind: 'firehose', streamName: 'flow-logs' } as const;
const FAR = Number.MAX_SAFE_INTEGER;

/** A clock that only moves when the adapter sleeps, and a log of sleeps. */
function fakeTime() {
  const clock = { now: 1_000_000, sleeps: [] as number[] };
  return {
    clock,
    options: {
      now: () => clock.now,
      sleep: async (ms: number) => {
        clock.sleeps.push(ms);
        clock.now += ms;
      },
      random: () => 0.5,
    },
  };
}

function entries(count: number, size = 10): ReingestEntry[] {
  return Array.from({ length: count }, (_, i) => ({
    data: Buffer.alloc(size, 0x30 + (i % 10)),
    partitionKey: undefined,
  }));
}

/** A PutRecordBatch answer for `n` records, failing the given positions. */
function answer(
  n: number,
  failed: number[] = [],
  code = 'ServiceUnavailableException'
) {
  return {
    FailedPutCount: failed.length,
    Encrypted: false,
    RequestResponses: Array.from({ length: n }, (_, i) =>
      failed.includes(i)
        ? { ErrorCode: code, ErrorMessage: 'Slow down.' }
        : { RecordId: `r-${i}` }
    ),
  };
}

function reingester() {
  const time = fakeTime();
  const adapter = new SdkReingester(
    new FirehoseClient({ region: 'us-east-1' }),
    new KinesisClient({ region: 'us-east-1' }),
    time.options
  );
  return { adapter, clock: time.clock };
}

beforeEach(() => {
  firehoseMock.reset();
  kinesisMock.reset();
});

describe('SdkReingester on a Firehose stream', () => {
  it('puts every record to the named stream in one call', async () => {
    // Prepare
    const { adapter } = reingester();
    firehoseMock.on(PutRecordBatchCommand).resolves(answer(3));
    const input = entries(3);
    // Act
    const put = await adapter.put(STREAM, input, FAR);
    // Assess
    expect(put).toEqual([true, true, true]);
    expect(firehoseMock).toHaveReceivedCommandExactlyOnceWith(
      PutRecordBatchCommand,
      {
        DeliveryStreamName: 'flow-logs',
        Records: input.map((entry) => ({ Data: entry.data })),
      }
    );
  });

  it('sends at most 500 records per call', async () => {
    // Prepare
    const { adapter } = reingester();
    firehoseMock
      .on(PutRecordBatchCommand)
      .callsFake((input) => answer(input.Records.length));
    // Act
    const put = await adapter.put(STREAM, entries(1201), FAR);
    // Assess
    expect(put.every(Boolean)).toBe(true);
    const sizes = firehoseMock
      .commandCalls(PutRecordBatchCommand)
      .map((c) => c.args[0].input.Records?.length);
    expect(sizes).toEqual([500, 500, 201]);
  });

  it('sends at most 4 MiB of data per call', async () => {
    // Prepare: 4 x 1,000,000 bytes fit 4,194,304; a fifth does not
    const { adapter } = reingester();
    firehoseMock
      .on(PutRecordBatchCommand)
      .callsFake((input) => answer(input.Records.length));
    // Act
    const put = await adapter.put(STREAM, entries(5, 1_000_000), FAR);
    // Assess
    expect(put).toEqual([true, true, true, true, true]);
    const sizes = firehoseMock
      .commandCalls(PutRecordBatchCommand)
      .map((c) => c.args[0].input.Records?.length);
    expect(sizes).toEqual([4, 1]);
  });

  it('retries a throttled call after a jittered backoff', async () => {
    // Prepare
    const { adapter, clock } = reingester();
    firehoseMock
      .on(PutRecordBatchCommand)
      .rejectsOnce(
        new ServiceUnavailableException({
          message: 'Slow down.',
          $metadata: { httpStatusCode: 503 },
        })
      )
      .resolves(answer(2));
    // Act
    const put = await adapter.put(STREAM, entries(2), FAR);
    // Assess: round 2's ceiling is 100 ms x 2^1, half of it with random 0.5
    expect(put).toEqual([true, true]);
    expect(firehoseMock).toHaveReceivedCommandTimes(PutRecordBatchCommand, 2);
    expect(clock.sleeps).toEqual([100]);
  });

  it('retries only the entries a 200 response failed, checking each ErrorCode', async () => {
    // Prepare
    const { adapter } = reingester();
    const input = entries(3);
    firehoseMock
      .on(PutRecordBatchCommand)
      .resolvesOnce(answer(3, [1]))
      .resolves(answer(1));
    // Act
    const put = await adapter.put(STREAM, input, FAR);
    // Assess
    expect(put).toEqual([true, true, true]);
    expect(firehoseMock).toHaveReceivedNthCommandWith(
      PutRecordBatchCommand,
      2,
      {
        Records: [{ Data: input[1]!.data }],
      }
    );
  });

  it('reports an entry that keeps failing as not put, the others as put', async () => {
    // Prepare
    const { adapter, clock } = reingester();
    firehoseMock
      .on(PutRecordBatchCommand)
      .callsFake((input) =>
        answer(
          input.Records.length,
          input.Records.length === 3 ? [2] : [0],
          'InternalFailure'
        )
      );
    // Act
    const put = await adapter.put(STREAM, entries(3), FAR);
    // Assess: ten rounds, nine backoffs
    expect(put).toEqual([true, true, false]);
    expect(firehoseMock).toHaveReceivedCommandTimes(PutRecordBatchCommand, 10);
    expect(clock.sleeps).toHaveLength(9);
  });

  it('gives up at once on a permanent error', async () => {
    // Prepare
    const { adapter, clock } = reingester();
    firehoseMock.on(PutRecordBatchCommand).rejects(
      new ResourceNotFoundException({
        message: 'no stream',
        $metadata: { httpStatusCode: 400 },
      })
    );
    // Act
    const put = await adapter.put(STREAM, entries(2), FAR);
    // Assess
    expect(put).toEqual([false, false]);
    expect(firehoseMock).toHaveReceivedCommandTimes(PutRecordBatchCommand, 1);
    expect(clock.sleeps).toEqual([]);
  });

  it('puts nothing when the deadline has passed', async () => {
    // Prepare
    const { adapter, clock } = reingester();
    firehoseMock.on(PutRecordBatchCommand).resolves(answer(2));
    // Act
    const put = await adapter.put(STREAM, entries(2), clock.now);
    // Assess
    expect(put).toEqual([false, false]);
    expect(firehoseMock).not.toHaveReceivedCommand(PutRecordBatchCommand);
  });

  it('stops retrying when the next backoff would pass the deadline', async () => {
    // Prepare: 150 ms left; the first backoff is 100 ms, the second 200 ms
    const { adapter, clock } = reingester();
    firehoseMock.on(PutRecordBatchCommand).resolves(answer(1, [0]));
    // Act
    const put = await adapter.put(STREAM, entries(1), clock.now + 150);
    // Assess
    expect(put).toEqual([false]);
    expect(firehoseMock).toHaveReceivedCommandTimes(PutRecordBatchCommand, 2);
    expect(clock.sleeps).toEqual([100]);
  });
});

describe('SdkReingester on a Kinesis stream source', () => {
  it('puts with PutRecords, keeping or hashing the partition key', async () => {
    // Prepare
    const { adapter } = reingester();
    kinesisMock.on(PutRecordsCommand).resolves({
      FailedRecordCount: 0,
      Records: [
        { SequenceNumber: '1', ShardId: 's' },
        { SequenceNumber: '2', ShardId: 's' },
      ],
    });
    const arn = 'arn:aws:kinesis:us-east-1:123456789012:stream/src';
    const input = [
      { data: Buffer.from('a'), partitionKey: 'pk-1' },
      { data: Buffer.from('b'), partitionKey: undefined },
    ];
    // Act
    const put = await adapter.put(
      { kind: 'kinesis', streamArn: arn },
      input,
      FAR
    );
    // Assess
    expect(put).toEqual([true, true]);
    const sent = kinesisMock.commandCalls(PutRecordsCommand)[0]?.args[0].input;
    expect(sent?.StreamARN).toBe(arn);
    expect(sent?.Records?.[0]?.PartitionKey).toBe('pk-1');
    expect(sent?.Records?.[1]?.PartitionKey).toMatch(/^[0-9a-f]{64}$/);
  });

  it('retries entries with ProvisionedThroughputExceededException', async () => {
    // Prepare
    const { adapter } = reingester();
    kinesisMock
      .on(PutRecordsCommand)
      .resolvesOnce({
        FailedRecordCount: 1,
        Records: [{ ErrorCode: 'ProvisionedThroughputExceededException' }],
      })
      .resolves({
        FailedRecordCount: 0,
        Records: [{ SequenceNumber: '9', ShardId: 's' }],
      });
    // Act
    const put = await adapter.put(
      { kind: 'kinesis', streamArn: 'arn' },
      entries(1),
      FAR
    );
    // Assess
    expect(put).toEqual([true]);
    expect(kinesisMock).toHaveReceivedCommandTimes(PutRecordsCommand, 2);
  });
});

describe('call planning and error classes', () => {
  it('keeps entries in order across calls', () => {
    expect(callsOf([0, 1, 2], entries(3), false)).toEqual([[0, 1, 2]]);
  });

  it.each([
    [
      'throttling',
      new ServiceUnavailableException({ message: '', $metadata: {} }),
      true,
    ],
    [
      'a missing stream',
      new ResourceNotFoundException({ message: '', $metadata: {} }),
      false,
    ],
    [
      'a network error',
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      true,
    ],
    [
      'an HTTP 500',
      { name: 'Unknown', $metadata: { httpStatusCode: 500 } },
      true,
    ],
    [
      'an HTTP 403',
      { name: 'Unknown', $metadata: { httpStatusCode: 403 } },
      false,
    ],
  ])('classifies %s', (_, error, retryable) => {
    expect(isRetryable(error)).toBe(retryable);
  });
});

describe('processEvent with the SDK re-ingester', () => {
  const LINE =
    '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
  const data = Buffer.from(`${LINE}\n`.repeat(50)).toString('base64');
  const event = {
    invocationId: 'i',
    deliveryStreamArn:
      'arn:aws:firehose:us-east-1:123456789012:deliverystream/flow-logs',
    region: 'us-east-1',
    records: [0, 1, 2].map((i) => ({
      recordId: `id-${i}`,
      approximateArrivalTimestamp: 1,
      data,
    })),
  };
  const deps = (adapter: SdkReingester) => ({
    transformer: jsonTransformer(VPC_DEFAULT_FORMAT),
    budgetBytes: 20_000,
    reingester: adapter,
    deadline: FAR,
  });

  it('drops the records it re-ingested, with the original data after a marker', async () => {
    // Prepare
    const { adapter } = reingester();
    firehoseMock
      .on(PutRecordBatchCommand)
      .callsFake((input) => answer(input.Records.length));
    // Act
    const outcome = await processEvent(event, deps(adapter));
    // Assess
    const results = outcome.response.records.map((r) => r.result);
    expect(results).toEqual(['Ok', 'Dropped', 'Dropped']);
    expect(firehoseMock).toHaveReceivedCommandWith(PutRecordBatchCommand, {
      DeliveryStreamName: 'flow-logs',
      Records: [
        { Data: withReingestMarker(Buffer.from(data, 'base64'), 1) },
        { Data: withReingestMarker(Buffer.from(data, 'base64'), 1) },
      ],
    });
    expect(outcome.counters.reingested).toBe(2);
  });

  it('fails the records it could not re-ingest, losing none', async () => {
    // Prepare
    const { adapter } = reingester();
    firehoseMock
      .on(PutRecordBatchCommand)
      .rejects(
        new ResourceNotFoundException({ message: 'gone', $metadata: {} })
      );
    // Act
    const outcome = await processEvent(event, deps(adapter));
    // Assess
    expect(outcome.response.records.map((r) => r.result)).toEqual([
      'Ok',
      'ProcessingFailed',
      'ProcessingFailed',
    ]);
    expect(outcome.counters).toMatchObject({
      ok: 1,
      dropped: 0,
      failed: 2,
      reingested: 0,
      malformed: { reingest_failed: 2 },
    });
  });
});
