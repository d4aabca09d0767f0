/**
 * AWS's published IP ranges (ip-ranges.json) as a lookup table: prefixes are
 * flattened at load time into disjoint, sorted intervals, so a lookup is one
 * binary search. Loading is pure; fetching the file is an adapter's job
 * (shared/aws/ip-ranges-source.ts).
 */

import type { Cidr } from '../net/ip.ts';
import sample from './data/ip-ranges.sample.json' with { type: 'json' };
import { EnrichError } from './errors.ts';
import { tryParseCidr } from './ip.ts';

/** What a lookup answers for an address inside a published prefix. */
interface IpRangeMatch {
  /** The ip-ranges.json service subset: `EC2`, `S3`, `AMAZON`, … */
  readonly service: string;
  readonly region: string;
  readonly networkBorderGroup: string | undefined;
  /** The winning prefix as published. */
  readonly prefix: string;
}

/** One published prefix with its rank; higher ranks win overlaps. */
interface RankedPrefix {
  readonly cidr: Cidr;
  readonly match: IpRangeMatch;
  readonly rank: number;
}

/** Disjoint intervals sorted by start, each with its winning match. */
interface IntervalTable<T> {
  readonly starts: T[];
  readonly ends: T[];
  readonly matches: IpRangeMatch[];
}

/** The service name every other subset is also listed under. */
const BROAD_SERVICE = 'AMAZON';

/**
 * Rank: a named service beats AMAZON whatever the lengths; within each, the
 * longer prefix wins. The file lists AMAZON for nearly every address, so the
 * named service is the informative answer.
 */
function rankOf(service: string, prefix: number): number {
  return (service === BROAD_SERVICE ? 0 : 256) + prefix;
}

/** First and last address of a block, as bigints. */
function boundsOf(cidr: Cidr): readonly [bigint, bigint] {
  let start = 0n;
  for (const byte of cidr.bytes) start = (start << 8n) | BigInt(byte);
  const hostBits = BigInt(cidr.bytes.length * 8 - cidr.prefix);
  return [start, start + (1n << hostBits) - 1n];
}

/**
 * Boundary points of all prefixes, sorted and unique. A sorted array rather
 * than a Set or Map of bigints: V8 hashes IPv6 boundaries (whose low 64 bits
 * are all zero) into the same buckets, which made 2,000 IPv6 prefixes take
 * 2 s to index; sorting takes milliseconds.
 */
function boundariesOf(prefixes: readonly RankedPrefix[]): bigint[] {
  const points: bigint[] = [];
  for (const p of prefixes) {
    const [start, end] = boundsOf(p.cidr);
    points.push(start, end + 1n);
  }
  points.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let unique = 0;
  for (let i = 0; i < points.length; i++) {
    if (i === 0 || points[i] !== points[unique - 1]) {
      points[unique++] = points[i]!;
    }
  }
  points.length = unique;
  return points;
}

/**
 * Paints prefixes onto elementary intervals, lowest rank first so higher
 * ranks overwrite; among equal ranks the one listed first wins. Cost is the
 * sum of intervals each prefix covers, paid once per cold start.
 */
function flatten(prefixes: readonly RankedPrefix[]): IntervalTable<bigint> {
  const points = boundariesOf(prefixes);
  const winners = new Array<RankedPrefix | undefined>(points.length);
  const order = prefixes
    .map((p, i) => ({ p, i }))
    .sort((a, b) => a.p.rank - b.p.rank || b.i - a.i);
  for (const { p } of order) {
    const [start, end] = boundsOf(p.cidr);
    const last = floorIndex(points, end + 1n);
    for (let k = floorIndex(points, start); k < last; k++) winners[k] = p;
  }
  const table: IntervalTable<bigint> = { starts: [], ends: [], matches: [] };
  for (let k = 0; k < points.length - 1; k++) {
    const winner = winners[k];
    if (winner === undefined) continue;
    const end = points[k + 1]! - 1n;
    const at = table.matches.length - 1;
    if (
      at >= 0 &&
      table.matches[at] === winner.match &&
      table.ends[at]! + 1n === points[k]
    ) {
      table.ends[at] = end;
    } else {
      table.starts.push(points[k]!);
      table.ends.push(end);
      table.matches.push(winner.match);
    }
  }
  return table;
}

/** Index of the last start <= value, or -1. */
function floorIndex<T extends number | bigint>(
  starts: ArrayLike<T>,
  value: T
): number {
  let low = 0;
  let high = starts.length - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    if (starts[mid]! <= value) {
      found = mid;
      low = mid + 1;
    } else {
      high = mid - 1;
    }
  }
  return found;
}

/** The indexed prefixes of one document. */
interface IndexedRanges {
  readonly createDate: string;
  readonly syncToken: string;
  readonly source: string;
  readonly prefixCount: number;
  readonly v4Starts: Uint32Array;
  readonly v4Ends: Uint32Array;
  readonly v4Matches: readonly IpRangeMatch[];
  /** IPv6 interval bounds as four big-endian 32-bit words each. */
  readonly v6Starts: Uint32Array;
  readonly v6Ends: Uint32Array;
  readonly v6Matches: readonly IpRangeMatch[];
}

/** 128-bit values as four big-endian 32-bit words each. */
function toWords(values: readonly bigint[]): Uint32Array {
  const words = new Uint32Array(values.length * 4);
  values.forEach((value, i) => {
    for (let w = 0; w < 4; w++) {
      words[i * 4 + w] = Number((value >> BigInt(96 - 32 * w)) & 0xffffffffn);
    }
  });
  return words;
}

/** Compares entry `i` of `words` with the 128-bit value `a b c d`. */
function compareWords(
  words: Uint32Array,
  i: number,
  a: number,
  b: number,
  c: number,
  d: number
): number {
  const at = i * 4;
  return (
    words[at]! - a ||
    words[at + 1]! - b ||
    words[at + 2]! - c ||
    words[at + 3]! - d
  );
}

/** Index of the last 128-bit start <= `a b c d`, or -1. No allocation. */
function floorIndex6(
  starts: Uint32Array,
  a: number,
  b: number,
  c: number,
  d: number
): number {
  let low = 0;
  let high = starts.length / 4 - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    if (compareWords(starts, mid, a, b, c, d) <= 0) {
      found = mid;
      low = mid + 1;
    } else {
      high = mid - 1;
    }
  }
  return found;
}

/** Big-endian 32-bit word at `bytes[at]`. */
function word(bytes: Uint8Array, at: number): number {
  return (
    ((bytes[at]! << 24) |
      (bytes[at + 1]! << 16) |
      (bytes[at + 2]! << 8) |
      bytes[at + 3]!) >>>
    0
  );
}

function indexRanges(
  meta: { createDate: string; syncToken: string; source: string },
  prefixes: readonly RankedPrefix[]
): IndexedRanges {
  const v4 = flatten(prefixes.filter((p) => p.cidr.version === 4));
  const v6 = flatten(prefixes.filter((p) => p.cidr.version === 6));
  return {
    ...meta,
    prefixCount: prefixes.length,
    v4Starts: Uint32Array.from(v4.starts, Number),
    v4Ends: Uint32Array.from(v4.ends, Number),
    v4Matches: v4.matches,
    v6Starts: toWords(v6.starts),
    v6Ends: toWords(v6.ends),
    v6Matches: v6.matches,
  };
}

/**
 * A loaded ip-ranges.json. Lookups are O(log intervals) binary searches
 * over typed arrays (IPv6 as four 32-bit words), with no allocation. A warm container swaps in a
 * newer document with {@link IpRangeTable.replaceWith}; the enricher keeps
 * its reference.
 *
 * @example parseIpRanges(json).lookup4(0x34_5f_80_b3)?.service // 'S3'
 */
class IpRangeTable {
  private ranges: IndexedRanges;

  constructor(
    meta: { createDate: string; syncToken: string; source: string },
    prefixes: readonly RankedPrefix[]
  ) {
    this.ranges = indexRanges(meta, prefixes);
  }

  /**
   * A table with no prefixes (every lookup misses), for a function whose
   * ip-ranges could not be loaded yet; `loaded` is false.
   */
  static empty(source: string): IpRangeTable {
    return new IpRangeTable({ createDate: '', syncToken: '', source }, []);
  }

  /** The file's `createDate` (`YYYY-MM-DD-hh-mm-ss`): the snapshot's age. */
  get createDate(): string {
    return this.ranges.createDate;
  }

  get syncToken(): string {
    return this.ranges.syncToken;
  }

  /** Where the table was loaded from, for logs. */
  get source(): string {
    return this.ranges.source;
  }

  /** Published prefixes read (IPv4 + IPv6). */
  get prefixCount(): number {
    return this.ranges.prefixCount;
  }

  /** False for {@link IpRangeTable.empty}: no document loaded yet. */
  get loaded(): boolean {
    return this.ranges.syncToken !== '';
  }

  /** Takes the prefixes and metadata of `next` (a newer document). */
  replaceWith(next: IpRangeTable): void {
    this.ranges = next.ranges;
  }

  /** The match for an IPv4 address given as an unsigned 32-bit number. */
  lookup4(value: number): IpRangeMatch | undefined {
    const { v4Starts, v4Ends, v4Matches } = this.ranges;
    const i = floorIndex(v4Starts, value);
    return i >= 0 && value <= v4Ends[i]! ? v4Matches[i] : undefined;
  }

  /** The match for an IPv6 address given as 16 bytes. */
  lookup6(bytes: Uint8Array): IpRangeMatch | undefined {
    const { v6Starts, v6Ends, v6Matches } = this.ranges;
    if (v6Starts.length === 0) return undefined;
    const a = word(bytes, 0);
    const b = word(bytes, 4);
    const c = word(bytes, 8);
    const d = word(bytes, 12);
    const i = floorIndex6(v6Starts, a, b, c, d);
    return i >= 0 && compareWords(v6Ends, i, a, b, c, d) >= 0
      ? v6Matches[i]
      : undefined;
  }
}

/** Throws a load error naming the source and the offending place. */
function badRanges(source: string, detail: string): never {
  throw new EnrichError('ENRICH_BAD_IP_RANGES', `${source}: ${detail}`);
}

function stringAt(value: unknown, source: string, path: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    badRanges(
      source,
      `${path} must be a non-empty string, got ${JSON.stringify(value)}`
    );
  }
  return value;
}

/** Reads one list (`prefixes` or `ipv6_prefixes`) into ranked prefixes. */
function readList(
  list: unknown,
  listName: string,
  prefixKey: string,
  version: 4 | 6,
  source: string
): RankedPrefix[] {
  if (!Array.isArray(list)) badRanges(source, `${listName} must be an array`);
  return list.map((item: unknown, i) => {
    const at = `${listName}[${i}]`;
    const entry = (item ?? {}) as Record<string, unknown>;
    const text = stringAt(entry[prefixKey], source, `${at}.${prefixKey}`);
    const cidr = tryParseCidr(text);
    if (typeof cidr === 'string' || cidr.version !== version) {
      badRanges(
        source,
        `${at}.${prefixKey} '${text}' is not an IPv${version} CIDR block`
      );
    }
    const service = stringAt(entry.service, source, `${at}.service`);
    const border = entry.network_border_group;
    const match: IpRangeMatch = Object.freeze({
      service,
      region: stringAt(entry.region, source, `${at}.region`),
      networkBorderGroup: typeof border === 'string' ? border : undefined,
      prefix: text,
    });
    return { cidr, match, rank: rankOf(service, cidr.prefix) };
  });
}

/**
 * Validates and indexes an ip-ranges.json document: `syncToken`,
 * `createDate`, `prefixes[{ip_prefix, region, service,
 * network_border_group}]`, `ipv6_prefixes[{ipv6_prefix, …}]`.
 *
 * @param source - where the JSON came from (an S3 URI, a file), named in errors
 * @throws EnrichError ENRICH_BAD_IP_RANGES naming the source and the bad entry
 * @example parseIpRanges(JSON.parse(text), 's3://bucket/ip-ranges.json')
 */
function parseIpRanges(json: unknown, source = 'ip-ranges.json'): IpRangeTable {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    badRanges(
      source,
      'expected a JSON object with syncToken, createDate, prefixes and ipv6_prefixes'
    );
  }
  const doc = json as Record<string, unknown>;
  const createDate = stringAt(doc.createDate, source, 'createDate');
  const syncToken = stringAt(doc.syncToken, source, 'syncToken');
  const prefixes = [
    ...readList(doc.prefixes, 'prefixes', 'ip_prefix', 4, source),
    ...readList(
      doc.ipv6_prefixes ?? [],
      'ipv6_prefixes',
      'ipv6_prefix',
      6,
      source
    ),
  ];
  return new IpRangeTable({ createDate, syncToken, source }, prefixes);
}

/** Where the bundled sample comes from, as named in logs and errors. */
const BUNDLED_SOURCE = 'bundled shared/enrich/data/ip-ranges.sample.json';

/**
 * The bundled sample: a few real prefixes in ip-ranges.json's shape, for
 * unit tests only. The function never loads it: it fetches
 * https://ip-ranges.amazonaws.com/ip-ranges.json (or IP_RANGES_URL, or
 * IP_RANGES_S3_URI) itself; see shared/aws/ip-ranges-source.ts.
 *
 * @example loadBundledIpRanges().createDate // '2021-01-27-21-34-18'
 */
function loadBundledIpRanges(): IpRangeTable {
  return parseIpRanges(sample, BUNDLED_SOURCE);
}

export type { IpRangeMatch };
export { IpRangeTable, loadBundledIpRanges, parseIpRanges };
