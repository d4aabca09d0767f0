/**
 * The replay loop: inputs read in order, each line wrapped as a record and
 * buffered per flow-log format, each full buffer sent to that format's
 * handler instance, each response delivered to the output folder.
 */
import { randomUUID } from 'node:crypto';
import { VPC_DEFAULT_FORMAT } from '../../shared/flowlog/fields.ts';
import type { FlowLogFormat } from '../../shared/flowlog/format.ts';
import { parseFormat } from '../../shared/flowlog/format.ts';
import type { ReplayOptions } from './args.ts';
import { Batcher } from './batcher.ts';
import type { DeliveryTarget } from './delivery.ts';
import { deliverBatch } from './delivery.ts';
import type { Handler } from './handler.ts';
import { lambdaContext, loadHandler } from './handler.ts';
import type { InputFile } from './input.ts';
import { isEventFile, openLines, readEvent } from './input.ts';
import type { Progress } from './progress.ts';
import type { PendingRecord } from './records.ts';
import { ArrivalClock, base64Size, recordIdOf, wrapLine } from './records.ts';
import { RejectTracker } from './summary.ts';

/** One flow-log format's buffer, handler instance and reject tracker. */
interface Channel {
  readonly batcher: Batcher;
  readonly tracker: RejectTracker;
}

/** Replays inputs into one output folder. Not re-entrant. */
class Replay {
  private readonly options: ReplayOptions;
  private readonly target: DeliveryTarget;
  private readonly progress: Progress;
  private readonly fallback: FlowLogFormat;
  private readonly channels = new Map<string, Channel>();
  private readonly startedAt = Date.now();
  private sequence = 0;
  private bytesRead = 0;
  private totalBytes: number | undefined = 0;

  constructor(
    options: ReplayOptions,
    target: DeliveryTarget,
    progress: Progress
  ) {
    this.options = options;
    this.target = target;
    this.progress = progress;
    this.fallback = parseFormat(
      options.format ?? VPC_DEFAULT_FORMAT,
      '--format'
    );
  }

  /** Replays every input in order, then sends what is still buffered. */
  async run(files: readonly InputFile[]): Promise<void> {
    for (const file of files) {
      this.totalBytes =
        file.size === undefined || this.totalBytes === undefined
          ? undefined
          : this.totalBytes + file.size;
    }
    try {
      for (const file of files) {
        this.target.stats.inputs++;
        if (isEventFile(file.path)) await this.replayEvent(file.path);
        else await this.replayLines(file.path);
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
    const handler = await loadHandler(format, this.channels.size + 1);
    const batcher = new Batcher(
      {
        maxBytes: this.options.bufferBytes,
        intervalMs: this.options.bufferIntervalMs,
      },
      (records, closedAt) => this.invoke(handler, records, closedAt)
    );
    const channel = {
      batcher,
      tracker: new RejectTracker(format, this.target.stats.rejects),
    };
    this.channels.set(format.text, channel);
    return channel;
  }

  private async invoke(
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
    try {
      outcome = await handler(event, lambdaContext());
    } catch (error) {
      outcome = error instanceof Error ? error : new Error(String(error));
    }
    await deliverBatch(records, outcome, closedAt, this.target);
  }

  private async replayLines(path: string): Promise<void> {
    const stats = this.target.stats;
    const input = await openLines(path, this.fallback, (bytes) => {
      this.bytesRead += bytes;
    });
    const channel = await this.channelFor(input.format);
    const clock = new ArrivalClock(input.format, this.startedAt);
    for await (const line of input.lines) {
      stats.lines++;
      stats.bytesIn += Buffer.byteLength(line, 'utf8') + 1;
      channel.tracker.observe(line);
      const { data, size } = wrapLine(line);
      const recordId = recordIdOf(++this.sequence);
      const arrival = clock.arrivalOf(line);
      await channel.batcher.add({ recordId, data, size, arrival });
      this.showProgress(path);
    }
  }

  private async replayEvent(path: string): Promise<void> {
    const input = await readEvent(path);
    const channel = await this.channelFor(this.fallback);
    let last = this.startedAt;
    for (const record of input.records) {
      const size = base64Size(record.data);
      this.target.stats.bytesIn += size;
      last = record.arrival ?? last;
      const recordId = recordIdOf(++this.sequence);
      await channel.batcher.add({
        recordId,
        data: record.data,
        size,
        arrival: last,
      });
    }
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
