/**
 * Backfills one flow-log object: its bytes (already gunzipped) are cut into
 * chunks of whole lines, each chunk goes through the live function's record
 * transformer, and the output is written where the live stream would have
 * put it — the same prefix expressions, partition keys resolved per line,
 * GZIP — while malformed lines go to the error prefix in the record shape
 * Firehose writes for `processing-failed`.
 *
 * Deterministic: the same object and settings give byte-identical output
 * objects under the same keys (source-key.ts `outputKey`), so a retried batch
 * or a re-run overwrites instead of duplicating. Times come from the
 * object's name, never from the clock.
 *
 * The I/O sits behind {@link Destination}: S3 in the worker
 * (shared/aws/backfill-s3.ts), files in `npm run backfill -- --local`.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, type Gzip } from 'node:zlib';
import { likelyCause } from '../firehose/diagnose.ts';
import type {
  RecordResult,
  RecordTransformer,
} from '../firehose/record-transformer.ts';
import type { PrefixTemplate } from '../firehose/s3-prefix.ts';
import { evaluatePrefix } from '../firehose/s3-prefix.ts';
import { FIELDS_BY_NAME } from '../flowlog/fields.ts';
import type { FlowLogFormat } from '../flowlog/format.ts';
import { formatFromHeader } from '../flowlog/format.ts';
import {
  addAudit,
  type UnexpectedValueTally,
  type ValueAudit,
} from '../flowlog/value-audit.ts';
import { LineChunker, type Piece } from './line-chunks.ts';
import { outputKey } from './source-key.ts';

/** Text handed to the transformer at once: big enough to amortise a call. */
const CHUNK_BYTES = 256 * 1024;

/** Firehose refuses records over 1,000 KiB: a longer line is malformed. */
const MAX_LINE_BYTES = 1_024_000;

/**
 * Uncompressed bytes per output object before the next part starts: keeps
 * objects in the range Athena splits well (Firehose's own buffer is ≤ 128 MiB).
 */
const MAX_PART_BYTES = 128 * 1024 * 1024;

/** Firehose's error output type for records the function failed. */
const PROCESSING_FAILED = 'processing-failed';

/** A field-name token of an S3 header line. */
const HEADER_TOKEN = /^[a-z][a-z0-9-]*$/;

/** One object being written. */
interface OpenObject {
  /** The object's bytes (GZIP) go here. */
  readonly stream: Writable;
  /** Resolves once the object is stored (renamed, or the upload done). */
  commit(): Promise<void>;
}

/** Where output objects are stored. */
interface Destination {
  open(key: string): Promise<OpenObject>;
}

/** Where and how the live stream writes, as the template configures it. */
interface BackfillLayout {
  /** The stream's S3 `Prefix` expression. */
  readonly dataPrefix: PrefixTemplate;
  /** The stream's `ErrorOutputPrefix` expression. */
  readonly errorPrefix: PrefixTemplate;
  /** Written into error records as Firehose does. */
  readonly lambdaArn: string;
}

/** What one object gave: written into the Map Run's results. */
interface ObjectResult {
  key: string;
  /** Flow-log lines read (header and blank lines excluded). */
  linesRead: number;
  /** Lines written to the data prefix. */
  written: number;
  /** Lines the filter left out. */
  dropped: number;
  /** Lines written to the error prefix. */
  failed: number;
  /** Uncompressed bytes read and written. */
  bytesIn: number;
  bytesOut: number;
  /** Keys of the objects written, in the order they were opened. */
  outputs: string[];
  /** Failed lines by reason (shared/flowlog/errors.ts MALFORMED). */
  malformed: Partial<Record<string, number>>;
  /**
   * The value audit, as the handler counts it per batch: lines whose value
   * of a closed-set field is outside AWS's documented set, or whose integer
   * is above its documented range (srcport 65536), by AWS field name, with
   * the first value seen (`recordId` is the object's key).
   */
  unexpectedValues: Partial<Record<string, UnexpectedValueTally>>;
  /** Lines that failed to scan, by their own field count (as text). */
  malformedFieldCounts: Partial<Record<string, number>>;
  /**
   * The likely cause when most lines failed for one reason or hold values
   * their fields never hold (shared/firehose/diagnose.ts), as the handler's
   * summary line says it.
   */
  likelyCause?: string;
}

/**
 * Fetches what a chunk's lines need from AWS before its synchronous
 * transform (the ENI metadata of ENRICH=eni). Never rejects: lines it could
 * not serve go out un-enriched and are counted by the adapter.
 */
type Prefetch = (lines: Buffer, format: FlowLogFormat) => Promise<void>;

/** Builds (and caches) the live pipeline for a file's format. */
type TransformerFor = (format: FlowLogFormat) => Promise<RecordTransformer>;

/** One output object: GZIP of appended bytes, rolled into parts. */
class OutputPart {
  readonly key: string;
  bytes = 0;
  private readonly gzip: Gzip;
  private readonly done: Promise<void>;
  private readonly object: OpenObject;

  private constructor(key: string, object: OpenObject) {
    this.key = key;
    this.object = object;
    this.gzip = createGzip();
    this.done = pipeline(this.gzip, object.stream);
    // pipeline reports the failure; this keeps it from being unhandled early.
    this.done.catch(() => undefined);
  }

  static async open(
    key: string,
    destination: Destination
  ): Promise<OutputPart> {
    return new OutputPart(key, await destination.open(key));
  }

  async write(bytes: Buffer): Promise<void> {
    this.bytes += bytes.length;
    if (!this.gzip.write(bytes)) await once(this.gzip, 'drain');
  }

  async close(): Promise<void> {
    this.gzip.end();
    await this.done;
    await this.object.commit();
  }
}

/** The open part of each prefix, and how many parts it had. */
class Outputs {
  readonly keys: string[] = [];
  private readonly open = new Map<string, OutputPart>();
  private readonly parts = new Map<string, number>();
  private readonly sourceKey: string;
  private readonly destination: Destination;

  constructor(sourceKey: string, destination: Destination) {
    this.sourceKey = sourceKey;
    this.destination = destination;
  }

  async write(prefix: string, bytes: Buffer): Promise<void> {
    let part = this.open.get(prefix);
    if (part !== undefined && part.bytes + bytes.length > MAX_PART_BYTES) {
      await part.close();
      part = undefined;
    }
    if (part === undefined) {
      const n = this.parts.get(prefix) ?? 0;
      this.parts.set(prefix, n + 1);
      const key = outputKey(prefix, this.sourceKey, n, '.gz');
      part = await OutputPart.open(key, this.destination);
      this.open.set(prefix, part);
      this.keys.push(key);
    }
    await part.write(bytes);
  }

  async close(): Promise<void> {
    for (const part of this.open.values()) await part.close();
    this.open.clear();
  }
}

/**
 * True when `line` is the header AWS writes at the top of flow-log files:
 * field names only, at least one of them a known field.
 */
function isHeaderLine(line: string): boolean {
  const tokens = line.trim().split(/\s+/);
  return (
    tokens.every((token) => HEADER_TOKEN.test(token)) &&
    tokens.some((token) => FIELDS_BY_NAME.has(token))
  );
}

/** Backfills one object. Not re-entrant. */
class ObjectBackfill {
  private readonly source: { readonly key: string; readonly time: number };
  private readonly layout: BackfillLayout;
  private readonly transformerFor: TransformerFor;
  private readonly fallback: FlowLogFormat;
  private readonly outputs: Outputs;
  private readonly errors: Outputs;
  private readonly result: ObjectResult;
  private readonly prefetch: Prefetch | undefined;
  private transformer: RecordTransformer | undefined;
  private format: FlowLogFormat;

  constructor(
    source: { readonly key: string; readonly time: number },
    layout: BackfillLayout,
    transformerFor: TransformerFor,
    fallback: FlowLogFormat,
    destination: Destination,
    prefetch?: Prefetch
  ) {
    this.source = source;
    this.layout = layout;
    this.transformerFor = transformerFor;
    this.fallback = fallback;
    this.format = fallback;
    this.prefetch = prefetch;
    this.outputs = new Outputs(source.key, destination);
    this.errors = new Outputs(`${source.key}#errors`, destination);
    this.result = {
      key: source.key,
      linesRead: 0,
      written: 0,
      dropped: 0,
      failed: 0,
      bytesIn: 0,
      bytesOut: 0,
      outputs: [],
      malformed: {},
      unexpectedValues: {},
      malformedFieldCounts: {},
    };
  }

  /**
   * Reads the object's (gunzipped) bytes to the end and writes its output.
   *
   * @throws when the input stream or the destination fails: the caller
   *   reports the object as failed (a re-run overwrites what was written)
   */
  async run(input: AsyncIterable<Buffer>): Promise<ObjectResult> {
    const chunker = new LineChunker(CHUNK_BYTES, MAX_LINE_BYTES);
    try {
      for await (const bytes of input) {
        this.result.bytesIn += bytes.length;
        for (const piece of chunker.push(bytes)) await this.piece(piece);
      }
      for (const piece of chunker.end()) await this.piece(piece);
    } finally {
      await this.outputs.close();
      await this.errors.close();
    }
    this.result.outputs = [...this.outputs.keys, ...this.errors.keys];
    const cause = likelyCause(this.diagnosisInput(), this.format);
    if (cause !== undefined) this.result.likelyCause = cause;
    return this.result;
  }

  /** The object's counts in the shape the diagnosis reads: a line is a record. */
  private diagnosisInput() {
    const { linesRead, malformed } = this.result;
    return { ...this.result, records: linesRead, lines: linesRead, malformed };
  }

  private async piece(piece: Piece): Promise<void> {
    if (piece.kind === 'too-long') {
      this.result.linesRead++;
      await this.fail(
        piece.bytes,
        `line ${piece.line} is longer than ${MAX_LINE_BYTES} bytes`
      );
      return;
    }
    let bytes = piece.bytes;
    if (this.transformer === undefined) {
      bytes = await this.start(bytes);
    }
    await this.chunk(bytes);
  }

  /** Takes the format from the header line, if the object starts with one. */
  private async start(bytes: Buffer): Promise<Buffer> {
    const lf = bytes.indexOf(0x0a);
    const end = lf < 0 ? bytes.length : lf + 1;
    const first = bytes.toString('utf8', 0, end);
    let format = this.fallback;
    let rest = bytes;
    if (isHeaderLine(first)) {
      format = formatFromHeader(first.trim(), `${this.source.key} header`);
      rest = bytes.subarray(end);
    }
    try {
      this.transformer = await this.transformerFor(format);
    } catch (error) {
      // The live settings do not fit this file's format (FILTER on a field
      // it lacks…): the whole object fails, named, as a cold start would.
      throw new TypeError(
        `${this.source.key}: the live settings do not apply to this file's format '${format.text}': ${(error as Error).message}`,
        { cause: error }
      );
    }
    this.format = format;
    return rest;
  }

  /** Transforms a chunk of whole lines; line by line when one fails. */
  private async chunk(bytes: Buffer): Promise<void> {
    if (bytes.length === 0) return;
    const t = this.transformer!;
    await this.prefetch?.(bytes, this.format);
    const result = t.transform(bytes);
    if (result.status === 'ProcessingFailed') {
      await this.lineByLine(bytes);
      return;
    }
    this.addAudit(result.audit);
    this.result.linesRead += result.lines;
    if (result.status === 'Dropped') {
      this.result.dropped += result.lines;
      return;
    }
    if (!result.mixedKeys) {
      await this.emit(t, result);
      return;
    }
    // Lines of several partitions: each group again, by itself.
    const groups = [...t.splitByKey(bytes).values()].map((lines) =>
      Buffer.concat(lines.flatMap((line) => [line, LINE_END]))
    );
    for (const group of groups) {
      await this.emit(t, t.transform(group));
    }
  }

  /** Writes the transformer's Ok output under its partition's prefix. */
  private async emit(
    t: RecordTransformer,
    result: RecordResult
  ): Promise<void> {
    const keys = result.key?.partitionKeys;
    const prefix = evaluatePrefix(this.layout.dataPrefix, {
      time: this.source.time,
      keys,
    });
    if (typeof prefix !== 'string') {
      throw new TypeError(
        `the data prefix needs partition key '${prefix.missingKey}', which PARTITION_KEYS does not produce`
      );
    }
    this.result.written += result.kept;
    this.result.dropped += result.lines - result.kept;
    this.result.bytesOut += t.output.length;
    await this.outputs.write(prefix, t.output.toBuffer());
  }

  /** The slow path of a chunk with a malformed line. */
  private async lineByLine(bytes: Buffer): Promise<void> {
    const t = this.transformer!;
    let from = 0;
    while (from < bytes.length) {
      let lf = bytes.indexOf(0x0a, from);
      if (lf < 0) lf = bytes.length - 1;
      const line = bytes.subarray(from, lf + 1);
      from = lf + 1;
      const result = t.transform(line);
      this.addAudit(result.audit);
      this.result.linesRead += result.lines;
      if (result.status === 'Ok') await this.emit(t, result);
      else if (result.status === 'Dropped') this.result.dropped += result.lines;
      else {
        const { malformed } = this.result;
        const reason = result.reason ?? 'unknown';
        malformed[reason] = (malformed[reason] ?? 0) + 1;
        await this.fail(
          trimLineEnd(line),
          `${result.reason}: ${result.excerpt}`
        );
      }
    }
  }

  /** Adds a transform's value audit (read before the next) to the object's counts. */
  private addAudit(audit: ValueAudit): void {
    addAudit(this.result, audit, this.source.key);
  }

  /** Writes one line to the error prefix, as Firehose's error record. */
  private async fail(line: Buffer, message: string): Promise<void> {
    this.result.failed++;
    const time = this.source.time;
    const prefix = evaluatePrefix(this.layout.errorPrefix, {
      time,
      errorType: PROCESSING_FAILED,
    });
    const record = {
      attemptsMade: 1,
      arrivalTimestamp: time,
      errorCode: 'Lambda.ProcessingFailed',
      errorMessage: `The Lambda function returned ProcessingFailed for this record: ${message}`,
      attemptEndingTimestamp: time,
      rawData: line.toString('base64'),
      lambdaArn: this.layout.lambdaArn,
    };
    await this.errors.write(
      prefix as string,
      Buffer.from(`${JSON.stringify(record)}\n`, 'utf8')
    );
  }
}

/** `\n`, appended to each line of a partition group. */
const LINE_END = Buffer.from('\n', 'latin1');

function trimLineEnd(line: Buffer): Buffer {
  let end = line.length;
  if (end > 0 && line[end - 1] === 0x0a) end--;
  if (end > 0 && line[end - 1] === 0x0d) end--;
  return line.subarray(0, end);
}

export type {
  BackfillLayout,
  Destination,
  ObjectResult,
  OpenObject,
  Prefetch,
  TransformerFor,
};
export { isHeaderLine, MAX_PART_BYTES, ObjectBackfill };
