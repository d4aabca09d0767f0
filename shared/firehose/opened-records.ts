/**
 * Records opened once for two walks: the ENI collector's walk, which runs
 * first (the ENI prefetch must be done before the first line is enriched),
 * keeps how each gzip record or CloudWatch Logs envelope opened, and the
 * transform's walk reads it instead of opening the record again
 * (framing.ts `FramingWalker`, docs/limits.md "Opened once").
 */
import type { FramingFailure } from './framing.ts';

/**
 * Bytes of opened text one batch may keep between the ENI collector's walk
 * and the transform's ({@link OpenedRecords}): past it, the collector keeps
 * nothing more and the transform opens the rest itself, as without ENI.
 * Measured in docs/limits.md ("Opened once"): a 6 MB event of gzip
 * CloudWatch Logs envelopes of flow-log lines (7.5:1) opens to 18–19 MiB
 * of messages, so 32 MiB keeps legitimate events whole up to about 12:1,
 * while the most a hostile event can make the function hold is 32 MiB,
 * half the 64 MiB a 6 MB event may add in all.
 */
const MAX_KEPT_OPENED_BYTES = 32 * 1024 * 1024;

/**
 * What one kept record costs in {@link OpenedRecords}' byte count besides
 * its text: its objects (entry, map slot, the text's Buffer and its
 * ArrayBuffer), measured at about 345 bytes in Node 24 (54,000 kept
 * 35-byte lines: +19.5 MiB of heap). So a flood of tiny gzip records is
 * bounded by the same cap as a few large ones.
 */
const KEPT_ENTRY_BYTES = 384;

/**
 * How one walk opened a record (inflated it, read its envelopes), kept for
 * another walk of the same record: the ENI collector's, for the transform.
 */
interface Opening {
  /**
   * gzip only: the `maxOutputLength` it was inflated with; 0 when the
   * record is not gzip (a decompressed envelope: no budget involved).
   */
  readonly limit: number;
  /** gzip only: bytes inflated, whole; -1 when inflating failed. */
  readonly inflated: number;
  /** gzip only: inflating passed `limit` (ERR_BUFFER_TOO_LARGE). */
  readonly tooLarge: boolean;
  /** The text the record's lines are in; undefined when it failed. */
  readonly text: Buffer | undefined;
  /** Why the record was refused (gzip or envelope), if it was. */
  readonly failure: FramingFailure | undefined;
}

/** An {@link Opening} with the record it belongs to. */
interface KeptOpening extends Opening {
  readonly record: ArrayBufferLike;
  readonly length: number;
}

/**
 * The records one walker opened, for another walker to read without opening
 * them again: the ENI collector's walk (which runs first, before the ENI
 * prefetch) keeps them, the transform's takes them, one batch at a time. A
 * record is known by where its bytes are (their ArrayBuffer, offset and
 * length: a view of the batch's one decoded buffer, event.ts), so it must
 * not change between the walks. Bounded by {@link MAX_KEPT_OPENED_BYTES}:
 * each record's text (or failure text) plus {@link KEPT_ENTRY_BYTES}.
 *
 * @example
 * const opened = new OpenedRecords();
 * collectFieldValues(records, format, 'interface-id', max, opened);
 * transformer.transformAppend(records[0]); // opened by the collector
 */
class OpenedRecords {
  readonly maxBytes: number;
  private readonly entries = new Map<number, KeptOpening>();
  private bytes = 0;

  constructor(maxBytes = MAX_KEPT_OPENED_BYTES) {
    this.maxBytes = maxBytes;
  }

  /** Records kept and not taken yet. */
  get size(): number {
    return this.entries.size;
  }

  /** Forgets every record: a new batch. */
  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  /**
   * Keeps how `record` opened, unless that would pass {@link maxBytes}.
   * @returns false when it was not kept
   */
  keep(record: Buffer, opening: Opening): boolean {
    const cost =
      KEPT_ENTRY_BYTES +
      (opening.text?.length ?? opening.failure?.detail.length ?? 0);
    if (this.bytes + cost > this.maxBytes) return false;
    this.bytes += cost;
    this.entries.set(record.byteOffset, {
      ...opening,
      record: record.buffer,
      length: record.length,
    });
    return true;
  }

  /** How `record` opened, if it was kept; forgotten once taken. O(1). */
  take(record: Buffer): Opening | undefined {
    const entry = this.entries.get(record.byteOffset);
    if (
      entry === undefined ||
      entry.record !== record.buffer ||
      entry.length !== record.length
    ) {
      return undefined;
    }
    this.entries.delete(record.byteOffset);
    return entry;
  }
}

export type { Opening };
export { KEPT_ENTRY_BYTES, MAX_KEPT_OPENED_BYTES, OpenedRecords };
