/**
 * Transforms one Firehose record's bytes: frames its lines, scans each one,
 * filters, enriches and serialises the kept lines into one output buffer.
 */
import type { Enricher } from '../enrich/types.ts';
import type { LinePredicate } from '../filter/types.ts';
import {
  BYTE_CLASS,
  CLASS_BLANK,
  CR,
  LF,
  OPEN_BRACE,
} from '../flowlog/bytes.ts';
import type { MalformedReason } from '../flowlog/errors.ts';
import { MALFORMED } from '../flowlog/errors.ts';
import type { FlowLogFormat } from '../flowlog/format.ts';
import { FIELD_KIND, FlowLogLine } from '../flowlog/line.ts';
import { planScan, type ScanPlan, scanLine } from '../flowlog/scan.ts';
import { ByteWriter } from '../output/byte-writer.ts';
import type { Enrichment, LineSerializer } from '../output/types.ts';
import {
  hasJsonEscape,
  isGzip,
  openGzip,
  type Unwrapped,
  unwrapMessage,
  wrappedRange,
} from './framing.ts';

/**
 * Partition keys of lines (PARTITION_KEYS), implemented by
 * shared/firehose/partition.ts.
 */
interface LinePartitioner {
  /** The key of a parsed line: equal strings mean the same partition. */
  keyOf(line: FlowLogLine): string;
  /** The `metadata.partitionKeys` map of a key from `keyOf`. */
  partitionKeys(key: string): Readonly<Record<string, string>>;
}

/** What the transform loop does to every line. */
interface Pipeline {
  readonly format: FlowLogFormat;
  readonly filter: LinePredicate | undefined;
  readonly enrichers: readonly Enricher[];
  readonly serializer: LineSerializer;
  /** Set only when PARTITION_KEYS is: otherwise no per-line key work. */
  readonly partitioner?: LinePartitioner | undefined;
}

/** Limits of record framing. */
interface FramingLimits {
  /** Cap on a gzip record's decompressed size (MAX_DECOMPRESSED_BYTES). */
  readonly maxDecompressedBytes: number;
  /**
   * Output past which a record can never be answered (a response holds its
   * base64): the record fails as output_too_large at once instead of growing
   * the output buffer further. Default: no cap.
   */
  readonly maxOutputBytes?: number;
}

/** How a record turned out; the output stays in the transformer's writer. */
type RecordStatus = 'Ok' | 'Dropped' | 'ProcessingFailed';

/** Longest excerpt of a malformed line kept for logs. */
const MAX_EXCERPT_BYTES = 256;

/** Shared, never-mutated enrichment for pipelines without enrichers. */
const NO_ENRICHMENT: Enrichment = Object.freeze({}) as Enrichment;

/**
 * Reusable per-cold-start record transformer. Not re-entrant: one record at a
 * time; the result of the last call stays readable until the next.
 *
 * @example
 * const t = new RecordTransformer(pipeline, { maxDecompressedBytes: 8 << 20 });
 * if (t.transform(bytes) === 'Ok') send(t.output.toBase64());
 */
class RecordTransformer {
  readonly output = new ByteWriter();
  /** Flow-log lines seen in the last record (headers and blanks excluded). */
  lines = 0;
  /** Lines written to the output in the last record. */
  kept = 0;
  /** Why the last record failed, when it did. */
  reason: MalformedReason | undefined;
  /** Text of the offending line (truncated), when the last record failed. */
  excerpt = '';
  /** With a partitioner: the key every kept line of the last record shares. */
  key: string | undefined;
  /** With a partitioner: the kept lines of the last record differ in key. */
  mixedKeys = false;
  /** The pipeline's partitioner, if any. */
  readonly partitioner: LinePartitioner | undefined;

  private readonly pipeline: Pipeline;
  private readonly limits: FramingLimits;
  private readonly maxOutputBytes: number;
  private readonly plan: ScanPlan;
  private readonly line: FlowLogLine;
  private readonly header: Buffer;
  /** A partial line carried from one chunk to the next. */
  private pending: Buffer | undefined;
  private readonly unwrapped: Unwrapped = {
    bytes: Buffer.alloc(0),
    start: 0,
    end: 0,
  };
  /** Kept lines by key, only while {@link RecordTransformer.splitByKey} runs. */
  private groups: Map<string, Buffer[]> | undefined;

  constructor(pipeline: Pipeline, limits: FramingLimits) {
    this.pipeline = pipeline;
    this.partitioner = pipeline.partitioner;
    this.limits = limits;
    this.maxOutputBytes = limits.maxOutputBytes ?? Number.POSITIVE_INFINITY;
    this.plan = planScan(pipeline.format);
    this.line = new FlowLogLine(pipeline.format);
    this.header = Buffer.from(
      pipeline.format.fields.map((field) => field.name).join(' '),
      'utf8'
    );
  }

  /**
   * Transforms one record's decoded bytes. O(bytes).
   *
   * @returns Ok (output in `this.output`), Dropped (no line, or none kept),
   *   or ProcessingFailed (`this.reason` says why)
   */
  transform(bytes: Buffer): RecordStatus {
    this.begin();
    if (!isGzip(bytes)) {
      this.transformText(bytes, 0, bytes.length, true);
      return this.finish();
    }
    const envelope = openGzip(bytes, this.limits.maxDecompressedBytes);
    if (envelope.kind === 'malformed') {
      return this.fail(envelope.reason, envelope.detail);
    }
    if (envelope.kind === 'lines') {
      this.transformText(envelope.bytes, 0, envelope.bytes.length, true);
    }
    return this.finish();
  }

  /** Starts a record that arrives in chunks (plain text, not gzip). */
  begin(): void {
    this.output.reset();
    this.lines = 0;
    this.kept = 0;
    this.reason = undefined;
    this.excerpt = '';
    this.key = undefined;
    this.mixedKeys = false;
    this.pending = undefined;
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
      this.transformText(joined, 0, joined.length, true);
      from = lf + 1;
    }
    const lastLf = chunk.lastIndexOf(LF);
    if (lastLf < from) {
      if (from < chunk.length) this.pending = Buffer.from(chunk.subarray(from));
      return;
    }
    this.transformText(chunk, from, lastLf + 1, true);
    if (lastLf + 1 < chunk.length) {
      this.pending = Buffer.from(chunk.subarray(lastLf + 1));
    }
  }

  /** Ends a chunked record: the last line needs no terminator. */
  finish(): RecordStatus {
    const pending = this.pending;
    if (pending !== undefined) {
      this.pending = undefined;
      this.transformText(pending, 0, pending.length, true);
    }
    if (this.mixedKeys) this.key = undefined;
    if (this.reason !== undefined) return 'ProcessingFailed';
    return this.kept > 0 ? 'Ok' : 'Dropped';
  }

  /**
   * The slow path for a record whose kept lines differ in partition key
   * (`mixedKeys`): transforms it again and returns each kept line's text
   * (without its framing or line end) grouped by key, in line order.
   * O(bytes); the lines are views into the record's (or its unwrapped) bytes.
   *
   * @example for (const [key, lines] of t.splitByKey(bytes)) reingest(lines)
   */
  splitByKey(bytes: Buffer): ReadonlyMap<string, readonly Buffer[]> {
    const groups = new Map<string, Buffer[]>();
    this.groups = groups;
    try {
      this.transform(bytes);
    } finally {
      this.groups = undefined;
    }
    return groups;
  }

  private fail(reason: MalformedReason, excerpt: string): 'ProcessingFailed' {
    this.reason = reason;
    this.excerpt = excerpt.slice(0, MAX_EXCERPT_BYTES);
    return 'ProcessingFailed';
  }

  /** Splits on LF (dropping a CR before it) until a line fails. */
  private transformText(
    bytes: Buffer,
    start: number,
    end: number,
    allowWrapper: boolean
  ): void {
    let from = start;
    while (from < end && this.reason === undefined) {
      let lineEnd = bytes.indexOf(LF, from);
      if (lineEnd < 0 || lineEnd > end) lineEnd = end;
      const next = lineEnd + 1;
      if (lineEnd > from && bytes[lineEnd - 1] === CR) lineEnd--;
      this.transformFramedLine(bytes, from, lineEnd, allowWrapper);
      from = next;
    }
  }

  private transformFramedLine(
    bytes: Buffer,
    start: number,
    end: number,
    allowWrapper: boolean
  ): void {
    let first = start;
    while (first < end && (BYTE_CLASS[bytes[first]!]! & CLASS_BLANK) !== 0) {
      first++;
    }
    if (first === end) return;
    if (bytes[first] !== OPEN_BRACE || !allowWrapper) {
      this.transformLine(bytes, first, end);
      return;
    }
    const unwrapped = this.unwrapped;
    if (
      wrappedRange(bytes, first, end, unwrapped) &&
      this.transformWrappedFast(unwrapped.bytes, unwrapped.start, unwrapped.end)
    ) {
      return;
    }
    const reason = unwrapMessage(bytes, first, end, unwrapped);
    if (reason !== undefined) {
      this.fail(reason, bytes.toString('utf8', first, end));
      return;
    }
    this.transformText(unwrapped.bytes, unwrapped.start, unwrapped.end, false);
  }

  /**
   * Scans a wrapped message in place, unverified: a message without `"` or
   * `\` scans as it would decoded. When the scan shows one (an escaped field,
   * or a failure), returns false for the general path to decode the JSON.
   * Saves a pass over every wrapped line.
   */
  private transformWrappedFast(
    bytes: Buffer,
    start: number,
    end: number
  ): boolean {
    let first = start;
    while (first < end && (BYTE_CLASS[bytes[first]!]! & CLASS_BLANK) !== 0) {
      first++;
    }
    let last = end;
    if (last > first && bytes[last - 1] === CR) last--;
    if (first === last) return true;
    const reason = scanLine(bytes, first, last, this.plan, this.line);
    const suspect = reason === undefined ? this.hasEscapedField() : true;
    if (suspect && hasJsonEscape(bytes, first, last)) return false;
    this.finishLine(reason, bytes, first, last);
    return true;
  }

  /** True when a scanned field holds bytes JSON escapes. */
  private hasEscapedField(): boolean {
    const kinds = this.line.kinds;
    for (let i = 0; i < kinds.length; i++) {
      if (kinds[i] === FIELD_KIND.ESCAPE) return true;
    }
    return false;
  }

  private transformLine(bytes: Buffer, start: number, end: number): void {
    const reason = scanLine(bytes, start, end, this.plan, this.line);
    this.finishLine(reason, bytes, start, end);
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
      if (!this.isHeader(bytes, start, end)) {
        this.lines++;
        this.fail(reason, bytes.toString('utf8', start, end));
      }
      return;
    }
    this.lines++;
    const { filter, enrichers, serializer } = this.pipeline;
    if (filter !== undefined && !filter(line)) return;
    let enrichment = NO_ENRICHMENT;
    if (enrichers.length > 0) {
      enrichment = {};
      for (const enricher of enrichers) enricher.enrich(line, enrichment);
    }
    serializer.write(line, enrichment, this.output);
    this.kept++;
    if (this.output.length > this.maxOutputBytes) {
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
    } else if (key !== this.key) {
      this.mixedKeys = true;
    }
    const groups = this.groups;
    if (groups !== undefined) {
      const line = bytes.subarray(start, end);
      const group = groups.get(key);
      if (group === undefined) groups.set(key, [line]);
      else group.push(line);
    }
  }

  /** The header line of S3 flow-log files names the fields: skip it. */
  private isHeader(bytes: Buffer, start: number, end: number): boolean {
    let last = end;
    while (
      last > start &&
      (BYTE_CLASS[bytes[last - 1]!]! & CLASS_BLANK) !== 0
    ) {
      last--;
    }
    return (
      last - start === this.header.length &&
      bytes.compare(this.header, 0, this.header.length, start, last) === 0
    );
  }
}

export type { FramingLimits, LinePartitioner, Pipeline, RecordStatus };
export { RecordTransformer };
