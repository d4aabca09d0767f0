/**
 * Transforms a whole Firehose event within a response byte budget: one
 * result per input recordId, in input order, with the counters the handler
 * publishes as metrics. The orchestration only; each job is its own file:
 *
 * - event.ts: the event's shape, checked once, and its records' base64;
 * - plan.ts: which records are Ok, Dropped, failed or deferred, in budget;
 * - response-size.ts, budget.ts: the response's byte arithmetic and limits;
 * - settle.ts: the deferred records' answers once re-ingestion is done.
 *
 * The pass is synchronous and pure. Records whose output no longer fits the
 * budget, and records whose lines differ in partition key, come back as
 * re-ingestion requests that `processEvent` (process-event.ts) puts to the
 * source stream and settles.
 */
import {
  assertResponseFits,
  DEFAULT_RESPONSE_BUDGET_BYTES,
  ResponseTooLargeError,
} from './budget.ts';
import {
  assertFirehoseEvent,
  type DecodedEvent,
  decodeBase64,
  decodeEvent,
} from './event.ts';
import type {
  BatchCounters,
  BatchOptions,
  BatchOutcome,
  BatchPlan,
  MalformedSample,
  ReingestRequest,
} from './outcome.ts';
import { newCounters } from './outcome.ts';
import { BatchPlanner, MAX_REINGEST_RECORD_BYTES } from './plan.ts';
import type { RecordTransformer } from './record-transformer.ts';
import { settleBatch } from './settle.ts';

/**
 * {@link planBatch} for a decoded event ({@link decodeEvent}): the records
 * are planned in `order` (input indexes; default input order) and answered
 * in input order. One pass: each record is transformed once, into the
 * transformer's one output arena; Ok records' base64 is written at the end.
 *
 * @throws ResponseTooLargeError as planBatch
 * @example const plan = planDecodedBatch(decodeEvent(event), transformer, options);
 */
function planDecodedBatch(
  decoded: DecodedEvent,
  transformer: RecordTransformer,
  options: BatchOptions,
  order?: readonly number[]
): BatchPlan {
  const planner = new BatchPlanner(transformer, options, decoded, order);
  assertResponseFits(
    planner.budget.minimum,
    decoded.records.length,
    'even with every record ProcessingFailed and empty data'
  );
  return planner.plan();
}

/**
 * Answers every record of a Firehose event, in order, within
 * `options.budgetBytes`. Records that need re-ingestion are answered
 * `ProcessingFailed` with empty data and listed in `reingest`; pass the put
 * results to {@link settleBatch}. O(total bytes); never throws on record data.
 *
 * @throws TypeError when the event is not a Firehose transformation event
 * @throws ResponseTooLargeError when even the smallest answers of the
 *   event's records pass Lambda's 6,291,456-byte response limit
 * @example const plan = planBatch(event, transformer, { budgetBytes: 6e6, reingest: true });
 */
function planBatch(
  event: unknown,
  transformer: RecordTransformer,
  options: BatchOptions
): BatchPlan {
  return planDecodedBatch(decodeEvent(event), transformer, options);
}

/**
 * Transforms every record of a Firehose event, in order, without
 * re-ingestion: records past the budget are `ProcessingFailed`
 * (reason `reingest_failed`). See {@link planBatch}.
 *
 * @throws TypeError when the event is not a Firehose transformation event
 * @example const { response } = transformBatch(event, transformer);
 */
function transformBatch(
  event: unknown,
  transformer: RecordTransformer,
  budgetBytes = DEFAULT_RESPONSE_BUDGET_BYTES
): BatchOutcome {
  const { reingest: _none, ...outcome } = planBatch(event, transformer, {
    budgetBytes,
    reingest: false,
  });
  return outcome;
}

export type {
  BatchCounters,
  BatchOptions,
  BatchOutcome,
  BatchPlan,
  MalformedSample,
  ReingestRequest,
};
export {
  assertFirehoseEvent,
  DEFAULT_RESPONSE_BUDGET_BYTES,
  decodeBase64,
  MAX_REINGEST_RECORD_BYTES,
  newCounters,
  planBatch,
  planDecodedBatch,
  ResponseTooLargeError,
  settleBatch,
  transformBatch,
};
