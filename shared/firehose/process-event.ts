/**
 * One invocation end to end: the budgeted batch pass (batch.ts), then the
 * re-ingestion of the records it could not answer, then the settlement of
 * those records as Dropped (put) or ProcessingFailed (not put). The AWS calls
 * sit behind {@link Reingester}, implemented by shared/aws/reingest.ts.
 *
 * Re-ingestion is at-least-once: when Firehose retries an invocation (it
 * failed or timed out after the puts), the same records are put again.
 */
import type { FirehoseTransformationEvent } from 'aws-lambda';
import { planDecodedBatch } from './batch.ts';
import { DecodedEvent, decodeEvent } from './event.ts';
import type { BatchOutcome, BatchPlan } from './outcome.ts';
import type { RecordTransformer } from './record-transformer.ts';
import { priorityOrder } from './reingest-marker.ts';
import { settleBatch } from './settle.ts';

/** Where re-ingested records go: the event's own source. */
type ReingestTarget =
  | { readonly kind: 'firehose'; readonly streamName: string }
  | { readonly kind: 'kinesis'; readonly streamArn: string };

/** One record to put. */
interface ReingestEntry {
  readonly data: Buffer;
  /** Kinesis only: the original record's partition key, if it had one. */
  readonly partitionKey: string | undefined;
}

/** Puts records back to the source stream. */
interface Reingester {
  /**
   * Puts every entry, retrying failed ones until `deadline` (epoch ms).
   * Must not throw.
   *
   * @returns per entry, in order: true when the put succeeded
   */
  put(
    target: ReingestTarget,
    entries: readonly ReingestEntry[],
    deadline: number
  ): Promise<boolean[]>;
}

/** What {@link processEvent} needs. */
interface ProcessDeps {
  readonly transformer: RecordTransformer;
  /** RESPONSE_BUDGET_BYTES. */
  readonly budgetBytes: number;
  /** Undefined switches re-ingestion off (REINGEST=false). */
  readonly reingester: Reingester | undefined;
  /** Epoch ms after which no put is attempted. */
  readonly deadline: number;
}

/** `arn:…:deliverystream/NAME` → NAME. */
const STREAM_NAME = /:deliverystream\/(.+)$/;

/**
 * The stream records of this event came from: the Kinesis data stream when
 * Firehose reads one (`sourceKinesisStreamArn`), else the delivery stream
 * (Direct PUT). Undefined when the event names neither.
 *
 * @example targetOf(event) // { kind: 'firehose', streamName: 'flow-logs' }
 */
function targetOf(
  event: FirehoseTransformationEvent
): ReingestTarget | undefined {
  const source = (event as { sourceKinesisStreamArn?: unknown })
    .sourceKinesisStreamArn;
  if (typeof source === 'string' && source.length > 0) {
    return { kind: 'kinesis', streamArn: source };
  }
  const arn = (event as { deliveryStreamArn?: unknown }).deliveryStreamArn;
  const name = typeof arn === 'string' ? STREAM_NAME.exec(arn)?.[1] : undefined;
  return name === undefined
    ? undefined
    : { kind: 'firehose', streamName: name };
}

/** Puts every payload of the plan; per request, per payload: put or not. */
async function putAll(
  plan: BatchPlan,
  target: ReingestTarget | undefined,
  reingester: Reingester,
  deadline: number
): Promise<boolean[][]> {
  const entries: ReingestEntry[] = [];
  for (const request of plan.reingest) {
    for (const data of request.payloads) {
      entries.push({ data, partitionKey: request.partitionKey });
    }
  }
  let results: boolean[] = [];
  if (target !== undefined && entries.length > 0) {
    try {
      results = await reingester.put(target, entries, deadline);
    } catch {
      results = [];
    }
  }
  let at = 0;
  return plan.reingest.map((request) =>
    request.payloads.map(() => results[at++] === true)
  );
}

/**
 * Transforms a Firehose event within the response budget and re-ingests what
 * did not fit (or had mixed partition keys), so that no record is lost:
 * every record ends Ok, Dropped (nothing to deliver, or re-ingested) or
 * ProcessingFailed (kept by Firehose under the error prefix).
 *
 * Records re-ingested before (marked, see reingest-marker.ts) are answered
 * first, so they take the budget before fresh records and are delivered
 * rather than put back again; the response keeps input order.
 *
 * @param event - the Firehose event, or its {@link DecodedEvent} when the
 *   caller decoded it already (for the ENI prefetch): decoded once either way
 * @throws TypeError when the event is not a Firehose transformation event
 * @example const { response } = await processEvent(event, deps);
 */
async function processEvent(
  event: unknown,
  deps: ProcessDeps
): Promise<BatchOutcome> {
  const decoded = event instanceof DecodedEvent ? event : decodeEvent(event);
  const order = deps.reingester ? priorityOrder(decoded.records) : undefined;
  const plan = planDecodedBatch(
    decoded,
    deps.transformer,
    {
      budgetBytes: deps.budgetBytes,
      reingest: deps.reingester !== undefined,
    },
    order
  );
  if (plan.reingest.length === 0 || deps.reingester === undefined) {
    return settleBatch(plan, []);
  }
  const put = await putAll(
    plan,
    targetOf(decoded.event),
    deps.reingester,
    deps.deadline
  );
  return settleBatch(plan, put);
}

export type { ProcessDeps, ReingestEntry, Reingester, ReingestTarget };
export { processEvent, targetOf };
