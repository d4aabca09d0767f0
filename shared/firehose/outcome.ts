/**
 * What a batch pass produces: the response, the counters the handler
 * publishes as metrics, the malformed-record samples it logs, and the
 * records that wait for re-ingestion.
 */
import type { FirehoseTransformationResult } from 'aws-lambda';
import type { MalformedReason } from '../flowlog/errors.ts';
import type { UnexpectedValueTally } from '../flowlog/value-audit.ts';

/** Most malformed-line samples kept per invocation for the log. */
const MAX_SAMPLES = 5;

/** Why a deferred record needs re-ingestion, for samples. */
const WHY_TEXT = {
  overflow: 'output does not fit the response budget',
  split: 'lines differ in partition key',
} as const;

/** What one invocation did, for the summary log line and the metrics. */
interface BatchCounters {
  records: number;
  ok: number;
  dropped: number;
  failed: number;
  /** Flow-log lines read. */
  lines: number;
  /** Lines written to Ok records. */
  linesOut: number;
  /** Decoded input bytes. */
  bytesIn: number;
  /** Transformed output bytes (before base64). */
  bytesOut: number;
  /** Records whose output did not fit the response budget. */
  overflowed: number;
  /** Records whose lines differ in partition key. */
  split: number;
  /** Records put back to the source stream (a split record puts several). */
  reingested: number;
  /** Failed records by reason. */
  malformed: Partial<Record<MalformedReason, number>>;
  /**
   * Lines whose value of a closed-set field is outside AWS's documented
   * set, by AWS field name, with the first value seen and its record.
   */
  unexpectedValues: Partial<Record<string, UnexpectedValueTally>>;
  /** Lines that failed to scan, by their own field count (as text). */
  malformedFieldCounts: Partial<Record<string, number>>;
}

/** A malformed record, for the log. */
interface MalformedSample {
  recordId: string;
  reason: MalformedReason;
  excerpt: string;
}

/** The response plus what the handler logs and publishes. */
interface BatchOutcome {
  response: FirehoseTransformationResult;
  counters: BatchCounters;
  samples: MalformedSample[];
  /** Exactly `Buffer.byteLength(JSON.stringify(response))`. */
  responseBytes: number;
}

/** Records to put back to the source stream for one input record. */
interface ReingestRequest {
  /** Position of the input record, in `event.records` and the response. */
  readonly index: number;
  /** One payload per record to put: the original data, or split groups. */
  readonly payloads: readonly Buffer[];
  /** `kinesisRecordMetadata.partitionKey` of the input record, if any. */
  readonly partitionKey: string | undefined;
  readonly why: keyof typeof WHY_TEXT;
}

/** A batch answered except for its re-ingestion requests. */
interface BatchPlan extends BatchOutcome {
  /**
   * Records answered `ProcessingFailed` with empty data for now: each
   * becomes `Dropped` once all its payloads were put (see settleBatch).
   */
  reingest: ReingestRequest[];
}

/** Options of a batch pass. */
interface BatchOptions {
  /** Most bytes the serialised response may take (RESPONSE_BUDGET_BYTES). */
  readonly budgetBytes: number;
  /** False turns re-ingestion requests into `ProcessingFailed` (REINGEST). */
  readonly reingest: boolean;
}

/**
 * Counters of an invocation that has not answered a record yet.
 *
 * @example const counters = newCounters(); counters.records++;
 */
function newCounters(): BatchCounters {
  return {
    records: 0,
    ok: 0,
    dropped: 0,
    failed: 0,
    lines: 0,
    linesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    overflowed: 0,
    split: 0,
    reingested: 0,
    malformed: {},
    unexpectedValues: {},
    malformedFieldCounts: {},
  };
}

/**
 * Counts a `ProcessingFailed` record by reason and keeps it as a sample
 * while fewer than {@link MAX_SAMPLES} are kept. O(1).
 *
 * @example countFailure(counters, samples, 'id-1', 'bad_integer', '2 x …')
 */
function countFailure(
  counters: BatchCounters,
  samples: MalformedSample[],
  recordId: string,
  reason: MalformedReason,
  excerpt: string
): void {
  counters.failed++;
  counters.malformed[reason] = (counters.malformed[reason] ?? 0) + 1;
  if (samples.length < MAX_SAMPLES) samples.push({ recordId, reason, excerpt });
}

export type {
  BatchCounters,
  BatchOptions,
  BatchOutcome,
  BatchPlan,
  MalformedSample,
  ReingestRequest,
};
export { countFailure, MAX_SAMPLES, newCounters, WHY_TEXT };
