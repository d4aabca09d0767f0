/**
 * The re-ingestion adapter: puts records back to the stream they came from,
 * PutRecordBatch for a Direct PUT delivery stream, PutRecords for a Kinesis
 * data stream source. The clients are created once, at cold start, and
 * honour the SDK's standard settings (AWS_REGION, AWS_ENDPOINT_URL,
 * AWS_ENDPOINT_URL_FIREHOSE, AWS_ENDPOINT_URL_KINESIS).
 *
 * The SDK's own retries are off (maxAttempts 1): this adapter retries failed
 * entries itself, with exponential backoff and full jitter, and never past
 * the deadline it is given. A 200 response can still fail entries, so every
 * entry's ErrorCode is checked.
 */
import { createHash } from 'node:crypto';
import {
  FirehoseClient,
  PutRecordBatchCommand,
} from '@aws-sdk/client-firehose';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type {
  ReingestEntry,
  Reingester,
  ReingestTarget,
} from '../firehose/process-event.ts';
import {
  DEPENDENCY,
  type DependencyFailures,
  dependencyFailures,
} from '../observability/dependency-failures.ts';
import { logger } from '../observability/logger.ts';
import { beforeDeadline, CLIENT_TIMEOUTS } from './deadline.ts';

/** PutRecordBatch and PutRecords take at most 500 records per call. */
const MAX_CALL_RECORDS = 500;

/** PutRecordBatch takes at most 4 MiB per call (PutRecords 5 MiB). */
const MAX_CALL_BYTES = 4 * 1024 * 1024;

/** Error names worth retrying besides 5xx and network failures. */
const RETRYABLE_ERRORS: ReadonlySet<string> = new Set([
  'ServiceUnavailableException',
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'LimitExceededException',
  'KMSThrottlingException',
  'InternalFailure',
  'InternalFailureException',
  'RequestTimeout',
  'TimeoutError',
]);

/** How the adapter retries; every field has a default. */
interface RetryOptions {
  /** Rounds of puts, the first included. */
  readonly maxRounds: number;
  /** Backoff before round 2 is up to twice this; it doubles each round. */
  readonly baseDelayMs: number;
  /** Cap of one backoff. */
  readonly maxDelayMs: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** In [0, 1): the jitter. */
  readonly random: () => number;
  /** Where failed calls are logged and counted. */
  readonly failures: DependencyFailures;
}

const DEFAULT_RETRY: RetryOptions = {
  maxRounds: 10,
  baseDelayMs: 100,
  maxDelayMs: 5_000,
  now: Date.now,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
  failures: dependencyFailures,
};

/** Per entry after a call: put, to retry, or failed for good. */
const OUTCOME = { PUT: 1, RETRY: 2, FAILED: 3 } as const;
type Outcome = (typeof OUTCOME)[keyof typeof OUTCOME];

/** One entry of a 200 answer, with its error when it failed. */
interface EntryOutcome {
  readonly outcome: Outcome;
  readonly errorCode?: string;
  readonly errorMessage?: string;
}

/** An entry is put when it has an id (RecordId / SequenceNumber) and no ErrorCode. */
function entryOutcome(
  id: string | undefined,
  entry: { ErrorCode?: string; ErrorMessage?: string } | undefined
): EntryOutcome {
  if (id !== undefined && !entry?.ErrorCode) return { outcome: OUTCOME.PUT };
  return {
    outcome: OUTCOME.RETRY,
    errorCode: entry?.ErrorCode ?? 'MissingEntryResult',
    errorMessage:
      entry?.ErrorMessage ?? 'the answer has no result for this record',
  };
}

/** The dependency a target's calls go to, for logs and metrics. */
function dependencyOf(target: ReingestTarget) {
  return target.kind === 'firehose' ? DEPENDENCY.FIREHOSE : DEPENDENCY.KINESIS;
}

/**
 * True for a thrown error a later attempt may not hit: throttling, a server
 * fault, a network failure or timeout. A client fault (access denied, no
 * such stream, invalid argument) is permanent.
 */
function isRetryable(error: unknown): boolean {
  const e = (error ?? {}) as {
    name?: unknown;
    $retryable?: unknown;
    $fault?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  if (e.$retryable !== undefined && e.$retryable !== null) return true;
  if (typeof e.name === 'string' && RETRYABLE_ERRORS.has(e.name)) return true;
  if (e.$fault === 'client') return false;
  if (e.$fault === 'server') return true;
  const status = e.$metadata?.httpStatusCode;
  if (typeof status !== 'number') return true;
  return status >= 500 || status === 429;
}

/** A Kinesis partition key for data that came without one. */
function hashKey(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Splits entry positions into calls of at most 500 records and 4 MiB of data
 * (plus partition keys for Kinesis). An entry larger than a call goes alone.
 *
 * @example callsOf([0, 1, 2], entries, false) // [[0, 1, 2]]
 */
function callsOf(
  pending: readonly number[],
  entries: readonly ReingestEntry[],
  withKeys: boolean
): number[][] {
  const calls: number[][] = [];
  let call: number[] = [];
  let bytes = 0;
  for (const index of pending) {
    const entry = entries[index]!;
    const size =
      entry.data.length +
      (withKeys
        ? Buffer.byteLength(entry.partitionKey ?? hashKey(entry.data))
        : 0);
    if (
      call.length > 0 &&
      (call.length === MAX_CALL_RECORDS || bytes + size > MAX_CALL_BYTES)
    ) {
      calls.push(call);
      call = [];
      bytes = 0;
    }
    call.push(index);
    bytes += size;
  }
  if (call.length > 0) calls.push(call);
  return calls;
}

/**
 * {@link Reingester} on the AWS SDK v3 clients.
 *
 * @example await new SdkReingester(firehose, kinesis).put(target, entries, Date.now() + 10_000)
 */
class SdkReingester implements Reingester {
  private readonly firehose: FirehoseClient;
  private readonly kinesis: KinesisClient;
  private readonly retry: RetryOptions;

  constructor(
    firehose: FirehoseClient,
    kinesis: KinesisClient,
    retry: Partial<RetryOptions> = {}
  ) {
    this.firehose = firehose;
    this.kinesis = kinesis;
    this.retry = { ...DEFAULT_RETRY, ...retry };
  }

  /**
   * Puts every entry; failed entries are retried in rounds, with backoff,
   * while the next round can start before `deadline` (epoch ms).
   */
  async put(
    target: ReingestTarget,
    entries: readonly ReingestEntry[],
    deadline: number
  ): Promise<boolean[]> {
    const put = entries.map(() => false);
    let pending = entries.map((_, index) => index);
    for (let round = 0; round < this.retry.maxRounds; round++) {
      if (pending.length === 0) break;
      if (round > 0 && !(await this.backoff(round, deadline))) break;
      pending = await this.sendRound(target, entries, pending, put, deadline);
    }
    if (pending.length > 0) {
      logger.warn('re-ingestion gave up', {
        failed: put.filter((ok) => !ok).length,
        entries: entries.length,
      });
    }
    return put;
  }

  /** Waits a full-jitter backoff; false when it would pass the deadline. */
  private async backoff(round: number, deadline: number): Promise<boolean> {
    const { baseDelayMs, maxDelayMs, now, sleep, random } = this.retry;
    const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** round);
    const delay = Math.floor(random() * ceiling);
    if (now() + delay >= deadline) return false;
    await sleep(delay);
    return true;
  }

  /** One round: every pending entry once. @returns entries to retry */
  private async sendRound(
    target: ReingestTarget,
    entries: readonly ReingestEntry[],
    pending: readonly number[],
    put: boolean[],
    deadline: number
  ): Promise<number[]> {
    const retry: number[] = [];
    for (const call of callsOf(pending, entries, target.kind === 'kinesis')) {
      if (this.retry.now() >= deadline) {
        retry.push(...call);
        continue;
      }
      const outcomes = await this.send(target, entries, call, deadline);
      call.forEach((index, i) => {
        const outcome = outcomes[i];
        if (outcome === OUTCOME.PUT) put[index] = true;
        else if (outcome === OUTCOME.RETRY) retry.push(index);
      });
    }
    return retry;
  }

  /** One call; a thrown error applies to every entry of the call. */
  private async send(
    target: ReingestTarget,
    entries: readonly ReingestEntry[],
    call: readonly number[],
    deadline: number
  ): Promise<Outcome[]> {
    const operation =
      target.kind === 'firehose'
        ? `PutRecordBatch ${target.streamName}`
        : `PutRecords ${target.streamArn}`;
    try {
      // The deadline keeps a hung call from outliving the invocation.
      const outcomes = await beforeDeadline(
        operation,
        deadline,
        (abortSignal) =>
          target.kind === 'firehose'
            ? this.putFirehose(target.streamName, entries, call, {
                abortSignal,
              })
            : this.putKinesis(target.streamArn, entries, call, {
                abortSignal,
              }),
        this.retry.now
      );
      this.reportEntryErrors(target, operation, outcomes);
      return outcomes.map((outcome) => outcome.outcome);
    } catch (error) {
      const retryable = isRetryable(error);
      this.retry.failures.report({
        dependency: dependencyOf(target),
        operation,
        consequence: retryable
          ? `${call.length} records retried with backoff until the invocation deadline`
          : `${call.length} records answered ProcessingFailed (reingest_failed); Firehose keeps them under the error prefix`,
        error,
      });
      return call.map(() => (retryable ? OUTCOME.RETRY : OUTCOME.FAILED));
    }
  }

  /** A 200 answer with failed entries: one report naming the first error. */
  private reportEntryErrors(
    target: ReingestTarget,
    operation: string,
    outcomes: readonly EntryOutcome[]
  ): void {
    const failed = outcomes.filter((o) => o.outcome !== OUTCOME.PUT);
    const first = failed.find((o) => o.errorCode !== undefined);
    if (first === undefined) return;
    const error = new Error(first.errorMessage ?? '');
    error.name = first.errorCode!;
    this.retry.failures.report({
      dependency: dependencyOf(target),
      operation,
      consequence: `${failed.length} of ${outcomes.length} records failed in a 200 answer; retried with backoff until the invocation deadline`,
      error,
    });
  }

  private async putFirehose(
    streamName: string,
    entries: readonly ReingestEntry[],
    call: readonly number[],
    options: { abortSignal: AbortSignal }
  ): Promise<EntryOutcome[]> {
    const output = await this.firehose.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: streamName,
        Records: call.map((index) => ({ Data: entries[index]!.data })),
      }),
      options
    );
    const responses = output.RequestResponses ?? [];
    return call.map((_, i) =>
      entryOutcome(responses[i]?.RecordId, responses[i])
    );
  }

  private async putKinesis(
    streamArn: string,
    entries: readonly ReingestEntry[],
    call: readonly number[],
    options: { abortSignal: AbortSignal }
  ): Promise<EntryOutcome[]> {
    const output = await this.kinesis.send(
      new PutRecordsCommand({
        StreamARN: streamArn,
        Records: call.map((index) => {
          const entry = entries[index]!;
          const key = entry.partitionKey ?? hashKey(entry.data);
          return { Data: entry.data, PartitionKey: key };
        }),
      }),
      options
    );
    const records = output.Records ?? [];
    return call.map((_, i) =>
      entryOutcome(records[i]?.SequenceNumber, records[i])
    );
  }
}

/** Client settings: one attempt per call, since the adapter retries. */
const CLIENT_CONFIG = {
  maxAttempts: 1,
  requestHandler: CLIENT_TIMEOUTS,
} as const;

/** Created once per cold start; the region and endpoint come from the environment. */
const firehoseClient = new FirehoseClient(CLIENT_CONFIG);
const kinesisClient = new KinesisClient(CLIENT_CONFIG);

/** The function's re-ingester, on the cold-start clients. */
const reingester: Reingester = new SdkReingester(firehoseClient, kinesisClient);

export type { RetryOptions };
export {
  callsOf,
  firehoseClient,
  isRetryable,
  kinesisClient,
  MAX_CALL_BYTES,
  MAX_CALL_RECORDS,
  reingester,
  SdkReingester,
};
