/**
 * The replay loop: inputs read in order, each line wrapped as a record and
 * buffered per flow-log format, each full buffer sent to that format's
 * handler instance, each response delivered to the output folder, and each
 * failed record explained (reason, first file:line).
 */
import { randomUUID } from 'node:crypto';
import type { FlowLogFormat } from '../../shared/flowlog/format.ts';
import type { ReplayOptions } from './args.ts';
import { Batcher } from './batcher.ts';
import { FailureClassifier } from './classify.ts';
import type { DeliveryTarget, Failure } from './delivery.ts';
import { deliverBatch } from './delivery.ts';
import { FormatDiagnosis } from './diagnosis.ts';
import { ReplayError } from './errors.ts';
import type { FunctionLogTap, InvocationLog } from './function-log.ts';
import type { Handler } from './handler.ts';
import { lambdaContext, loadHandler } from './handler.ts';
import type { InputFile, NumberedLine } from './input.ts';
import {
  displayName,
  headerFormat,
  isEventFile,
  looksLikeHeader,
  openLines,
  peekFormat,
  readEvent,
} from './input.ts';
import type { Progress } from './progress.ts';
import type { PendingRecord } from './records.ts';
import { ArrivalClock, base64Size, recordIdOf, wrapLine } from './records.ts';
import { RejectTracker } from './summary.ts';

/** One flow-log format's buffer, handler instance and reject tracker. */
interface Channel {
  readonly format: FlowLogFormat;
  readonly batcher: Batcher;
  readonly tracker: RejectTracker;
  /** Lines read with this format (shared with stats.linesByFormat). */
  readonly read: { lines: number };
  /** The function's counters for this format (shared with stats). */
  readonly diagnosis: FormatDiagnosis;
}

/** An input checked by {@link Replay.prepare}, with its first format. */
interface PlannedInput {
  readonly file: InputFile;
  readonly kind: 'lines' | 'event';
  /** The header's format, or the fallback; undefined for stdin. */
  readonly format: FlowLogFormat | undefined;
}

/** The reason of records the response answered other than by the core. */
const REASON_BY_CODE: Readonly<Record<string, string>> = {
  'Lambda.FunctionError': 'function_error',
  'DynamicPartitioning.MissingPartitionKey': 'missing_partition_key',
  'Lambda.MissingRecordId': 'missing_record_id',
  'Lambda.InvalidResult': 'invalid_result',
};

/** Replays inputs into one output folder. Not re-entrant. */
class Replay {
  private readonly options: ReplayOptions;
  private readonly target: DeliveryTarget;
  private readonly progress: Progress;
  private readonly tap: FunctionLogTap;
  private readonly fallback: FlowLogFormat;
  private readonly channels = new Map<string, Channel>();
  private readonly startedAt = Date.now();
  /** Paths of the inputs, by PendingRecord.source. */
  private readonly sources: PlannedInput[] = [];
  private readonly classifier = new FailureClassifier();
  private sequence = 0;
  private imports = 0;
  private bytesRead = 0;
  private totalBytes: number | undefined = 0;

  constructor(
    options: ReplayOptions,
    target: DeliveryTarget,
    progress: Progress,
    io: { tap: FunctionLogTap; fallback: FlowLogFormat }
  ) {
    this.options = options;
    this.target = target;
    this.progress = progress;
    this.tap = io.tap;
    this.fallback = io.fallback;
  }

  /**
   * Checks every input before anything is written: files exist, events are
   * events (non-event JSON found in a folder is skipped with a note), and
   * the function accepts its settings with every input's format.
   *
   * @returns notes on skipped files
   * @throws ReplayError naming each refused input and why
   */
  async prepare(files: readonly InputFile[]): Promise<string[]> {
    const notes: string[] = [];
    for (const file of files) {
      const planned = await this.plan(file, notes);
      if (planned !== undefined) this.sources.push(planned);
    }
    const refusals: string[] = [];
    for (const input of this.sources) {
      if (input.format === undefined) continue;
      try {
        await this.channelFor(input.format);
      } catch (error) {
        refusals.push(
          `${displayName(input.file.path)}: ${(error as Error).message}`
        );
      }
    }
    if (refusals.length > 0) {
      throw new ReplayError(
        'REPLAY_SETTINGS',
        `nothing was replayed or written:\n  ${[...new Set(refusals)].join('\n  ')}`
      );
    }
    return notes;
  }

  private async plan(
    file: InputFile,
    notes: string[]
  ): Promise<PlannedInput | undefined> {
    if (isEventFile(file.path)) {
      try {
        await readEvent(file.path);
      } catch (error) {
        if (!file.listed) throw error;
        notes.push(`skipped ${(error as Error).message}`);
        return undefined;
      }
      return { file, kind: 'event', format: this.fallback };
    }
    if (file.path === '-') return { file, kind: 'lines', format: undefined };
    const header = await peekFormat(file.path);
    return { file, kind: 'lines', format: header ?? this.fallback };
  }

  /** Replays every prepared input in order, then sends what is buffered. */
  async run(): Promise<void> {
    for (const { file } of this.sources) {
      this.totalBytes =
        file.size === undefined || this.totalBytes === undefined
          ? undefined
          : this.totalBytes + file.size;
    }
    try {
      for (let source = 0; source < this.sources.length; source++) {
        this.target.stats.inputs++;
        if (this.sources[source]!.kind === 'event') {
          await this.replayEvent(source);
        } else await this.replayLines(source);
      }
    } finally {
      // Records already read were already "put": they are delivered even
      // when a later input fails.
      for (const channel of this.channels.values()) {
        await channel.batcher.close();
      }
    }
  }

  private async channelFor(format: FlowLogFormat): Promise<Channel> {
    const existing = this.channels.get(format.text);
    if (existing !== undefined) return existing;
    // A refused import stays cached under its URL: every try gets a new one.
    const handler = await loadHandler(format, ++this.imports);
    const batcher = new Batcher(
      {
        maxBytes: this.options.bufferBytes,
        intervalMs: this.options.bufferIntervalMs,
      },
      (records, closedAt) => this.invoke(channel, handler, records, closedAt)
    );
    const read = { lines: 0 };
    this.target.stats.linesByFormat.set(format.text, read);
    const diagnosis = new FormatDiagnosis(format);
    this.target.stats.diagnoses.set(format.text, diagnosis);
    const channel: Channel = {
      format,
      batcher,
      tracker: new RejectTracker(format, this.target.stats.rejects),
      read,
      diagnosis,
    };
    this.channels.set(format.text, channel);
    return channel;
  }

  private async invoke(
    channel: Channel,
    handler: Handler,
    records: PendingRecord[],
    closedAt: number
  ): Promise<void> {
    const region = process.env.AWS_REGION ?? 'us-east-1';
    const event = {
      invocationId: randomUUID(),
      deliveryStreamArn: `arn:aws:firehose:${region}:123456789012:deliverystream/${this.options.stream}`,
      region,
      records: records.map((record) => ({
        recordId: record.recordId,
        approximateArrivalTimestamp: record.arrival,
        data: record.data,
      })),
    };
    let outcome: Awaited<ReturnType<Handler>> | Error;
    this.tap.begin();
    try {
      outcome = await handler(event, lambdaContext());
    } catch (error) {
      outcome = error instanceof Error ? error : new Error(String(error));
    }
    const log = this.tap.end();
    channel.diagnosis.add(log.counters);
    // Saved events hold records, not lines: their lines are the ones the
    // function counted.
    if (records.every((r) => this.sources[r.source]!.kind === 'event')) {
      this.target.stats.lines += Number(log.counters?.lines ?? 0);
    }
    const failures = await deliverBatch(
      records,
      outcome,
      closedAt,
      this.target
    );
    if (failures.length > 0) this.explain(channel, records, failures, log);
  }

  /** Where a record came from: `file:line` or `file records[i]`. */
  private originOf(record: PendingRecord): string {
    const input = this.sources[record.source]!;
    const name = displayName(input.file.path);
    return input.kind === 'event'
      ? `${name} records[${record.position}]`
      : `${name}:${record.position}`;
  }

  /** The line (or record text) a record holds, for the summary. */
  private textOf(record: PendingRecord): string {
    const text = Buffer.from(record.data, 'base64').toString('utf8');
    if (this.sources[record.source]!.kind === 'event') return text;
    return (JSON.parse(text) as { message: string }).message;
  }

  /**
   * Counts a batch's failures by reason. ProcessingFailed reasons come from
   * the handler's summary log line; the first record of each reason from its
   * malformed-record samples (five per invocation), else from the core's
   * transformer run on the batch's failed records (classify.ts).
   */
  private explain(
    channel: Channel,
    records: readonly PendingRecord[],
    failures: readonly Failure[],
    log: InvocationLog
  ): void {
    const reasons = this.target.stats.reasons;
    const failed = failures
      .filter((f) => f.errorCode === 'Lambda.ProcessingFailed')
      .map((f) => f.record);
    const firsts = this.firstOfEachReason(channel, records, failed, log);
    let explained = 0;
    for (const [reason, count] of Object.entries(log.malformed)) {
      const record = firsts.get(reason) ?? failed[0];
      if (count <= 0 || record === undefined) continue;
      explained += count;
      reasons.add(reason, count, {
        first: this.originOf(record),
        excerpt: this.textOf(record),
        format: channel.format,
      });
    }
    const rest = failed.length - explained;
    if (rest > 0) {
      const overflowed = Number(log.counters?.overflowed ?? 0) > 0;
      reasons.add(overflowed ? 'overflow' : 'unexplained', rest, {
        first: this.originOf(failed[0]!),
        excerpt: this.textOf(failed[0]!),
        format: channel.format,
      });
    }
    for (const failure of failures) {
      const reason = REASON_BY_CODE[failure.errorCode];
      if (reason === undefined) continue;
      reasons.add(reason, 1, {
        first: this.originOf(failure.record),
        excerpt:
          reason === 'function_error'
            ? failure.errorMessage
            : this.textOf(failure.record),
        format: channel.format,
      });
    }
  }

  /** The first failed record of each reason the batch's counters name. */
  private firstOfEachReason(
    channel: Channel,
    records: readonly PendingRecord[],
    failed: readonly PendingRecord[],
    log: InvocationLog
  ): Map<string, PendingRecord> {
    const firsts = new Map<string, PendingRecord>();
    const byId = new Map(records.map((record) => [record.recordId, record]));
    for (const sample of log.samples) {
      const record = byId.get(sample.recordId);
      if (record !== undefined && !firsts.has(sample.reason)) {
        firsts.set(sample.reason, record);
      }
    }
    const missing = new Set(
      Object.keys(log.malformed).filter((reason) => !firsts.has(reason))
    );
    for (const record of failed) {
      if (missing.size === 0) break;
      const found = this.classifier.classify(channel.format, record.data);
      if (found !== undefined && missing.delete(found.reason)) {
        firsts.set(found.reason, record);
      }
    }
    return firsts;
  }

  /** A header in the middle of an input: the format switches from here. */
  private async switchFormat(
    path: string,
    line: NumberedLine
  ): Promise<Channel> {
    const format = headerFormat(path, line);
    try {
      return await this.channelFor(format);
    } catch (error) {
      throw new ReplayError(
        'REPLAY_SETTINGS',
        `${displayName(path)}:${line.number}: the header line switches the format, and ${(error as Error).message}`
      );
    }
  }

  private async replayLines(source: number): Promise<void> {
    const stats = this.target.stats;
    const { file, format } = this.sources[source]!;
    const lines = await openLines(file.path, (bytes) => {
      this.bytesRead += bytes;
    });
    let channel =
      format === undefined ? undefined : await this.channelFor(format);
    let clock: ArrivalClock | undefined;
    for await (const line of lines) {
      if (looksLikeHeader(line.text)) {
        stats.headers++;
        channel = await this.switchFormat(file.path, line);
        clock = new ArrivalClock(
          channel.format,
          clock?.latest ?? this.startedAt
        );
        continue;
      }
      channel ??= await this.switchFormatTo(this.fallback, file.path, line);
      clock ??= new ArrivalClock(channel.format, this.startedAt);
      stats.lines++;
      channel.read.lines++;
      stats.bytesIn += Buffer.byteLength(line.text, 'utf8') + 1;
      channel.tracker.observe(line.text);
      const { data, size } = wrapLine(line.text);
      const recordId = recordIdOf(++this.sequence);
      const arrival = clock.arrivalOf(line.text);
      await channel.batcher.add({
        recordId,
        data,
        size,
        arrival,
        source,
        position: line.number,
      });
      this.showProgress(file.path);
    }
  }

  /** The fallback format's channel for stdin, which is not checked ahead. */
  private async switchFormatTo(
    format: FlowLogFormat,
    path: string,
    line: NumberedLine
  ): Promise<Channel> {
    try {
      return await this.channelFor(format);
    } catch (error) {
      throw new ReplayError(
        'REPLAY_SETTINGS',
        `${displayName(path)}:${line.number}: ${(error as Error).message}`
      );
    }
  }

  private async replayEvent(source: number): Promise<void> {
    const { file } = this.sources[source]!;
    const input = await readEvent(file.path);
    const channel = await this.channelFor(this.fallback);
    let last = this.startedAt;
    for (const [position, record] of input.records.entries()) {
      channel.read.lines++;
      const size = base64Size(record.data);
      this.target.stats.bytesIn += size;
      last = record.arrival ?? last;
      const recordId = recordIdOf(++this.sequence);
      await channel.batcher.add({
        recordId,
        data: record.data,
        size,
        arrival: last,
        source,
        position,
      });
    }
  }

  /** Erases the progress bar; returns notes on hidden repeated logs. */
  finish(): string[] {
    this.progress.clear();
    return this.tap.hiddenRepeats();
  }

  private showProgress(path: string): void {
    this.progress.update({
      bytesRead: this.bytesRead,
      totalBytes: this.totalBytes,
      lines: this.target.stats.lines,
      path,
    });
  }
}

export { Replay };
