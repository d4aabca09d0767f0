/**
 * One Distributed Map batch: the objects an ItemBatcher grouped, backfilled
 * one after another. The same code runs in the worker Lambda (S3 in and out)
 * and in `npm run backfill -- --local` (files in and out), and the local run
 * groups objects exactly as the state machine's ItemBatcher does.
 *
 * Step Functions: "ItemBatcher (Map)",
 * https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itembatcher.html
 * (MaxItemsPerBatch, MaxInputBytesPerBatch ≤ 256 KiB of batch JSON).
 */
import type { FlowLogFormat } from '../flowlog/format.ts';
import type { UnexpectedValueTally } from '../flowlog/value-audit.ts';
import type {
  BackfillLayout,
  Destination,
  ObjectResult,
  Prefetch,
  TransformerFor,
} from './object-backfill.ts';
import { ObjectBackfill } from './object-backfill.ts';
import type { TimeRange } from './source-key.ts';
import { inRange, parseSourceKey } from './source-key.ts';

/** One object as ListObjectsV2 (the Map's ItemReader) lists it. */
interface BackfillItem {
  readonly Key: string;
  readonly Size?: number | undefined;
}

/** The Map's input to each child: `{ Items, BatchInput }`. */
interface BackfillBatch {
  readonly Items: readonly BackfillItem[];
  readonly BatchInput?: {
    /** ISO-8601 bounds on the time in each object's name. */
    readonly from?: string | undefined;
    readonly to?: string | undefined;
  };
}

/** How an ItemBatcher groups items. */
interface BatcherLimits {
  readonly maxItems: number;
  /** Bytes of the batch's JSON, as Step Functions counts them. */
  readonly maxInputBytes: number;
}

/** The ItemBatcher's settings in template.yaml (one source of truth). */
const ITEM_BATCHER: BatcherLimits = { maxItems: 20, maxInputBytes: 262_144 };

/** What a batch gave, per object: the Map Run's result for the batch. */
interface BatchResult {
  readonly objects: ObjectResult[];
  /** Keys that are not flow-log objects or lie outside the time range. */
  readonly skipped: string[];
}

/** The I/O a batch needs. */
interface BatchDeps {
  /** The object's bytes, gunzipped when its name ends in `.gz`. */
  readonly open: (key: string) => AsyncIterable<Buffer>;
  readonly destination: Destination;
  readonly layout: BackfillLayout;
  readonly transformerFor: TransformerFor;
  /** FLOW_LOG_FORMAT: for objects without a header line. */
  readonly fallback: FlowLogFormat;
  /** With ENRICH=eni: the ENI metadata of each chunk, before its transform. */
  readonly prefetch?: Prefetch | undefined;
}

/**
 * Groups items as an ItemBatcher does: in order, a new batch when the next
 * item would pass either limit.
 *
 * @example batchItems(items, ITEM_BATCHER) // [[…20 items], [...]]
 */
function batchItems(
  items: readonly BackfillItem[],
  limits: BatcherLimits
): BackfillItem[][] {
  const batches: BackfillItem[][] = [];
  let current: BackfillItem[] = [];
  // `{"Items":[` … `]}` and the commas between items.
  let bytes = 12;
  for (const item of items) {
    const size = Buffer.byteLength(JSON.stringify(item)) + 1;
    if (
      current.length > 0 &&
      (current.length >= limits.maxItems || bytes + size > limits.maxInputBytes)
    ) {
      batches.push(current);
      current = [];
      bytes = 12;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

function rangeOf(batch: BackfillBatch): TimeRange {
  const parse = (text: string | undefined, name: string) => {
    if (text === undefined || text === '') return undefined;
    const time = Date.parse(text);
    if (Number.isNaN(time)) {
      throw new TypeError(
        `BatchInput.${name}: '${text}' is not an ISO-8601 time (e.g. 2026-01-01T00:00:00Z)`
      );
    }
    return time;
  };
  return {
    from: parse(batch.BatchInput?.from, 'from'),
    to: parse(batch.BatchInput?.to, 'to'),
  };
}

/** A batch's value audit and failures, summed over its objects. */
interface BatchAudit {
  /** Failed lines by reason. */
  readonly malformed: Partial<Record<string, number>>;
  /** Lines per field, with the first object's sample and key. */
  readonly unexpectedValues: Partial<Record<string, UnexpectedValueTally>>;
  readonly malformedFieldCounts: Partial<Record<string, number>>;
}

/** Adds `from`'s counts into `into`. */
function addCounts(
  into: Partial<Record<string, number>>,
  from: Partial<Record<string, number>>
): void {
  for (const [key, n] of Object.entries(from)) {
    into[key] = (into[key] ?? 0) + (n ?? 0);
  }
}

/**
 * Sums the objects' value audits and failure reasons, for the worker's
 * summary line and metrics (the handler's `unexpectedValues`,
 * `malformedFieldCounts` and `malformed`). O(objects × fields).
 *
 * @example batchAudit(result.objects).unexpectedValues.log_status?.lines
 */
function batchAudit(objects: readonly ObjectResult[]): BatchAudit {
  const malformed: Partial<Record<string, number>> = {};
  const malformedFieldCounts: Partial<Record<string, number>> = {};
  const unexpectedValues: Partial<Record<string, UnexpectedValueTally>> = {};
  for (const object of objects) {
    addCounts(malformed, object.malformed);
    addCounts(malformedFieldCounts, object.malformedFieldCounts);
    for (const [field, tally] of Object.entries(object.unexpectedValues)) {
      if (tally === undefined) continue;
      const seen = unexpectedValues[field];
      if (seen === undefined) unexpectedValues[field] = { ...tally };
      else seen.lines += tally.lines;
    }
  }
  return { malformed, unexpectedValues, malformedFieldCounts };
}

/**
 * Backfills every flow-log object of a batch, in order. An object that fails
 * (unreadable, corrupt gzip, the destination refusing a write) throws, which
 * fails the batch: Step Functions retries it, and re-writing is idempotent.
 *
 * @throws TypeError when the batch is not a Map batch
 */
async function runBatch(
  batch: BackfillBatch,
  deps: BatchDeps
): Promise<BatchResult> {
  if (!Array.isArray(batch?.Items)) {
    throw new TypeError(
      'Not a Distributed Map batch: expected { Items: [{ Key, Size }], BatchInput }'
    );
  }
  const range = rangeOf(batch);
  const objects: ObjectResult[] = [];
  const skipped: string[] = [];
  for (const item of batch.Items) {
    const source = parseSourceKey(item.Key);
    if (source === undefined || !inRange(source.time, range)) {
      skipped.push(item.Key);
      continue;
    }
    const backfill = new ObjectBackfill(
      source,
      deps.layout,
      deps.transformerFor,
      deps.fallback,
      deps.destination,
      deps.prefetch
    );
    objects.push(await backfill.run(deps.open(item.Key)));
  }
  return { objects, skipped };
}

export type {
  BackfillBatch,
  BackfillItem,
  BatchAudit,
  BatchDeps,
  BatcherLimits,
  BatchResult,
};
export { batchAudit, batchItems, ITEM_BATCHER, runBatch };
