/**
 * What Firehose does with the function's response: Ok data concatenated into
 * one object per partition, Dropped records gone, failed records written as
 * error records under the error prefix.
 */
import type {
  FirehoseTransformationResult,
  FirehoseTransformationResultRecord,
} from 'aws-lambda';
import type { PendingRecord } from './records.ts';
import type { ErrorRecord, S3Layout } from './s3-layout.ts';
import {
  dataPrefix,
  errorPrefixOf,
  objectKey,
  PARTITIONING_FAILED,
  PROCESSING_FAILED,
  writeObject,
} from './s3-layout.ts';
import type { ReplayStats } from './summary.ts';

/** Where and how batches are written. */
interface DeliveryTarget {
  readonly outDir: string;
  readonly layout: S3Layout;
  readonly lambdaArn: string;
  readonly stats: ReplayStats;
}

/** Ok records of one partition: their records, data and oldest arrival. */
interface Partition {
  readonly keys: Readonly<Record<string, string>> | undefined;
  readonly records: PendingRecord[];
  readonly chunks: Buffer[];
  oldest: number;
}

/** A record bound for the error prefix. */
interface Failure {
  readonly record: PendingRecord;
  readonly errorType: string;
  readonly errorCode: string;
  readonly errorMessage: string;
}

/** Error codes and messages of the records the function did not transform. */
const FAILURE = {
  PROCESSING_FAILED: {
    errorCode: 'Lambda.ProcessingFailed',
    errorMessage:
      'The Lambda function returned ProcessingFailed for this record.',
  },
  MISSING_RECORD_ID: {
    errorCode: 'Lambda.MissingRecordId',
    errorMessage:
      'The Lambda function response has no result for this recordId.',
  },
  INVALID_RESULT: {
    errorCode: 'Lambda.InvalidResult',
    errorMessage:
      'The Lambda function returned a result other than Ok, Dropped or ProcessingFailed.',
  },
} as const;

function partitionKeysOf(
  result: FirehoseTransformationResultRecord
): Record<string, string> | undefined {
  const keys = result.metadata?.partitionKeys;
  return keys !== undefined && Object.keys(keys).length > 0 ? keys : undefined;
}

function failureOf(
  result: FirehoseTransformationResultRecord | undefined
): (typeof FAILURE)[keyof typeof FAILURE] {
  if (result === undefined) return FAILURE.MISSING_RECORD_ID;
  return result.result === 'ProcessingFailed'
    ? FAILURE.PROCESSING_FAILED
    : FAILURE.INVALID_RESULT;
}

function addOk(
  partitions: Map<string, Partition>,
  record: PendingRecord,
  result: FirehoseTransformationResultRecord,
  stats: ReplayStats
): void {
  const keys = partitionKeysOf(result);
  const id = keys === undefined ? '' : JSON.stringify(keys);
  let partition = partitions.get(id);
  if (partition === undefined) {
    partition = { keys, records: [], chunks: [], oldest: record.arrival };
    partitions.set(id, partition);
  }
  const data = Buffer.from(result.data ?? '', 'base64');
  stats.ok++;
  stats.bytesOut += data.length;
  partition.records.push(record);
  partition.chunks.push(data);
  partition.oldest = Math.min(partition.oldest, record.arrival);
}

/** Sorts each record of the batch into a partition or a failure. */
function sortResults(
  records: readonly PendingRecord[],
  response: FirehoseTransformationResult,
  stats: ReplayStats
): { partitions: Map<string, Partition>; failures: Failure[] } {
  const byId = new Map<string, FirehoseTransformationResultRecord>();
  for (const result of response.records ?? []) {
    byId.set(result.recordId, result);
  }
  const partitions = new Map<string, Partition>();
  const failures: Failure[] = [];
  for (const record of records) {
    const result = byId.get(record.recordId);
    if (result?.result === 'Ok') addOk(partitions, record, result, stats);
    else if (result?.result === 'Dropped') stats.dropped++;
    else {
      stats.failed++;
      const { errorCode, errorMessage } = failureOf(result);
      failures.push({
        record,
        errorType: PROCESSING_FAILED,
        errorCode,
        errorMessage,
      });
    }
  }
  return { partitions, failures };
}

/** Writes one Ok object per partition; records missing a key fail. */
async function writePartitions(
  partitions: Map<string, Partition>,
  failures: Failure[],
  target: DeliveryTarget
): Promise<void> {
  for (const partition of partitions.values()) {
    const prefix = dataPrefix(target.layout, partition.oldest, partition.keys);
    if (typeof prefix !== 'string') {
      // Firehose sends what it cannot partition to the error prefix.
      for (const record of partition.records) {
        failures.push({
          record,
          errorType: PARTITIONING_FAILED,
          errorCode: 'DynamicPartitioning.MissingPartitionKey',
          errorMessage: `The prefix uses !{partitionKeyFromLambda:${prefix.missingKey}} but the record has no such key.`,
        });
      }
      target.stats.ok -= partition.records.length;
      target.stats.failed += partition.records.length;
      continue;
    }
    const key = objectKey(target.layout, prefix, partition.oldest);
    const body = Buffer.concat(partition.chunks);
    target.stats.bytesWritten += await writeObject(
      target.outDir,
      target.layout,
      key,
      body
    );
    target.stats.objects++;
  }
}

/** Writes one error object per error output type, records in batch order. */
async function writeFailures(
  failures: readonly Failure[],
  closedAt: number,
  target: DeliveryTarget
): Promise<void> {
  const byType = new Map<string, Failure[]>();
  for (const failure of failures) {
    const list = byType.get(failure.errorType) ?? [];
    list.push(failure);
    byType.set(failure.errorType, list);
  }
  for (const [errorType, list] of byType) {
    const oldest = list.reduce(
      (min, failure) => Math.min(min, failure.record.arrival),
      Number.POSITIVE_INFINITY
    );
    const lines = list.map((failure) => {
      const record: ErrorRecord = {
        attemptsMade: 1,
        arrivalTimestamp: failure.record.arrival,
        errorCode: failure.errorCode,
        errorMessage: failure.errorMessage,
        attemptEndingTimestamp: closedAt,
        rawData: failure.record.data,
        lambdaArn: target.lambdaArn,
      };
      return `${JSON.stringify(record)}\n`;
    });
    const prefix = errorPrefixOf(target.layout, oldest, errorType);
    const key = objectKey(target.layout, prefix, oldest);
    const body = Buffer.from(lines.join(''), 'utf8');
    target.stats.bytesWritten += await writeObject(
      target.outDir,
      target.layout,
      key,
      body
    );
    target.stats.errorObjects++;
  }
}

/**
 * Delivers one batch: the function's response, or the error it threw (then
 * every record of the batch is written as a `Lambda.FunctionError` failure,
 * as after Firehose's retries run out).
 *
 * @returns the records written to the error prefix, in batch order
 * @param closedAt - when the batch was sent, in record time (epoch ms)
 */
async function deliverBatch(
  records: readonly PendingRecord[],
  outcome: FirehoseTransformationResult | Error,
  closedAt: number,
  target: DeliveryTarget
): Promise<readonly Failure[]> {
  const { stats } = target;
  stats.batches++;
  stats.records += records.length;
  if (outcome instanceof Error) {
    stats.functionErrors++;
    stats.failed += records.length;
    const failures = records.map((record) => ({
      record,
      errorType: PROCESSING_FAILED,
      errorCode: 'Lambda.FunctionError',
      errorMessage: outcome.message,
    }));
    await writeFailures(failures, closedAt, target);
    return failures;
  }
  const { partitions, failures } = sortResults(records, outcome, stats);
  await writePartitions(partitions, failures, target);
  if (failures.length > 0) await writeFailures(failures, closedAt, target);
  return failures;
}

export type { DeliveryTarget, Failure };
export { deliverBatch };
