/**
 * The answers of the records a plan left waiting for re-ingestion, once the
 * puts are done: `Dropped` when every payload was put, else
 * `ProcessingFailed` (Firehose keeps the original record).
 */

import { MALFORMED } from '../flowlog/errors.ts';
import { assertResponseFits } from './budget.ts';
import {
  type BatchOutcome,
  type BatchPlan,
  countFailure,
  WHY_TEXT,
} from './outcome.ts';
import { ENTRY_BASE_BYTES } from './response-size.ts';

/** Bytes a `Dropped` answer saves over a `ProcessingFailed` one. */
const DROPPED_SAVES_BYTES =
  ENTRY_BASE_BYTES.ProcessingFailed - ENTRY_BASE_BYTES.Dropped;

/**
 * Settles the re-ingestion requests of a plan: a record whose payloads were
 * all put becomes `Dropped` (empty data); any other stays `ProcessingFailed`
 * (Firehose keeps the original). Mutates and returns the plan's outcome.
 * O(requests + payloads).
 *
 * @param put - per request, per payload: true when the put succeeded
 * @throws ResponseTooLargeError when the settled response passes Lambda's
 *   6,291,456-byte limit (unreachable while the budget holds)
 * @example settleBatch(plan, await Promise.all(...))
 */
function settleBatch(
  plan: BatchPlan,
  put: readonly (readonly boolean[])[]
): BatchOutcome {
  const { counters, samples, response } = plan;
  let bytes = plan.responseBytes;
  plan.reingest.forEach((request, i) => {
    const results = put[i] ?? [];
    const done = results.filter(Boolean).length;
    counters.reingested += done;
    const recordId = response.records[request.index]!.recordId;
    if (done === request.payloads.length) {
      response.records[request.index] = {
        recordId,
        result: 'Dropped',
        data: '',
      };
      counters.dropped++;
      bytes -= DROPPED_SAVES_BYTES;
      return;
    }
    const excerpt = `${WHY_TEXT[request.why]}; ${request.payloads.length - done} of ${request.payloads.length} re-ingestion puts failed`;
    countFailure(
      counters,
      samples,
      recordId,
      MALFORMED.REINGEST_FAILED,
      excerpt
    );
  });
  // Unreachable while the budget holds; the guarantee must not rest on it.
  assertResponseFits(bytes, response.records.length, 'the settled response');
  return { response, counters, samples, responseBytes: bytes };
}

export { settleBatch };
