/**
 * Which records of a batch are answered `Ok`, `Dropped` or
 * `ProcessingFailed`, and which wait for re-ingestion: the budgeted pass
 * over the records, one at a time, in planning order.
 *
 * Budget: before the first record, the smallest answer of every record
 * (`ProcessingFailed` with empty data) is reserved; each record may then use
 * what the budget leaves after the answers already given and the reservations
 * of the records after it. So every record can always be answered and the
 * serialised response never exceeds the budget, whatever the event holds.
 */
import type {
  FirehoseTransformationEventRecord,
  FirehoseTransformationMetadata,
  FirehoseTransformationResultRecord,
} from 'aws-lambda';
import type { MalformedReason } from '../flowlog/errors.ts';
import { MALFORMED } from '../flowlog/errors.ts';
import { addAudit } from '../flowlog/value-audit.ts';
import { partitionKeyOf, ScratchDecoder } from './event.ts';
import {
  type BatchOptions,
  countFailure,
  type MalformedSample,
  newCounters,
  type ReingestRequest,
  WHY_TEXT,
} from './outcome.ts';
import type {
  PartitionKey,
  RecordResult,
  RecordTransformer,
} from './record-transformer.ts';
import {
  MARKER_BYTES,
  markForReingestion,
  readReingestMarker,
} from './reingest-marker.ts';
import {
  base64Length,
  entryBytes,
  ResponseBudget,
  responseBytes,
} from './response-size.ts';

/** Firehose's largest record (1,000 KiB): the cap of a re-ingested record. */
const MAX_REINGEST_RECORD_BYTES = 1_024_000;

/** A split payload's cap: one Firehose record less the re-ingestion marker. */
const MAX_SPLIT_PAYLOAD_BYTES = MAX_REINGEST_RECORD_BYTES - MARKER_BYTES;

/** `\n`, 0x0A: ends every line of a split record. */
const NEWLINE = Buffer.from('\n', 'latin1');

/**
 * Each group's lines as newline-terminated text, cut at line boundaries into
 * payloads of at most one Firehose record (1,000 KiB), and of at most
 * `maxLines` lines. O(bytes).
 *
 * @example splitPayloads([[Buffer.from('a'), Buffer.from('b')]], 1) // ['a\n', 'b\n']
 */
function splitPayloads(
  groups: Iterable<readonly Buffer[]>,
  maxLines = Number.POSITIVE_INFINITY
): Buffer[] {
  const payloads: Buffer[] = [];
  for (const lines of groups) {
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

/**
 * Answers the records of one event, in order, within the budget.
 *
 * @example
 * const planner = new BatchPlanner(transformer, options, event.records);
 * const answers = event.records.map((r, i) => planner.answer(r, i));
 */
class BatchPlanner {
  readonly counters = newCounters();
  readonly samples: MalformedSample[] = [];
  readonly reingest: ReingestRequest[] = [];
  readonly budget: ResponseBudget;
  private readonly decoder = new ScratchDecoder();
  private readonly transformer: RecordTransformer;
  private readonly options: BatchOptions;
  private metadataKey: PartitionKey | undefined;
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

  /** The answer of `record`, the `index`-th answered. */
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
    const result = this.transformer.transform(bytes);
    this.counters.lines += result.lines;
    addAudit(this.counters, result.audit, record.recordId);
    if (result.status === 'ProcessingFailed') {
      const reason = result.reason ?? MALFORMED.BAD_JSON_WRAPPER;
      if (reason === MALFORMED.OUTPUT_TOO_LARGE && this.options.reingest) {
        return this.splitOversized(record, index, bytes, result);
      }
      return this.fail(record, index, reason, result.excerpt);
    }
    if (result.status === 'Dropped') {
      this.counters.dropped++;
      this.budget.commit(
        index,
        entryBytes(this.budget.idBytes[index]!, 'Dropped', 0, 0)
      );
      return { recordId: record.recordId, result: 'Dropped', data: '' };
    }
    if (result.mixedKeys) {
      this.counters.split++;
      const payloads = this.options.reingest
        ? splitPayloads(this.transformer.splitByKey(bytes).values())
        : [];
      return this.defer(record, index, payloads, 'split');
    }
    return this.ok(record, index, room, bytes, result);
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
    bytes: Buffer,
    result: RecordResult
  ): FirehoseTransformationResultRecord {
    const perPart = Math.max(1, Math.floor(result.kept / 2));
    const lines = this.transformer.lineTexts(bytes);
    if (lines === undefined || lines.length <= 1) {
      return this.fail(
        record,
        index,
        MALFORMED.OUTPUT_TOO_LARGE,
        result.excerpt
      );
    }
    this.counters.overflowed++;
    const payloads = splitPayloads([lines], perPart);
    return this.defer(record, index, payloads, 'overflow');
  }

  private ok(
    record: FirehoseTransformationEventRecord,
    index: number,
    room: number,
    bytes: Buffer,
    { key, kept }: RecordResult
  ): FirehoseTransformationResultRecord {
    const { output } = this.transformer;
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
    return this.defer(record, index, [Buffer.from(bytes)], 'overflow');
  }

  /** The record's answer waits for re-ingestion, or fails without it. */
  private defer(
    record: FirehoseTransformationEventRecord,
    index: number,
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
  private metadataOf(key: PartitionKey): FirehoseTransformationMetadata {
    if (key !== this.metadataKey || this.metadata === undefined) {
      this.metadata = Object.freeze({ partitionKeys: key.partitionKeys });
      this.metadataBytes = Buffer.byteLength(JSON.stringify(this.metadata));
      this.metadataKey = key;
    }
    return this.metadata;
  }
}

export {
  BatchPlanner,
  MAX_REINGEST_RECORD_BYTES,
  MAX_SPLIT_PAYLOAD_BYTES,
  splitPayloads,
};
