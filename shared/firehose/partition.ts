/**
 * Dynamic partitioning (PARTITION_KEYS): the partition key of each flow-log
 * line, returned to Firehose as `metadata.partitionKeys` for
 * `!{partitionKeyFromLambda:…}` prefixes. Values come from the line's fields
 * or, for year/month/day/hour, from its `start` time in UTC. Pure: built
 * once at cold start, then one `keyOf` call per kept line.
 */
import type { FlowLogFormat } from '../flowlog/format.ts';
import { fieldIndex } from '../flowlog/format.ts';
import type { FlowLogLine } from '../flowlog/line.ts';
import type { LinePartitioner, PartitionKey } from './record-transformer.ts';

/** The time keys, taken from the line's `start` (UTC, zero-padded). */
const TIME_KEYS = ['year', 'month', 'day', 'hour'] as const;

/** Value of a key whose field is `-`, absent from the line or not a time. */
const MISSING_PARTITION_VALUE = 'unknown';

/**
 * Longest partition value, in characters. Firehose caps each evaluated S3
 * prefix at 512 characters; flow-log values are far shorter (a vpc-id is 21).
 */
const MAX_PARTITION_VALUE_CHARS = 128;

/** Seconds in an hour: the granularity of the time keys. */
const HOUR_SECONDS = 3600;

/** Latest `start` a Date can hold (8.64e15 ms), in seconds. */
const MAX_DATE_SECONDS = 8.64e12;

type TimeKey = (typeof TIME_KEYS)[number];

/** Where one partition key's value comes from. */
type KeySource =
  | { readonly kind: 'field'; readonly index: number }
  | { readonly kind: 'time'; readonly part: number };

/** A refused PARTITION_KEYS value; `code` and `setting` as ConfigError's. */
class PartitionKeyError extends Error {
  readonly code = 'CONFIG_INVALID';
  readonly setting = 'PARTITION_KEYS';

  constructor(message: string) {
    super(`PARTITION_KEYS: ${message}`);
    this.name = 'PartitionKeyError';
  }
}

/** True for the bytes S3 prefixes keep as they are: `[A-Za-z0-9._-]`. */
function isSafeChar(code: number): boolean {
  return (
    (code >= 0x61 && code <= 0x7a) || // a-z
    (code >= 0x41 && code <= 0x5a) || // A-Z
    (code >= 0x30 && code <= 0x39) || // 0-9
    code === 0x2e || // .
    code === 0x5f || // _
    code === 0x2d // -
  );
}

/**
 * A value made safe for an S3 prefix: characters outside `[A-Za-z0-9._-]`
 * become `_`, the result is capped at 128 characters, and an empty value
 * becomes the placeholder. O(length); allocates only for unsafe values.
 *
 * @example safePartitionValue('arn:aws:ecs') // 'arn_aws_ecs'
 */
function safePartitionValue(value: string | undefined): string {
  if (value === undefined || value.length === 0) return MISSING_PARTITION_VALUE;
  const capped = value.slice(0, MAX_PARTITION_VALUE_CHARS);
  for (let i = 0; i < capped.length; i++) {
    if (!isSafeChar(capped.charCodeAt(i))) {
      let safe = '';
      for (const char of capped) {
        safe += isSafeChar(char.charCodeAt(0)) ? char : '_';
      }
      return safe.slice(0, MAX_PARTITION_VALUE_CHARS);
    }
  }
  return capped;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** year, month, day, hour of an hour bucket, zero-padded, in UTC. */
function timeParts(hourBucket: number): readonly string[] {
  const date = new Date(hourBucket * HOUR_SECONDS * 1000);
  return [
    pad(date.getUTCFullYear(), 4),
    pad(date.getUTCMonth() + 1, 2),
    pad(date.getUTCDate(), 2),
    pad(date.getUTCHours(), 2),
  ];
}

function sameValues(a: readonly string[], b: readonly string[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The allowed keys of a format, for error messages. */
function allowedKeys(format: FlowLogFormat): string {
  const fields = format.fields.map((field) => field.key);
  const time = fieldIndex(format, 'start') >= 0 ? TIME_KEYS : [];
  return [...fields, ...time].join(', ');
}

function sourceOf(key: string, format: FlowLogFormat): KeySource {
  const index = fieldIndex(format, key);
  if (index >= 0) return { kind: 'field', index };
  const part = TIME_KEYS.indexOf(key as TimeKey);
  if (part >= 0 && fieldIndex(format, 'start') >= 0) {
    return { kind: 'time', part };
  }
  const why =
    part >= 0
      ? `time key '${key}' needs \${start} in FLOW_LOG_FORMAT`
      : `'${key}' is not a field of FLOW_LOG_FORMAT nor a time key`;
  throw new PartitionKeyError(`${why}; allowed: ${allowedKeys(format)}`);
}

/**
 * Computes partition keys for the lines of one format. A line's key is a
 * {@link PartitionKey} value: its safe values and their metadata map, built
 * once per run of lines that share them.
 */
class Partitioner implements LinePartitioner {
  /** The key names, in PARTITION_KEYS order: the metadata map's keys. */
  readonly keys: readonly string[];
  private readonly sources: readonly KeySource[];
  private readonly startIndex: number;
  private lastBucket = Number.NaN;
  private lastParts: readonly string[] = [];
  /** The values of the line at hand, before they are compared with `last`. */
  private readonly scratch: string[];
  /** The key of the last line: returned again while lines share it. */
  private last: PartitionKey | undefined;

  constructor(keys: readonly string[], format: FlowLogFormat) {
    this.keys = Object.freeze([...keys]);
    this.sources = keys.map((key) => sourceOf(key, format));
    this.startIndex = fieldIndex(format, 'start');
    this.scratch = keys.map(() => MISSING_PARTITION_VALUE);
  }

  /**
   * The partition key of a parsed line. O(keys); the time parts are cached
   * per hour, so consecutive lines of one hour cost no Date, and the last
   * key is returned again (the same object) while lines share its values.
   *
   * @example partitioner.keyOf(line).values // ['123456789012', '2021', '03', '26', '03']
   */
  keyOf(line: FlowLogLine): PartitionKey {
    const values = this.scratch;
    for (let i = 0; i < this.sources.length; i++) {
      const source = this.sources[i]!;
      values[i] =
        source.kind === 'field'
          ? safePartitionValue(line.text(source.index))
          : this.timePart(line, source.part);
    }
    const last = this.last;
    if (last !== undefined && sameValues(last.values, values)) return last;
    const key = this.keyOfValues(values);
    this.last = key;
    return key;
  }

  /**
   * The `metadata.partitionKeys` map of a key from {@link keyOf}.
   *
   * @example partitioner.partitionKeys(key) // { account_id: '123456789012', year: '2021' }
   */
  partitionKeys(key: PartitionKey): Readonly<Record<string, string>> {
    return key.partitionKeys;
  }

  private keyOfValues(values: readonly string[]): PartitionKey {
    const map: Record<string, string> = {};
    this.keys.forEach((name, i) => {
      map[name] = values[i]!;
    });
    return Object.freeze({
      values: Object.freeze([...values]),
      partitionKeys: Object.freeze(map),
    });
  }

  private timePart(line: FlowLogLine, part: number): string {
    const start = line.integer(this.startIndex);
    if (start === undefined || start > MAX_DATE_SECONDS) {
      return MISSING_PARTITION_VALUE;
    }
    const bucket = Math.floor(start / HOUR_SECONDS);
    if (bucket !== this.lastBucket) {
      this.lastParts = timeParts(bucket);
      this.lastBucket = bucket;
    }
    return this.lastParts[part]!;
  }
}

/**
 * Validates PARTITION_KEYS against the format and builds the partitioner;
 * undefined when no key is configured (no per-line work at all).
 *
 * @param keys - key names: fields of the format by LogFormat name or output
 *   key, or year, month, day, hour (which need `${start}`)
 * @throws PartitionKeyError naming PARTITION_KEYS, the key and what is allowed
 * @example createPartitioner(['account_id', 'year'], format)
 */
function createPartitioner(
  keys: readonly string[],
  format: FlowLogFormat
): Partitioner | undefined {
  if (keys.length === 0) return undefined;
  const seen = new Set<string>();
  for (const key of keys) {
    if (seen.has(key)) {
      throw new PartitionKeyError(`'${key}' is listed twice; list each once`);
    }
    seen.add(key);
  }
  return new Partitioner(keys, format);
}

export {
  createPartitioner,
  MAX_PARTITION_VALUE_CHARS,
  MISSING_PARTITION_VALUE,
  Partitioner,
  PartitionKeyError,
  safePartitionValue,
  TIME_KEYS,
};
