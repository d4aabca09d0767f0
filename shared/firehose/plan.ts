/**
 * Which records of a batch are answered `Ok`, `Dropped` or
 * `ProcessingFailed`, and which wait for re-ingestion: one pass over the
 * decoded records in planning order, each transformed into the
 * transformer's one output arena, and one base64 string per `Ok` record
 * from its slice of that arena, written whenever the arena is half full (and
 * at the end), so the arena keeps its first size instead of growing to the
 * whole response's output.
 *
 * Budget: before the first record, the smallest answer of every record
 * (`ProcessingFailed` with empty data) is reserved; each record may then use
 * what the budget leaves after the answers already given and the reservations
 * of the records after it. So every record can always be answered and the
 * serialised response never exceeds the budget, whatever the event holds.
 * An answer's size is arithmetic (response-size.ts): the base64 length of
 * its output slice plus the JSON around it, known before any string exists.
 */
import type {
  FirehoseTransformationEventRecord,
  FirehoseTransformationMetadata,
  FirehoseTransformationResultRecord,
} from 'aws-lambda';
import type { MalformedReason } from '../flowlog/errors.ts';
import { MALFORMED } from '../flowlog/errors.ts';
import { addAudit } from '../flowlog/value-audit.ts';
import { type DecodedEvent, partitionKeyOf } from './event.ts';
import {
  type BatchOptions,
  type BatchPlan,
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
import { MARKER_BYTES, markForReingestion } from './reingest-marker.ts';
import {
  base64Length,
  entryBytes,
  ResponseBudget,
  responseBytes,
} from './response-size.ts';

/** Firehose's largest record (1,000 KiB): the cap of a re-ingested record. */
const MAX_REINGEST_RECORD_BYTES = 1_024_000;

/**
 * Most decoded bytes one JSON-kernel call takes: the kernel's memory holds
 * a run's bytes and its output, so runs of 1 MiB keep it near what one
 * Firehose record (1,000 KiB) needs, whatever the event's size.
 */
const MAX_KERNEL_RUN_BYTES = 1 << 20;

/** A split payload's cap: one Firehose record less the re-ingestion marker. */
const MAX_SPLIT_PAYLOAD_BYTES = MAX_REINGEST_RECORD_BYTES - MARKER_BYTES;

/** `\n`, 0x0A: ends every line of a split record. */
const NEWLINE = Buffer.from('\n', 'latin1');

/** A record's answer while the batch is planned, by input index. */
const ANSWER = {
  OK: 0,
  DROPPED: 1,
  /** Failed, or deferred until re-ingestion (settle.ts). */
  FAILED: 2,
} as const;

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

/** The records in planning order: `order` of input indexes, or as they are. */
function inPlanningOrder<T>(
  records: readonly T[],
  order: readonly number[] | undefined
): readonly T[] {
  return order === undefined ? records : order.map((index) => records[index]!);
}

/**
 * Answers the records of one decoded event within the budget: planned in
 * `order` (re-ingested records first), answered in input order. Not
 * re-entrant: one plan per transformer at a time.
 *
 * @example const plan = new BatchPlanner(transformer, options, decoded).plan();
 */
class BatchPlanner {
  readonly counters = newCounters();
  readonly samples: MalformedSample[] = [];
  readonly reingest: ReingestRequest[] = [];
  readonly budget: ResponseBudget;
  private readonly decoded: DecodedEvent;
  private readonly order: readonly number[] | undefined;
  private readonly transformer: RecordTransformer;
  private readonly options: BatchOptions;
  /** Per input record: an {@link ANSWER}. */
  private readonly answers: Uint8Array;
  /** Per `Ok` record: its slice of the transformer's output arena. */
  private readonly outputStarts: Int32Array;
  private readonly outputEnds: Int32Array;
  /**
   * Per `Ok` record the JSON kernel wrote: the kernel's memory its slice is
   * in (RecordResult.kernelOutput), encoded from there without a copy.
   */
  private readonly kernelOutputs: (Buffer | undefined)[];
  /** Per `Ok` record: its `data`, once its slice was encoded. */
  private readonly datas: string[];
  /** `Ok` records whose slice is not encoded yet, in answer order. */
  private readonly pending: Int32Array;
  private pendingCount = 0;
  /** Per `Ok` record with partition keys: its metadata. */
  private readonly metadatas: (FirehoseTransformationMetadata | undefined)[];
  private metadataKey: PartitionKey | undefined;
  private metadata: FirehoseTransformationMetadata | undefined;
  private metadataBytes = 0;

  constructor(
    transformer: RecordTransformer,
    options: BatchOptions,
    decoded: DecodedEvent,
    order?: readonly number[]
  ) {
    this.transformer = transformer;
    this.options = options;
    this.decoded = decoded;
    this.order = order;
    const count = decoded.records.length;
    this.budget = new ResponseBudget(
      options.budgetBytes,
      inPlanningOrder(decoded.records, order)
    );
    this.answers = new Uint8Array(count);
    this.outputStarts = new Int32Array(count);
    this.outputEnds = new Int32Array(count);
    this.datas = new Array<string>(count);
    this.kernelOutputs = new Array<Buffer | undefined>(count);
    this.pending = new Int32Array(count);
    this.metadatas =
      transformer.partitioner === undefined ? [] : new Array(count);
  }

  /**
   * Plans every record, then writes the answers in input order. O(event
   * bytes + output bytes).
   */
  plan(): BatchPlan {
    this.transformer.startInvocation();
    this.transformer.output.reset();
    const count = this.decoded.records.length;
    const order = this.order;
    const kernel = this.transformer.hasKernel;
    let runEnd = 0;
    for (let at = 0; at < count; at++) {
      if (kernel && at === runEnd) runEnd = this.kernelRun(at);
      this.answer(order === undefined ? at : order[at]!, at);
    }
    return {
      response: { records: this.responseRecords() },
      counters: this.counters,
      samples: this.samples,
      responseBytes: this.budget.total,
      reingest: this.reingest,
    };
  }

  /**
   * One JSON-kernel call (docs/kernel.md) for the records planned from
   * `at` on while they follow each other in the input and their bytes stay
   * within {@link MAX_KERNEL_RUN_BYTES} (at least one record): each then
   * takes its result, or the TypeScript path, in order. The slices the last
   * run left in the kernel's memory are encoded first, since this run
   * writes over them.
   *
   * @returns the planning position after the run
   */
  private kernelRun(at: number): number {
    this.encodePending();
    const { arena, starts, ends } = this.decoded;
    const order = this.order;
    const count = starts.length;
    const first = order === undefined ? at : order[at]!;
    let end = at + 1;
    const size = (i: number) => (starts[i]! < 0 ? 0 : ends[i]! - starts[i]!);
    let bytes = size(first);
    while (end < count) {
      const index = order === undefined ? end : order[end]!;
      if (index !== first + (end - at)) break;
      bytes += size(index);
      if (bytes > MAX_KERNEL_RUN_BYTES) break;
      end++;
    }
    this.transformer.transformBatch(arena, starts, ends, first, end - at);
    return end;
  }

  /** Decides record `index`, the `at`-th planned. */
  private answer(index: number, at: number): void {
    const room = this.budget.open(at);
    this.counters.records++;
    const bytes = this.decoded.bytesOf(index);
    if (bytes === undefined) {
      this.fail(index, at, MALFORMED.INVALID_BASE64, '');
      return;
    }
    this.counters.bytesIn += bytes.length;
    const result = this.transformer.transformAt(index, bytes);
    this.counters.lines += result.lines;
    addAudit(this.counters, result.audit, this.recordId(index));
    const output = this.transformer.output;
    if (
      !this.decide(index, at, room, bytes, result) &&
      result.kernelOutput === undefined
    ) {
      // Not answered Ok: its output leaves the arena.
      output.length = result.outputStart;
    }
    if (output.length >= output.buffer.length / 2) this.encodePending();
  }

  /**
   * Writes the base64 `data` of every Ok record whose slice is not encoded
   * yet and empties the arena for the next records.
   */
  private encodePending(): void {
    const output = this.transformer.output;
    const buffer = output.buffer;
    for (let k = 0; k < this.pendingCount; k++) {
      const index = this.pending[k]!;
      this.datas[index] = (this.kernelOutputs[index] ?? buffer).toString(
        'base64',
        this.outputStarts[index],
        this.outputEnds[index]
      );
    }
    this.pendingCount = 0;
    output.length = 0;
  }

  /** @returns true when the record is answered Ok (its output stays) */
  private decide(
    index: number,
    at: number,
    room: number,
    bytes: Buffer,
    result: RecordResult
  ): boolean {
    if (result.status === 'ProcessingFailed') {
      const reason = result.reason ?? MALFORMED.BAD_JSON_WRAPPER;
      if (reason === MALFORMED.OUTPUT_TOO_LARGE && this.options.reingest) {
        this.splitOversized(index, at, bytes, result);
      } else {
        this.fail(index, at, reason, result.excerpt);
      }
      return false;
    }
    if (result.status === 'Dropped') {
      this.counters.dropped++;
      this.answers[index] = ANSWER.DROPPED;
      this.budget.commit(
        at,
        entryBytes(this.budget.idBytes[at]!, 'Dropped', 0, 0)
      );
      return false;
    }
    if (result.mixedKeys) {
      this.counters.split++;
      const payloads = this.options.reingest
        ? splitPayloads(this.transformer.splitByKey(bytes).values())
        : [];
      this.defer(index, at, payloads, 'split');
      return false;
    }
    return this.ok(index, at, room, bytes, result);
  }

  /**
   * A record whose output no response can hold (a CloudWatch Logs envelope
   * of thousands of events, say) is re-ingested as records of its lines,
   * each with at most half the lines whose output already filled the cap,
   * so every part fits a response of its own.
   */
  private splitOversized(
    index: number,
    at: number,
    bytes: Buffer,
    result: RecordResult
  ): void {
    const perPart = Math.max(1, Math.floor(result.kept / 2));
    const lines = this.transformer.lineTexts(bytes);
    if (lines === undefined || lines.length <= 1) {
      this.fail(index, at, MALFORMED.OUTPUT_TOO_LARGE, result.excerpt);
      return;
    }
    this.counters.overflowed++;
    this.defer(index, at, splitPayloads([lines], perPart), 'overflow');
  }

  /** @returns true when the record's output fits the room left */
  private ok(
    index: number,
    at: number,
    room: number,
    bytes: Buffer,
    { key, kept, outputStart, outputEnd, kernelOutput }: RecordResult
  ): boolean {
    const metadata = key === undefined ? undefined : this.metadataOf(key);
    const outputBytes = outputEnd - outputStart;
    const size = entryBytes(
      this.budget.idBytes[at]!,
      'Ok',
      base64Length(outputBytes),
      metadata === undefined ? 0 : this.metadataBytes
    );
    if (size <= room) {
      this.budget.commit(at, size);
      this.counters.ok++;
      this.counters.linesOut += kept;
      this.counters.bytesOut += outputBytes;
      this.answers[index] = ANSWER.OK;
      this.outputStarts[index] = outputStart;
      this.outputEnds[index] = outputEnd;
      this.kernelOutputs[index] = kernelOutput;
      this.pending[this.pendingCount++] = index;
      if (metadata !== undefined) this.metadatas[index] = metadata;
      return true;
    }
    if (responseBytes(1, size) > this.options.budgetBytes) {
      const excerpt = `output entry of ${size} bytes cannot fit RESPONSE_BUDGET_BYTES (${this.options.budgetBytes})`;
      this.fail(index, at, MALFORMED.OUTPUT_TOO_LARGE, excerpt);
      return false;
    }
    this.counters.overflowed++;
    // A view: the decoded arena lives as long as the plan.
    this.defer(index, at, [bytes], 'overflow');
    return false;
  }

  /** The record's answer waits for re-ingestion, or fails without it. */
  private defer(
    index: number,
    at: number,
    payloads: readonly Buffer[],
    why: ReingestRequest['why']
  ): void {
    if (!this.options.reingest) {
      const excerpt = `${WHY_TEXT[why]}; re-ingestion is off (REINGEST=false)`;
      this.fail(index, at, MALFORMED.REINGEST_FAILED, excerpt);
      return;
    }
    // The loop guard: a marker line with the attempt (reingest-marker.ts).
    const marked = markForReingestion(payloads, this.decoded.attempts[index]!);
    if (typeof marked === 'string') {
      const excerpt = `${WHY_TEXT[why]}; ${marked}`;
      this.fail(index, at, MALFORMED.REINGEST_FAILED, excerpt);
      return;
    }
    this.reingest.push({
      index,
      payloads: marked,
      partitionKey: partitionKeyOf(this.record(index)),
      why,
    });
    this.answers[index] = ANSWER.FAILED;
    this.budget.commit(at, this.budget.smallest(at));
  }

  /**
   * ProcessingFailed with empty data: Firehose keeps the original record
   * itself (`rawData` under processing-failed/, see
   * https://docs.aws.amazon.com/firehose/latest/dev/data-transformation-failure-handling.html),
   * so echoing it would only take budget from the records after it.
   */
  private fail(
    index: number,
    at: number,
    reason: MalformedReason,
    excerpt: string
  ): void {
    const recordId = this.recordId(index);
    countFailure(this.counters, this.samples, recordId, reason, excerpt);
    this.answers[index] = ANSWER.FAILED;
    this.budget.commit(at, this.budget.smallest(at));
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

  /**
   * The answers in input order, keys in the order response-size.ts counts:
   * one base64 string per Ok record, from its slice of the output arena.
   */
  private responseRecords(): FirehoseTransformationResultRecord[] {
    this.encodePending();
    const records = this.decoded.records;
    const answers: FirehoseTransformationResultRecord[] = new Array(
      records.length
    );
    for (let index = 0; index < records.length; index++) {
      const recordId = records[index]!.recordId;
      const answer = this.answers[index];
      if (answer === ANSWER.OK) {
        const entry: FirehoseTransformationResultRecord = {
          recordId,
          result: 'Ok',
          data: this.datas[index]!,
        };
        const metadata = this.metadatas[index];
        if (metadata !== undefined) entry.metadata = metadata;
        answers[index] = entry;
      } else {
        answers[index] = {
          recordId,
          result: answer === ANSWER.DROPPED ? 'Dropped' : 'ProcessingFailed',
          data: '',
        };
      }
    }
    return answers;
  }

  private record(index: number): FirehoseTransformationEventRecord {
    return this.decoded.records[index]!;
  }

  private recordId(index: number): string {
    return this.decoded.records[index]!.recordId;
  }
}

export {
  BatchPlanner,
  MAX_REINGEST_RECORD_BYTES,
  MAX_SPLIT_PAYLOAD_BYTES,
  splitPayloads,
};
