/**
 * Flow-log lines as Firehose records: the `{"message":"<line>"}` wrapper
 * direct delivery writes, and the arrival time the replay assigns each one.
 */
import type { FlowLogFormat } from '../../shared/flowlog/format.ts';
import { fieldIndex } from '../../shared/flowlog/format.ts';

/** A record waiting in the processor buffer. */
interface PendingRecord {
  readonly recordId: string;
  /** base64 of the record bytes, as in the event. */
  readonly data: string;
  /** Decoded size in bytes: what the buffer size counts. */
  readonly size: number;
  /** approximateArrivalTimestamp, epoch milliseconds. */
  readonly arrival: number;
  /** Index of the input the record came from (Replay's sources). */
  readonly source: number;
  /** 1-based line number in a text input; 0-based index in an event. */
  readonly position: number;
}

/**
 * The whitespace-separated token at `index`, or undefined. Scans instead of
 * splitting: the replay reads one or two fields of every line.
 *
 * @example fieldAt('2 123 eni-1', 1) // '123'
 */
function fieldAt(line: string, index: number): string | undefined {
  let i = 0;
  let field = 0;
  const n = line.length;
  for (;;) {
    while (i < n && (line[i] === ' ' || line[i] === '\t')) i++;
    if (i === n) return undefined;
    const start = i;
    while (i < n && line[i] !== ' ' && line[i] !== '\t') i++;
    if (field === index) return line.slice(start, i);
    field++;
  }
}

/**
 * Assigns arrival times: a line's `end` (else `start`) in milliseconds, the
 * moment direct delivery can send it; lines without either inherit the
 * previous line's time, the first ones the replay's start time.
 */
class ArrivalClock {
  private readonly endIndex: number;
  private readonly startIndex: number;
  private last: number;

  /** @param last - the time lines without `end` or `start` get at first */
  constructor(format: FlowLogFormat, last: number) {
    this.endIndex = fieldIndex(format, 'end');
    this.startIndex = fieldIndex(format, 'start');
    this.last = last;
  }

  /** The time the last line got, epoch milliseconds. */
  get latest(): number {
    return this.last;
  }

  /** The arrival time of `line`, epoch milliseconds. O(line length). */
  arrivalOf(line: string): number {
    const seconds =
      this.secondsAt(line, this.endIndex) ??
      this.secondsAt(line, this.startIndex);
    if (seconds !== undefined) this.last = seconds * 1000;
    return this.last;
  }

  private secondsAt(line: string, index: number): number | undefined {
    if (index < 0) return undefined;
    const text = fieldAt(line, index);
    return text !== undefined && /^\d{1,12}$/.test(text)
      ? Number(text)
      : undefined;
  }
}

/**
 * Wraps one line as direct delivery does: `{"message":"<line>"}`, no newline.
 *
 * @example wrapLine('2 123').size // 21
 */
function wrapLine(line: string): { data: string; size: number } {
  const bytes = Buffer.from(JSON.stringify({ message: line }), 'utf8');
  return { data: bytes.toString('base64'), size: bytes.length };
}

/** Decoded size of base64 text, without decoding it. */
function base64Size(data: string): number {
  let padding = 0;
  if (data.endsWith('==')) padding = 2;
  else if (data.endsWith('=')) padding = 1;
  return Math.max(0, Math.floor((data.length * 3) / 4) - padding);
}

/**
 * Firehose-looking record ids: a fixed 40-digit stem and a 16-digit counter,
 * unique within one replay.
 */
function recordIdOf(sequence: number): string {
  return `4954698668313554428650745793632162567570${String(sequence).padStart(16, '0')}`;
}

export type { PendingRecord };
export { ArrivalClock, base64Size, fieldAt, recordIdOf, wrapLine };
