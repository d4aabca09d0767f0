/**
 * Transforms a whole Firehose event within a response byte budget: one
 * result per input recordId, in input order, with the counters the handler
 * publishes as metrics.
 *
 * The pass is synchronous and pure. It answers every record it can; records
 * whose output no longer fits the budget, and records whose lines differ in
 * partition key, come back as re-ingestion requests that
 * `processEvent` (process-event.ts) puts to the source stream and settles.
 *
 * Budget: before the first record, the smallest answer of every record
 * (`ProcessingFailed` with empty data) is reserved; each record may then use
 * what the budget leaves after the answers already given and the reservations
 * of the records after it. So every record can always be answered and the
 * serialised response never exceeds the budget, whatever the event holds.
 */
import type {
  FirehoseTransformationEvent,
  FirehoseTransformationEventRecord,
  FirehoseTransformationMetadata,
  FirehoseTransformationResult,
  FirehoseTransformationResultRecord,
} from 'aws-lambda';
import type { MalformedReason } from '../flowlog/errors.ts';
import { MALFORMED } from '../flowlog/errors.ts';
import { addAudit, type UnexpectedValueTally } from '../flowlog/value-audit.ts';
import type { RecordTransformer } from './record-transformer.ts';
import {
  MARKER_BYTES,
  markForReingestion,
  readReingestMarker,
} from './reingest-marker.ts';
import {
  base64Length,
  ENTRY_BASE_BYTES,
  entryBytes,
  LAMBDA_RESPONSE_LIMIT_BYTES,
  ResponseBudget,
  responseBytes,
} from './response-size.ts';

/** Most malformed-line samples kept per invocation for the log. */
const MAX_SAMPLES = 5;

/** RESPONSE_BUDGET_BYTES' default: headroom under Lambda's 6,291,456 B. */
const DEFAULT_RESPONSE_BUDGET_BYTES = 6_000_000;

/** Firehose's largest record (1,000 KiB): the cap of a re-ingested record. */
const MAX_REINGEST_RECORD_BYTES = 1_024_000;

/** A split payload's cap: one Firehose record less the re-ingestion marker. */
const MAX_SPLIT_PAYLOAD_BYTES = MAX_REINGEST_RECORD_BYTES - MARKER_BYTES;

/** `\n`, 0x0A: ends every line of a split record. */
const NEWLINE = Buffer.from('\n', 'latin1');

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
  readonly why: 'overflow' | 'split';
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
 * The response cannot fit Lambda's 6,291,456-byte limit whatever the
 * answers: the invocation fails (before any record is transformed or
 * re-ingested), Firehose retries the batch and then writes its records to
 * processing-failed/ (docs/limits.md).
 */
class ResponseTooLargeError extends Error {
  readonly code = 'RESPONSE_TOO_LARGE';
  /** Bytes of the smallest or final response. */
  readonly bytes: number;

  constructor(bytes: number, records: number, what: string) {
    super(
      `${what}: a response of ${bytes} bytes for ${records} records passes Lambda's ${LAMBDA_RESPONSE_LIMIT_BYTES}-byte response limit`
    );
    this.name = 'ResponseTooLargeError';
    this.bytes = bytes;
  }
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
    overflowed: 0,
    split: 0,
    reingested: 0,
    malformed: {},
    unexpectedValues: {},
    malformedFieldCounts: {},
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

/** `-`, 0x2D, and `_`, 0x5F: base64url's letters (RFC 4648 §5). */
const URL_SAFE_62 = '-';
const URL_SAFE_63 = '_';

/**
 * The decoded length of standard base64 text (RFC 4648 §4), or -1 when the
 * text cannot be standard base64: an impossible length, or base64url's `-`
 * or `_`, which Node would decode silently although Firehose's `data` is
 * standard base64. Other characters outside the alphabet are skipped by
 * Node's decoder, so the decoded length shows them (see {@link decodeInto}).
 */
function decodedLength(data: string): number {
  if (data.includes(URL_SAFE_62) || data.includes(URL_SAFE_63)) return -1;
  let padding = 0;
  while (padding < 2 && data.charCodeAt(data.length - 1 - padding) === 0x3d) {
    padding++;
  }
  const significant = data.length - padding;
  const tail = significant % 4;
  // RFC 4648 §3.2: padding completes the last group, so a padded text is a
  // whole number of groups with exactly 4 − tail `=` (`…IE9L==` is not).
  if (tail === 1 || (padding > 0 && padding !== 4 - tail)) return -1;
  return Math.floor((significant * 3) / 4);
}

/**
 * Decodes `data` into `target` (which has room for `expected + 3` bytes, so
 * that text decoding to more than expected cannot hide behind truncation).
 *
 * @returns the bytes written, or -1 unless exactly `expected`
 */
function decodeInto(data: string, expected: number, target: Buffer): number {
  const written = target.write(data, 0, target.length, 'base64');
  return written === expected ? written : -1;
}

/**
 * Decodes standard base64, refusing text with characters outside the
 * alphabet (Node would skip them, or read `-` and `_` as base64url).
 * Same answer as {@link ScratchDecoder.decode} for every input.
 *
 * @returns new bytes, or undefined when `data` is not valid base64
 */
function decodeBase64(data: unknown): Buffer | undefined {
  if (typeof data !== 'string') return undefined;
  const expected = decodedLength(data);
  if (expected < 0) return undefined;
  const bytes = Buffer.allocUnsafe(expected + 3);
  const written = decodeInto(data, expected, bytes);
  return written < 0 ? undefined : bytes.subarray(0, written);
}

/**
 * Decodes records' base64 into one reused buffer: the hot path allocates no
 * backing store per record. A view stays valid until the next `decode`.
 */
class ScratchDecoder {
  private scratch = Buffer.allocUnsafe(64 * 1024);

  /** @returns a view of the bytes, or undefined when not valid base64 */
  decode(data: unknown): Buffer | undefined {
    if (typeof data !== 'string') return undefined;
    const expected = decodedLength(data);
    if (expected < 0) return undefined;
    if (expected + 3 > this.scratch.length) {
      this.scratch = Buffer.allocUnsafe(expected + 3);
    }
    const written = decodeInto(data, expected, this.scratch);
    return written < 0 ? undefined : this.scratch.subarray(0, written);
  }
}

/** The `kinesisRecordMetadata.partitionKey` of a record, if any. */
function partitionKeyOf(
  record: FirehoseTransformationEventRecord
): string | undefined {
  const key = (record.kinesisRecordMetadata as { partitionKey?: unknown })
    ?.partitionKey;
  return typeof key === 'string' && key.length > 0 ? key : undefined;
}

/**
 * Each group's lines as newline-terminated text, cut at line boundaries into
 * payloads of at most one Firehose record (1,000 KiB).
 */
function splitPayloads(
  groups: ReadonlyMap<string, readonly Buffer[]>,
  maxLines = Number.POSITIVE_INFINITY
): Buffer[] {
  const payloads: Buffer[] = [];
  for (const lines of groups.values()) {
    let parts: Buffer[] = [];
    let size = 0;
    for (const line of lines) {
      const full =
        size + line.length + 1 > MAX_SPLIT_PAYLOAD_BYTES ||
        parts.length >= maxLines * 2;
      if (size > 0 && full) {
        payloads.push(Buffer.concat(parts, size));
        parts = [];
        size = 0;
      }
      parts.push(line, NEWLINE);
      size += line.length + 1;
    }
    if (size > 0) payloads.push(Buffer.concat(parts, size));
  }
  return payloads;
}

/** Answers the records of one event, in order, within the budget. */
class BatchPlanner {
  readonly counters = newCounters();
  readonly samples: MalformedSample[] = [];
  readonly reingest: ReingestRequest[] = [];
  readonly budget: ResponseBudget;
  private readonly decoder = new ScratchDecoder();
  private readonly transformer: RecordTransformer;
  private readonly options: BatchOptions;
  private metadataKey: string | undefined;
  private metadata: FirehoseTransformationMetadata | undefined;
  private metadataBytes = 0;
  /** Times the current record was re-ingested already (its marker). */
  private attempt = 0;

  constructor(
    transformer: RecordTransformer,
    options: BatchOptions,
    records: readonly FirehoseTransformationEventRecord[]
  ) {
    this.transformer = transformer;
    this.options = options;
    this.budget = new ResponseBudget(options.budgetBytes, records);
  }

  answer(
    record: FirehoseTransformationEventRecord,
    index: number
  ): FirehoseTransformationResultRecord {
    const room = this.budget.open(index);
    this.counters.records++;
    const decoded = this.decoder.decode(record.data);
    if (decoded === undefined) {
      return this.fail(record, index, MALFORMED.INVALID_BASE64, '');
    }
    // A re-ingested record starts with a marker line: strip it first.
    const marker = readReingestMarker(decoded);
    this.attempt = marker.attempt;
    const bytes = decoded.subarray(marker.offset);
    this.counters.bytesIn += bytes.length;
    const transformer = this.transformer;
    const status = transformer.transform(bytes);
    this.counters.lines += transformer.lines;
    addAudit(this.counters, transformer.audit, record.recordId);
    if (status === 'ProcessingFailed') {
      const reason = transformer.reason ?? MALFORMED.BAD_JSON_WRAPPER;
      if (reason === MALFORMED.OUTPUT_TOO_LARGE && this.options.reingest) {
        return this.splitOversized(record, index, room, bytes);
      }
      return this.fail(record, index, reason, transformer.excerpt);
    }
    if (status === 'Dropped') {
      this.counters.dropped++;
      this.budget.commit(
        index,
        entryBytes(this.budget.idBytes[index]!, 'Dropped', 0, 0)
      );
      return { recordId: record.recordId, result: 'Dropped', data: '' };
    }
    if (transformer.mixedKeys) {
      this.counters.split++;
      const payloads = this.options.reingest
        ? splitPayloads(transformer.splitByKey(bytes))
        : [];
      return this.defer(record, index, room, payloads, 'split');
    }
    return this.ok(record, index, room, bytes);
  }

  /**
   * A record whose output no response can hold (a CloudWatch Logs envelope
   * of thousands of events, say) is re-ingested as records of its lines,
   * each with at most half the lines whose output already filled the cap,
   * so every part fits a response of its own.
   */
  private splitOversized(
    record: FirehoseTransformationEventRecord,
    index: number,
    room: number,
    bytes: Buffer
  ): FirehoseTransformationResultRecord {
    const transformer = this.transformer;
    const perPart = Math.max(1, Math.floor(transformer.kept / 2));
    const lines = transformer.lineTexts(bytes);
    if (lines === undefined || lines.length <= 1) {
      return this.fail(
        record,
        index,
        MALFORMED.OUTPUT_TOO_LARGE,
        transformer.excerpt
      );
    }
    this.counters.overflowed++;
    const payloads = splitPayloads(new Map([['', lines]]), perPart);
    return this.defer(record, index, room, payloads, 'overflow');
  }

  private ok(
    record: FirehoseTransformationEventRecord,
    index: number,
    room: number,
    bytes: Buffer
  ): FirehoseTransformationResultRecord {
    const { output, key, kept } = this.transformer;
    const metadata = key === undefined ? undefined : this.metadataOf(key);
    const size = entryBytes(
      this.budget.idBytes[index]!,
      'Ok',
      base64Length(output.length),
      metadata === undefined ? 0 : this.metadataBytes
    );
    if (size <= room) {
      this.budget.commit(index, size);
      this.counters.ok++;
      this.counters.linesOut += kept;
      this.counters.bytesOut += output.length;
      const result: FirehoseTransformationResultRecord = {
        recordId: record.recordId,
        result: 'Ok',
        data: output.toBase64(),
      };
      if (metadata !== undefined) result.metadata = metadata;
      return result;
    }
    if (responseBytes(1, size) > this.options.budgetBytes) {
      const excerpt = `output entry of ${size} bytes cannot fit RESPONSE_BUDGET_BYTES (${this.options.budgetBytes})`;
      return this.fail(record, index, MALFORMED.OUTPUT_TOO_LARGE, excerpt);
    }
    this.counters.overflowed++;
    // A copy: `bytes` is a view of the decoder's reused buffer.
    return this.defer(record, index, room, [Buffer.from(bytes)], 'overflow');
  }

  /** The record's answer waits for re-ingestion, or fails without it. */
  private defer(
    record: FirehoseTransformationEventRecord,
    index: number,
    _room: number,
    payloads: readonly Buffer[],
    why: ReingestRequest['why']
  ): FirehoseTransformationResultRecord {
    if (!this.options.reingest) {
      const excerpt = `${WHY_TEXT[why]}; re-ingestion is off (REINGEST=false)`;
      return this.fail(record, index, MALFORMED.REINGEST_FAILED, excerpt);
    }
    // The loop guard: a marker line with the attempt (reingest-marker.ts).
    const marked = markForReingestion(payloads, this.attempt);
    if (typeof marked === 'string') {
      const excerpt = `${WHY_TEXT[why]}; ${marked}`;
      return this.fail(record, index, MALFORMED.REINGEST_FAILED, excerpt);
    }
    this.reingest.push({
      index,
      payloads: marked,
      partitionKey: partitionKeyOf(record),
      why,
    });
    this.budget.commit(index, this.budget.smallest(index));
    return { recordId: record.recordId, result: 'ProcessingFailed', data: '' };
  }

  /**
   * ProcessingFailed with empty data: Firehose keeps the original record
   * itself (`rawData` under processing-failed/, see
   * https://docs.aws.amazon.com/firehose/latest/dev/data-transformation-failure-handling.html),
   * so echoing it would only take budget from the records after it.
   */
  private fail(
    record: FirehoseTransformationEventRecord,
    index: number,
    reason: MalformedReason,
    excerpt: string
  ): FirehoseTransformationResultRecord {
    countFailure(this.counters, this.samples, record.recordId, reason, excerpt);
    this.budget.commit(index, this.budget.smallest(index));
    return { recordId: record.recordId, result: 'ProcessingFailed', data: '' };
  }

  /** The metadata of the last key, reused while consecutive records share it. */
  private metadataOf(key: string): FirehoseTransformationMetadata {
    if (key !== this.metadataKey || this.metadata === undefined) {
      const partitionKeys = this.transformer.partitioner!.partitionKeys(key);
      this.metadata = Object.freeze({ partitionKeys });
      this.metadataBytes = Buffer.byteLength(JSON.stringify(this.metadata));
      this.metadataKey = key;
    }
    return this.metadata;
  }
}

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
  assertFirehoseEvent(event);
  const planner = new BatchPlanner(transformer, options, event.records);
  const minimum = planner.budget.minimum;
  if (minimum > LAMBDA_RESPONSE_LIMIT_BYTES) {
    throw new ResponseTooLargeError(
      minimum,
      event.records.length,
      'even with every record ProcessingFailed and empty data'
    );
  }
  transformer.startInvocation();
  const records = event.records.map((record, index) =>
    planner.answer(record, index)
  );
  return {
    response: { records },
    counters: planner.counters,
    samples: planner.samples,
    responseBytes: planner.budget.total,
    reingest: planner.reingest,
  };
}

/**
 * Settles the re-ingestion requests of a plan: a record whose payloads were
 * all put becomes `Dropped` (empty data); any other stays `ProcessingFailed`
 * (Firehose keeps the original). Mutates and returns the plan's outcome.
 *
 * @param put - per request, per payload: true when the put succeeded
 * @example settleBatch(plan, await Promise.all(...))
 */
function settleBatch(
  plan: BatchPlan,
  put: readonly (readonly boolean[])[]
): BatchOutcome {
  const { counters, samples, response } = plan;
  const saved = ENTRY_BASE_BYTES.ProcessingFailed - ENTRY_BASE_BYTES.Dropped;
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
      bytes -= saved;
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
  if (bytes > LAMBDA_RESPONSE_LIMIT_BYTES) {
    // Unreachable while the budget holds; the guarantee must not rest on it.
    throw new ResponseTooLargeError(
      bytes,
      response.records.length,
      'the settled response'
    );
  }
  return { response, counters, samples, responseBytes: bytes };
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
  ResponseTooLargeError,
  ScratchDecoder,
  settleBatch,
  transformBatch,
};
