/**
 * The processor buffer: records collect until the buffer size would be
 * exceeded or the buffer interval has passed in record time, then the batch
 * goes to the function, as Firehose's BufferSizeInMBs and
 * BufferIntervalInSeconds do.
 */
import type { PendingRecord } from './records.ts';

/** The processor's buffering hints. */
interface BufferHints {
  /** BufferSizeInMBs in bytes of decoded record data. */
  readonly maxBytes: number;
  /** BufferIntervalInSeconds in milliseconds of record time. */
  readonly intervalMs: number;
}

/** Receives each full batch, in order; awaited before the next one starts. */
type FlushBatch = (records: PendingRecord[], closedAt: number) => Promise<void>;

/**
 * Groups records into batches. Time only moves forward: a record arriving
 * "earlier" than one already seen (flow logs are not sorted) does not move
 * the clock back.
 *
 * @example
 * const batcher = new Batcher({ maxBytes: 1 << 20, intervalMs: 60_000 }, send);
 * await batcher.add(record); await batcher.close();
 */
class Batcher {
  private readonly hints: BufferHints;
  private readonly flush: FlushBatch;
  private records: PendingRecord[] = [];
  private bytes = 0;
  private openedAt = 0;
  private clock = Number.NEGATIVE_INFINITY;

  constructor(hints: BufferHints, flush: FlushBatch) {
    this.hints = hints;
    this.flush = flush;
  }

  /** Adds a record, first sending the current batch when it is due. */
  async add(record: PendingRecord): Promise<void> {
    this.clock = Math.max(this.clock, record.arrival);
    if (this.records.length > 0) {
      const expired = this.clock - this.openedAt >= this.hints.intervalMs;
      const full = this.bytes + record.size > this.hints.maxBytes;
      // Firehose would have sent an expired batch when its interval ended.
      if (expired) await this.send(this.openedAt + this.hints.intervalMs);
      else if (full) await this.send(this.clock);
    }
    if (this.records.length === 0) this.openedAt = this.clock;
    this.records.push(record);
    this.bytes += record.size;
  }

  /** Sends what is left. */
  async close(): Promise<void> {
    if (this.records.length > 0) await this.send(this.clock);
  }

  private async send(closedAt: number): Promise<void> {
    const records = this.records;
    this.records = [];
    this.bytes = 0;
    await this.flush(records, closedAt);
  }
}

export type { BufferHints, FlushBatch };
export { Batcher };
