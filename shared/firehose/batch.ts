/**
 * Transforms a whole Firehose event: one result per input recordId, in input
 * order, with the counters the handler publishes as metrics.
 */
import type {
  FirehoseTransformationEvent,
  FirehoseTransformationEventRecord,
  FirehoseTransformationResult,
  FirehoseTransformationResultRecord,
} from 'aws-lambda';
import type { MalformedReason } from '../flowlog/errors.ts';
import { MALFORMED } from '../flowlog/errors.ts';
import type { RecordTransformer } from './record-transformer.ts';

/** Most malformed-line samples kept per invocation for the log. */
const MAX_SAMPLES = 5;

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
  /** Failed records by reason. */
  malformed: Partial<Record<MalformedReason, number>>;
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
}

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
    malformed: {},
  };
}

/**
 * Throws unless `event` has the shape of a Firehose transformation event:
 * an object with a `records` array whose entries carry a string `recordId`.
 * Anything less cannot be answered record by record.
 *
 * @throws TypeError naming the first thing that is wrong
 */
function assertFirehoseEvent(
  event: unknown
): asserts event is FirehoseTransformationEvent {
  const prefix = 'Not an Amazon Data Firehose transformation event';
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new TypeError(
      `${prefix}: expected an object, got ${describe(event)}`
    );
  }
  const records = (event as { records?: unknown }).records;
  if (!Array.isArray(records)) {
    throw new TypeError(
      `${prefix}: 'records' is ${describe(records)}, expected an array`
    );
  }
  records.forEach((record: unknown, index) => {
    const recordId = (record as { recordId?: unknown } | null)?.recordId;
    if (typeof recordId !== 'string') {
      throw new TypeError(
        `${prefix}: records[${index}].recordId is ${describe(recordId)}, expected a string`
      );
    }
  });
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'undefined' ? 'missing' : `a ${typeof value}`;
}

/**
 * Decodes standard base64, refusing text with characters outside the
 * alphabet (Node would skip them silently).
 *
 * @returns the bytes, or undefined when `data` is not valid base64
 */
function decodeBase64(data: unknown): Buffer | undefined {
  if (typeof data !== 'string') return undefined;
  let padding = 0;
  while (padding < 2 && data.charCodeAt(data.length - 1 - padding) === 0x3d) {
    padding++;
  }
  const significant = data.length - padding;
  if (significant % 4 === 1) return undefined;
  const bytes = Buffer.from(data, 'base64');
  return bytes.length === Math.floor((significant * 3) / 4) ? bytes : undefined;
}

/**
 * Transforms every record of a Firehose event, in order.
 *
 * O(total bytes). A record never throws: bad data becomes ProcessingFailed
 * (returned with its original data, so Firehose keeps it intact).
 *
 * @throws TypeError when the event is not a Firehose transformation event
 * @example const { response } = transformBatch(event, transformer);
 */
function transformBatch(
  event: unknown,
  transformer: RecordTransformer
): BatchOutcome {
  assertFirehoseEvent(event);
  const counters = newCounters();
  const samples: MalformedSample[] = [];
  const records = event.records.map((record) =>
    transformOne(record, transformer, counters, samples)
  );
  return { response: { records }, counters, samples };
}

function transformOne(
  record: FirehoseTransformationEventRecord,
  transformer: RecordTransformer,
  counters: BatchCounters,
  samples: MalformedSample[]
): FirehoseTransformationResultRecord {
  const { recordId } = record;
  counters.records++;
  const bytes = decodeBase64(record.data);
  if (bytes === undefined) {
    return failed(record, counters, samples, MALFORMED.INVALID_BASE64, '');
  }
  counters.bytesIn += bytes.length;
  const status = transformer.transform(bytes);
  counters.lines += transformer.lines;
  if (status === 'ProcessingFailed') {
    return failed(
      record,
      counters,
      samples,
      transformer.reason ?? MALFORMED.BAD_JSON_WRAPPER,
      transformer.excerpt
    );
  }
  if (status === 'Dropped') {
    counters.dropped++;
    return { recordId, result: 'Dropped', data: '' };
  }
  counters.ok++;
  counters.linesOut += transformer.kept;
  counters.bytesOut += transformer.output.length;
  return { recordId, result: 'Ok', data: transformer.output.toBase64() };
}

function failed(
  record: FirehoseTransformationEventRecord,
  counters: BatchCounters,
  samples: MalformedSample[],
  reason: MalformedReason,
  excerpt: string
): FirehoseTransformationResultRecord {
  counters.failed++;
  counters.malformed[reason] = (counters.malformed[reason] ?? 0) + 1;
  if (samples.length < MAX_SAMPLES) {
    samples.push({ recordId: record.recordId, reason, excerpt });
  }
  const data = typeof record.data === 'string' ? record.data : '';
  return { recordId: record.recordId, result: 'ProcessingFailed', data };
}

export type { BatchCounters, BatchOutcome, MalformedSample };
export { assertFirehoseEvent, decodeBase64, newCounters, transformBatch };
