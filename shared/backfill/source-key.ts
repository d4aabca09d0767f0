/**
 * The S3 keys flow logs delivered to S3 write, and the output keys a backfill
 * derives from them. Pure.
 *
 * AWS's layout (https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3-path.html):
 * `AWSLogs/<account>/vpcflowlogs/<region>/YYYY/MM/DD/<account>_vpcflowlogs_<region>_<flow-log-id>_<YYYYMMDDTHHmmZ>_<hash>.log.gz`
 * (with the optional Hive-compatible `aws-account-id=…/aws-service=…/` form
 * and per-hour partitions, which the file name pattern covers too).
 */
import { createHash } from 'node:crypto';

/** What a flow-log object's key says about it. */
interface SourceObject {
  readonly key: string;
  readonly account: string;
  readonly region: string;
  readonly flowLogId: string;
  /** The file's delivery time from its name, epoch ms (minute precision). */
  readonly time: number;
}

/** An inclusive-exclusive time range, epoch ms; either end may be open. */
interface TimeRange {
  readonly from?: number | undefined;
  readonly to?: number | undefined;
}

/** `<account>_vpcflowlogs_<region>_<flow-log-id>_<YYYYMMDDTHHmmZ>_<hash>.log[.gz]` */
const FILE_NAME =
  /(?:^|\/)(\d{12})_vpcflowlogs_([a-z0-9-]+)_(fl-[0-9a-f]+)_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z_[0-9a-f]+\.log(?:\.gz)?$/;

/** Hex digits of the source key's SHA-256 kept in output names. */
const KEY_HASH_CHARS = 16;

/**
 * Reads a flow-log object's key.
 *
 * @returns the parts, or undefined when the name is not AWS's flow-log name
 * @example parseSourceKey('AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/24/123456789012_vpcflowlogs_us-east-1_fl-0a1b_20261124T0005Z_9c0d.log.gz')?.region // 'us-east-1'
 */
function parseSourceKey(key: string): SourceObject | undefined {
  const m = FILE_NAME.exec(key);
  if (m === null) return undefined;
  const [, account, region, flowLogId, y, mo, d, h, mi] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const time = Date.UTC(+y, +mo - 1, +d, +h, +mi);
  if (Number.isNaN(time)) return undefined;
  return { key, account, region, flowLogId, time };
}

/** True when `time` lies in `[range.from, range.to)`. */
function inRange(time: number, range: TimeRange): boolean {
  return (
    (range.from === undefined || time >= range.from) &&
    (range.to === undefined || time < range.to)
  );
}

/**
 * The name of one output object of a source object: the same source key and
 * part always give the same name, so a retried or re-run backfill overwrites
 * its own objects and never duplicates them.
 *
 * @param prefix - the evaluated destination prefix, ending in `/`
 * @param part - 0-based part number within the prefix
 * @example outputKey('flow-logs/year=2026/', 'AWSLogs/…log.gz', 0, '.gz') // 'flow-logs/year=2026/backfill-3f2a…-0000.gz'
 */
function outputKey(
  prefix: string,
  sourceKey: string,
  part: number,
  extension: string
): string {
  const hash = createHash('sha256')
    .update(sourceKey)
    .digest('hex')
    .slice(0, KEY_HASH_CHARS);
  return `${prefix}backfill-${hash}-${String(part).padStart(4, '0')}${extension}`;
}

export type { SourceObject, TimeRange };
export { inRange, outputKey, parseSourceKey };
