/**
 * Transforms one Firehose record's bytes: frames its lines, scans each one,
 * filters, enriches and serialises the kept lines into one output buffer.
 */
import type { Enricher } from '../enrich/types.ts';
import type { LinePredicate } from '../filter/types.ts';
import { BYTE_CLASS, CLASS_BLANK, LF, TAB } from '../flowlog/bytes.ts';
import type { MalformedReason } from '../flowlog/errors.ts';
import { MALFORMED } from '../flowlog/errors.ts';
import type { FlowLogFormat } from '../flowlog/format.ts';
import { FIELD_KIND, FlowLogLine } from '../flowlog/line.ts';
import { planScan, type ScanPlan, scanLine } from '../flowlog/scan.ts';
import { ValueAudit } from '../flowlog/value-audit.ts';
import { kernelFor } from '../kernel/hook.ts';
import {
  ENTRY_WORDS,
  type JsonKernel,
  type KernelBatch,
} from '../kernel/json-kernel.ts';
import { ByteWriter } from '../output/byte-writer.ts';
import { LineEnrichment, NO_ENRICHMENT } from '../output/enrichment.ts';
import type { LineSerializer } from '../output/types.ts';
import {
  type FramingFailure,
  type FramingLimits,
  FramingWalker,
  hasJsonSpecial,
  type LineSink,
  SINK,
  type SinkAnswer,
} from './framing.ts';
import { OpenedRecords } from './opened-records.ts';

/**
 * A line's partition: the safe value of each PARTITION_KEYS key, in order,
 * and the `metadata.partitionKeys` map Firehose reads them from
 * (https://docs.aws.amazon.com/firehose/latest/dev/dynamic-partitioning.html).
 * Frozen; compare with {@link samePartitionKey}.
 */
interface PartitionKey {
  readonly values: readonly string[];
  readonly partitionKeys: Readonly<Record<string, string>>;
}

/**
 * Partition keys of lines (PARTITION_KEYS), implemented by
 * shared/firehose/partition.ts.
 */
interface LinePartitioner {
  /**
   * The key of a parsed line; consecutive lines of one partition get the
   * same object, so most comparisons are one identity check.
   */
  keyOf(line: FlowLogLine): PartitionKey;
  /** The `metadata.partitionKeys` map of a key from `keyOf`. */
  partitionKeys(key: PartitionKey): Readonly<Record<string, string>>;
}

/**
 * True when two keys name the same partition: the same object, or the
 * same values. O(keys).
 *
 * @example samePartitionKey(partitioner.keyOf(a), partitioner.keyOf(b))
 */
function samePartitionKey(a: PartitionKey, b: PartitionKey): boolean {
  if (a === b) return true;
  const x = a.values;
  const y = b.values;
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** What the transform loop does to every line. */
interface Pipeline {
  readonly format: FlowLogFormat;
  readonly filter: LinePredicate | undefined;
  readonly enrichers: readonly Enricher[];
  readonly serializer: LineSerializer;
  /** Set only when PARTITION_KEYS is: otherwise no per-line key work. */
  readonly partitioner?: LinePartitioner | undefined;
  /** false: never the WebAssembly JSON kernel (docs/kernel.md). Default on. */
  readonly jsonKernel?: boolean | undefined;
}

/** Limits of a record's framing and output. */
interface TransformLimits extends FramingLimits {
  /**
   * Output past which a record can never be answered (a response holds its
   * base64): the record fails as output_too_large at once instead of growing
   * the output buffer further. Default: no cap.
   */
  readonly maxOutputBytes?: number;
}

/** How a record turned out; the output stays in the transformer's writer. */
type RecordStatus = 'Ok' | 'Dropped' | 'ProcessingFailed';

/**
 * What one record's transform gave. Its output is
 * `output.buffer[outputStart, outputEnd)` of the transformer that made it,
 * valid until that transformer's next `transform` (or, with
 * {@link RecordTransformer.transformAppend}, until its output is reset).
 */
interface RecordResult {
  /** Ok (output written), Dropped (no line, or none kept), or failed. */
  readonly status: RecordStatus;
  /** Flow-log lines seen (headers and blanks excluded). */
  readonly lines: number;
  /** Lines written to the output. */
  readonly kept: number;
  /** Why the record failed; undefined unless `status` is ProcessingFailed. */
  readonly reason: MalformedReason | undefined;
  /** Text of the offending line (truncated), when the record failed. */
  readonly excerpt: string;
  /** First output byte of the record in the transformer's writer. */
  readonly outputStart: number;
  /** End (exclusive) of the record's output in the transformer's writer. */
  readonly outputEnd: number;
  /**
   * Set when the output is not in the transformer's writer but in the JSON
   * kernel's memory ({@link RecordTransformer.transformAt}): then
   * `[outputStart, outputEnd)` is a slice of this buffer, valid until the
   * transformer's next batch or per-record kernel call, and `output` is
   * untouched (nothing to take back).
   */
  readonly kernelOutput: Buffer | undefined;
  /**
   * With a partitioner: the key every kept line shares; undefined when
   * none is kept or they differ (`mixedKeys`).
   */
  readonly key: PartitionKey | undefined;
  /** With a partitioner: the kept lines differ in key. */
  readonly mixedKeys: boolean;
  /**
   * Unexpected values of closed-set fields in the record: the transformer's
   * audit, by reference, so read it before the next transform.
   */
  readonly audit: ValueAudit;
}

/** Longest excerpt of a malformed line kept for logs. */
const MAX_EXCERPT_BYTES = 256;

/**
 * Reusable per-cold-start record transformer. Not re-entrant: one record at a
 * time. Each record's outcome is a {@link RecordResult} value; its output
 * bytes stay in {@link RecordTransformer.output}.
 *
 * @example
 * const t = new RecordTransformer(pipeline, { maxDecompressedBytes: 8 << 20 });
 * if (t.transform(bytes).status === 'Ok') send(t.output.toBase64());
 */
class RecordTransformer {
  /** The output of the last record (or of every appended record). */
  readonly output = new ByteWriter();
  /** The pipeline's partitioner, if any. */
  readonly partitioner: LinePartitioner | undefined;
  /**
   * Records the ENI collector opened (inflated, envelopes read) for this
   * transformer's next batch: each is read from here once instead of being
   * opened again (shared/enrich/collect.ts, opened-records.ts).
   */
  readonly opened = new OpenedRecords();

  // The current record's state while it is walked; read through its result.
  private lines = 0;
  private kept = 0;
  private reason: MalformedReason | undefined;
  private excerpt = '';
  private key: PartitionKey | undefined;
  private mixedKeys = false;
  /** Where the current record's output starts in {@link output}. */
  private outputStart = 0;
  private readonly audit: ValueAudit;

  private readonly pipeline: Pipeline;
  private readonly walker: FramingWalker;
  private readonly sink: LineSink;
  private readonly maxOutputBytes: number;
  private readonly plan: ScanPlan;
  private readonly line: FlowLogLine;
  private readonly header: Buffer;
  private readonly kernel: JsonKernel | undefined;
  /** The enrichers' per-line scratch, reused for every line. */
  private readonly enrichment = new LineEnrichment();
  /** A partial line carried from one chunk to the next. */
  private pending: Buffer | undefined;
  /** Next tab at or after this offset of {@link tabBytes}: amortised search. */
  private tabAt = -1;
  /** Where the search for {@link tabAt} started. */
  private tabFrom = 0;
  /** The buffer {@link tabAt} is an offset of; reset for every record. */
  private tabBytes: Buffer | undefined;
  /** The kernel's results of the last {@link transformBatch}, if any. */
  private batch: KernelBatch | undefined;
  /** Kept lines by key, only while {@link RecordTransformer.splitByKey} runs. */
  private groups: Map<PartitionKey, Buffer[]> | undefined;

  constructor(pipeline: Pipeline, limits: TransformLimits) {
    this.pipeline = pipeline;
    this.partitioner = pipeline.partitioner;
    this.walker = new FramingWalker(limits, { reuse: this.opened });
    this.sink = {
      line: (bytes, start, end) => this.transformLine(bytes, start, end),
      wrapped: (bytes, start, end) => this.transformWrapped(bytes, start, end),
    };
    this.maxOutputBytes = limits.maxOutputBytes ?? Number.POSITIVE_INFINITY;
    this.plan = planScan(pipeline.format);
    this.kernel = kernelFor(pipeline);
    this.line = new FlowLogLine(pipeline.format);
    this.audit = new ValueAudit(pipeline.format);
    this.header = Buffer.from(
      pipeline.format.fields.map((field) => field.name).join(' '),
      'utf8'
    );
  }

  /**
   * Transforms one record's decoded bytes: the JSON kernel first, where the
   * pipeline has one (docs/kernel.md), and the framing walker with the
   * TypeScript scanner and serializer for every record it declines. Its
   * output replaces the last record's in {@link output}. O(bytes).
   *
   * @returns Ok (output in `this.output`), Dropped (no line, or none kept),
   *   or ProcessingFailed (`reason` says why)
   * @example const { status, reason } = t.transform(bytes);
   */
  transform(bytes: Buffer): RecordResult {
    this.output.reset();
    return this.transformAppend(bytes);
  }

  /**
   * {@link transform}, with the record's output appended after what
   * {@link output} holds already: a batch's records share one output arena,
   * each its `[outputStart, outputEnd)`. A record that is not answered Ok may
   * leave partial output; the caller takes it back (`output.length =
   * outputStart`). O(bytes).
   *
   * @example t.output.reset(); for (const r of records) spans.push(t.transformAppend(r));
   */
  transformAppend(bytes: Buffer): RecordResult {
    this.batch = undefined;
    this.start();
    const kernelLines =
      this.kernel?.transformRecord(
        bytes,
        this.output,
        this.outputStart + this.maxOutputBytes
      ) ?? -1;
    if (kernelLines > 0) {
      this.lines = this.kept = kernelLines;
      return this.result('Ok');
    }
    this.failed(this.walker.walk(bytes, this.sink));
    return this.finish();
  }

  /**
   * Runs the JSON kernel once over the records `first` to `first + count -
   * 1` of a decoded batch (`arena`, each record's `[starts[i], ends[i])`,
   * start -1 for none): the results wait for {@link transformAt}, valid
   * until the next {@link transformBatch} or {@link transform}. Does nothing
   * without a kernel, or for a run over the kernel's bound (json-kernel.ts
   * transformBatch); then {@link transformAt} runs the kernel record by
   * record. O(run bytes).
   *
   * @example t.transformBatch(d.arena, d.starts, d.ends, 0, n); for (i…) t.transformAt(i, d.bytesOf(i)!);
   */
  transformBatch(
    arena: Buffer,
    starts: Int32Array,
    ends: Int32Array,
    first = 0,
    count = starts.length - first
  ): void {
    this.batch =
      this.kernel?.transformBatch(
        arena,
        starts,
        ends,
        first,
        count,
        this.maxOutputBytes
      ) ?? undefined;
  }

  /** True when the pipeline runs the JSON kernel ({@link transformBatch}). */
  get hasKernel(): boolean {
    return this.kernel !== undefined;
  }

  /**
   * {@link transformAppend} of record `index` of the last
   * {@link transformBatch}: when the kernel wrote the record, its output
   * where the kernel wrote it (`kernelOutput`, not copied into
   * {@link output}); else the TypeScript path, exactly as
   * {@link transformAppend} takes a record the kernel declines. So every
   * result, byte and audit count is {@link transformAppend}'s. O(bytes).
   */
  transformAt(index: number, bytes: Buffer): RecordResult {
    const batch = this.batch;
    const k = index - (batch?.first ?? 0);
    if (batch === undefined || k < 0 || k >= batch.count) {
      return this.transformAppend(bytes);
    }
    this.start();
    const table = batch.table;
    const entry = k * ENTRY_WORDS;
    const written = table[entry + 3]!;
    if (written >= 0) {
      // No copy: the caller encodes the slice where the kernel wrote it.
      const lines = table[entry + 4]!;
      const outputStart = table[entry + 2]!;
      return {
        status: 'Ok',
        lines,
        kept: lines,
        reason: undefined,
        excerpt: '',
        outputStart,
        outputEnd: outputStart + written,
        kernelOutput: batch.output,
        key: undefined,
        mixedKeys: false,
        audit: this.audit,
      };
    }
    this.failed(this.walker.walk(bytes, this.sink));
    return this.finish();
  }

  /**
   * Starts an invocation: the decompression budget of its gzip records
   * (MAX_INVOCATION_DECOMPRESSED_BYTES) is whole again.
   */
  startInvocation(): void {
    this.walker.startInvocation();
  }

  /** Starts a record that arrives in chunks (plain text, not gzip). */
  begin(): void {
    this.output.reset();
    this.start();
  }

  /** Starts a record whose output follows what {@link output} holds. */
  private start(): void {
    this.outputStart = this.output.length;
    this.lines = 0;
    this.kept = 0;
    this.reason = undefined;
    this.excerpt = '';
    this.key = undefined;
    this.mixedKeys = false;
    this.pending = undefined;
    this.tabBytes = undefined;
    this.audit.reset();
  }

  /**
   * Transforms the complete lines of a chunk; a trailing partial line waits
   * for the next chunk (the only bytes ever copied). Zero-copy otherwise.
   */
  write(chunk: Buffer): void {
    let from = 0;
    if (this.pending !== undefined) {
      const lf = chunk.indexOf(LF);
      if (lf < 0) {
        this.pending = Buffer.concat([this.pending, chunk]);
        return;
      }
      const joined = Buffer.concat([this.pending, chunk.subarray(0, lf + 1)]);
      this.pending = undefined;
      this.failed(this.walker.walkLines(joined, 0, joined.length, this.sink));
      from = lf + 1;
    }
    const lastLf = chunk.lastIndexOf(LF);
    if (lastLf < from) {
      if (from < chunk.length) this.pending = Buffer.from(chunk.subarray(from));
      return;
    }
    if (this.reason === undefined) {
      this.failed(this.walker.walkLines(chunk, from, lastLf + 1, this.sink));
    }
    if (lastLf + 1 < chunk.length) {
      this.pending = Buffer.from(chunk.subarray(lastLf + 1));
    }
  }

  /** Ends a chunked record: the last line needs no terminator. */
  finish(): RecordResult {
    const pending = this.pending;
    if (pending !== undefined) {
      this.pending = undefined;
      if (this.reason === undefined) {
        this.failed(
          this.walker.walkLines(pending, 0, pending.length, this.sink)
        );
      }
    }
    if (this.mixedKeys) this.key = undefined;
    if (this.reason !== undefined) return this.result('ProcessingFailed');
    return this.result(this.kept > 0 ? 'Ok' : 'Dropped');
  }

  /** The current record's outcome as a value. */
  private result(status: RecordStatus): RecordResult {
    return {
      status,
      lines: this.lines,
      kept: this.kept,
      reason: this.reason,
      excerpt: this.excerpt,
      outputStart: this.outputStart,
      outputEnd: this.output.length,
      kernelOutput: undefined,
      key: this.key,
      mixedKeys: this.mixedKeys,
      audit: this.audit,
    };
  }

  /**
   * The slow path for a record whose kept lines differ in partition key
   * (`mixedKeys`): transforms it again and returns each kept line's text
   * (without its framing or line end) grouped by key, in line order.
   * O(bytes); the lines are views into the record's (or its unwrapped) bytes.
   *
   * {@link output} is left as it was: a batch's arena keeps its records.
   *
   * @example for (const [key, lines] of t.splitByKey(bytes)) reingest(lines)
   */
  splitByKey(bytes: Buffer): ReadonlyMap<PartitionKey, readonly Buffer[]> {
    const groups = new Map<PartitionKey, Buffer[]>();
    const before = this.output.length;
    this.groups = groups;
    try {
      this.transformAppend(bytes);
    } finally {
      this.groups = undefined;
      this.output.length = before;
    }
    return groups;
  }

  /**
   * The slow path for a record whose output passed what any response can
   * hold (`output_too_large`): each of its flow-log lines, unframed (a
   * wrapper's message decoded, a CloudWatch envelope opened), as copies, in
   * order, header lines left out. O(bytes); nothing is transformed.
   *
   * @returns the lines, or undefined when the framing fails
   * @example splitPayloads(new Map([['', t.lineTexts(bytes)!]]), 1000)
   */
  lineTexts(bytes: Buffer): Buffer[] | undefined {
    const lines: Buffer[] = [];
    const sink: LineSink = {
      line: (text, start, end) => {
        if (!this.isHeader(text, start, end)) {
          lines.push(Buffer.from(text.subarray(start, end)));
        }
        return true;
      },
      wrapped: () => SINK.DECODE,
    };
    return this.walker.walk(bytes, sink) === undefined ? lines : undefined;
  }

  private fail(reason: MalformedReason, excerpt: string): 'ProcessingFailed' {
    this.reason = reason;
    this.excerpt = excerpt.slice(0, MAX_EXCERPT_BYTES);
    return 'ProcessingFailed';
  }

  /** Records the walker's refusal of the record's framing, if any. */
  private failed(failure: FramingFailure | undefined): void {
    if (failure !== undefined && this.reason === undefined) {
      this.fail(failure.reason, failure.detail);
    }
  }

  /**
   * A wrapped message, scanned in place, unverified: a message without `"`,
   * `\` or a control byte scans as it would decoded. When the scan shows
   * one could be there (a field of kind ESCAPE, a failure, or a tab between
   * fields), and one is, answers DECODE for the walker to decode the JSON:
   * so a message the JSON spec refuses (a raw control byte, RFC 8259 §7) is
   * refused on this path too. Saves a pass over every wrapped line.
   * The JSON kernel writes the wrapped lines whose message holds no such
   * byte the same way (shared/kernel/assembly/json-kernel.ts `wrapped`):
   * keep the two in step (test/property/kernel.property.test.ts).
   */
  private transformWrapped(
    bytes: Buffer,
    start: number,
    end: number
  ): SinkAnswer {
    let first = start;
    while (first < end && bytes[first] === 0x20 /* space */) first++;
    if (first === end || this.isHeader(bytes, first, end)) return SINK.NEXT;
    const reason = scanLine(bytes, first, end, this.plan, this.line);
    const suspect =
      reason !== undefined ||
      this.hasEscapedField() ||
      this.hasTab(bytes, first, end);
    if (suspect && hasJsonSpecial(bytes, start, end)) return SINK.DECODE;
    this.finishLine(reason, bytes, first, end);
    return this.reason === undefined ? SINK.NEXT : SINK.STOP;
  }

  /**
   * True when `bytes[start, end)` holds a tab. Lines are asked in order, so
   * the next tab's offset is kept: one native search per tab, not per line.
   */
  private hasTab(bytes: Buffer, start: number, end: number): boolean {
    if (
      bytes !== this.tabBytes ||
      start < this.tabFrom ||
      (this.tabAt >= 0 && this.tabAt < start)
    ) {
      this.tabBytes = bytes;
      this.tabFrom = start;
      this.tabAt = bytes.indexOf(TAB, start);
    }
    return this.tabAt >= 0 && this.tabAt < end;
  }

  /** True when a scanned field holds bytes JSON escapes. */
  private hasEscapedField(): boolean {
    const kinds = this.line.kinds;
    for (let i = 0; i < kinds.length; i++) {
      if (kinds[i] === FIELD_KIND.ESCAPE) return true;
    }
    return false;
  }

  private transformLine(bytes: Buffer, start: number, end: number): boolean {
    if (this.isHeader(bytes, start, end)) return true;
    const reason = scanLine(bytes, start, end, this.plan, this.line);
    this.finishLine(reason, bytes, start, end);
    return this.reason === undefined;
  }

  /** Everything after the scan: failure, or filter, enrich and write. */
  private finishLine(
    reason: MalformedReason | undefined,
    bytes: Buffer,
    start: number,
    end: number
  ): void {
    const line = this.line;
    if (reason !== undefined) {
      this.lines++;
      this.audit.failed(bytes, start, end);
      this.fail(reason, bytes.toString('utf8', start, end));
      return;
    }
    this.lines++;
    this.audit.check(line);
    const { filter, enrichers, serializer } = this.pipeline;
    if (filter !== undefined && !filter(line)) return;
    const refused = serializer.refuse?.(line);
    if (refused !== undefined) {
      this.fail(
        MALFORMED.OUTPUT_REFUSED,
        `${refused}: ${bytes.toString('utf8', start, end)}`
      );
      return;
    }
    let enrichment = NO_ENRICHMENT;
    if (enrichers.length > 0) {
      enrichment = this.enrichment;
      enrichment.reset();
      for (const enricher of enrichers) enricher.enrich(line, enrichment);
    }
    serializer.write(line, enrichment, this.output);
    this.kept++;
    if (this.output.length - this.outputStart > this.maxOutputBytes) {
      this.fail(
        MALFORMED.OUTPUT_TOO_LARGE,
        `output passed ${this.maxOutputBytes} bytes, more than any response can hold`
      );
      return;
    }
    if (this.partitioner !== undefined) this.trackKey(bytes, start, end);
  }

  /** Notes the kept line's partition key; collects the line when splitting. */
  private trackKey(bytes: Buffer, start: number, end: number): void {
    const key = this.partitioner!.keyOf(this.line);
    if (this.kept === 1) {
      this.key = key;
    } else if (!samePartitionKey(key, this.key!)) {
      this.mixedKeys = true;
    }
    const groups = this.groups;
    if (groups !== undefined) {
      const line = bytes.subarray(start, end);
      const group = groups.get(key) ?? groupOf(groups, key);
      if (group === undefined) groups.set(key, [line]);
      else group.push(line);
    }
  }

  /**
   * True for the header line of S3 flow-log files, the format's field names
   * separated by spaces (https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3.html):
   * it is skipped wherever it is, checked before the scan because a format of
   * string fields only would scan it as data. O(1) for most lines (first
   * byte and length), one native compare otherwise.
   */
  private isHeader(bytes: Buffer, start: number, end: number): boolean {
    const header = this.header;
    if (end - start < header.length || bytes[start] !== header[0]) {
      return false;
    }
    let last = end;
    while (
      last > start &&
      (BYTE_CLASS[bytes[last - 1]!]! & CLASS_BLANK) !== 0
    ) {
      last--;
    }
    return (
      last - start === header.length &&
      bytes.compare(header, 0, header.length, start, last) === 0
    );
  }
}

/** The group of a key equal to `key` but another object, if any. O(groups). */
function groupOf(
  groups: Map<PartitionKey, Buffer[]>,
  key: PartitionKey
): Buffer[] | undefined {
  for (const [other, lines] of groups) {
    if (samePartitionKey(other, key)) return lines;
  }
  return undefined;
}

export type {
  LinePartitioner,
  PartitionKey,
  Pipeline,
  RecordResult,
  RecordStatus,
  TransformLimits,
};
export { RecordTransformer, samePartitionKey };
