/**
 * ENRICH=community_id: the Community ID v1 flow hash
 * (https://github.com/corelight/community-id-spec), as Zeek, Suricata and
 * Elastic compute it: "1:" + base64(SHA-1(seed . saddr . daddr . proto . 0 .
 * sport . dport)) with the endpoints ordered so the smaller address:port
 * comes first. ICMP and ICMPv6 flows hash the spec's port equivalents of
 * their type and code, ordered only when the type has a counterpart.
 */
import * as crypto from 'node:crypto';
import { type FlowLogFormat, fieldIndex } from '../flowlog/format.ts';
import type { FlowLogLine } from '../flowlog/line.ts';
import { type IpVersion, parseIp } from '../net/ip.ts';
import type { ByteWriter } from '../output/byte-writer.ts';
import { ENRICHMENT_ROLE, type LineEnrichment } from '../output/enrichment.ts';
import { keyBytes } from '../output/nested-writer.ts';
import { ParsedAddresses } from './address.ts';
import { EnrichError } from './errors.ts';
import { writeSha1Base64 } from './sha1.ts';
import type { Enricher } from './types.ts';

/** Protocols whose hash input carries ports: ICMP, TCP, UDP, ICMPv6, SCTP. */
const PORT_PROTOCOLS = new Set([1, 6, 17, 58, 132]);

/** IANA protocol numbers of ICMP and ICMPv6. */
const PROTO_ICMP = 1;
const PROTO_ICMPV6 = 58;

/**
 * ICMP types with a counterpart: echo 8/0, router 10/9, timestamp 13/14,
 * information 15/16, address mask 17/18. The spec takes the table from
 * Zeek's `ICMP4_counterpart`; pycommunityid `communityid/icmp.py` has it.
 */
// biome-ignore format: request/reply pairs
const ICMP4_COUNTERPART: ReadonlyMap<number, number> = new Map([
  [8, 0], [0, 8], [10, 9], [9, 10], [13, 14], [14, 13],
  [15, 16], [16, 15], [17, 18], [18, 17],
]);

/**
 * ICMPv6 types with a counterpart: echo 128/129, MLD query/report 130/131,
 * router 133/134, neighbor 135/136, who-are-you 139/140, home agent address
 * discovery 144/145 (Zeek `ICMP6_counterpart`; pycommunityid `icmp6.py`).
 */
// biome-ignore format: request/reply pairs
const ICMP6_COUNTERPART: ReadonlyMap<number, number> = new Map([
  [128, 129], [129, 128], [130, 131], [131, 130], [133, 134], [134, 133],
  [135, 136], [136, 135], [139, 140], [140, 139], [144, 145], [145, 144],
]);

/** Largest hash input: seed 2 + two IPv6 addresses 32 + proto/pad 2 + ports 4. */
const MAX_INPUT_BYTES = 40;

/** The flow tuple to hash; addresses are 4 or 16 bytes. */
interface FlowTuple {
  saddr: Uint8Array;
  daddr: Uint8Array;
  version: 4 | 6;
  proto: number;
  /** Ports, or ICMP type and code-or-counter-type; undefined for other protocols. */
  sport: number | undefined;
  dport: number | undefined;
  /** A one-way ICMP message: hashed in the order seen, never swapped. */
  oneWay?: boolean;
}

/**
 * The spec's ICMP port equivalents (its `map_icmp_to_ports`): a type with a
 * counterpart gives (type, counterpart) and a two-way flow; any other type
 * gives (type, code) and a one-way flow. Sets `sport`, `dport`, `oneWay`.
 *
 * @example icmpPortEquivalents(t, 1, 0, 0) // t.sport 0, t.dport 8, two-way
 */
function icmpPortEquivalents(
  t: FlowTuple,
  proto: number,
  type: number,
  code: number
): void {
  const table = proto === PROTO_ICMPV6 ? ICMP6_COUNTERPART : ICMP4_COUNTERPART;
  const counterpart = table.get(type);
  t.sport = type;
  t.dport = counterpart ?? code;
  t.oneWay = counterpart === undefined;
}

/** Negative when endpoint a (address, port) orders before b. */
function compareEndpoints(t: FlowTuple): number {
  const size = t.version === 4 ? 4 : 16;
  for (let i = 0; i < size; i++) {
    const diff = t.saddr[i]! - t.daddr[i]!;
    if (diff !== 0) return diff;
  }
  return (t.sport ?? 0) - (t.dport ?? 0);
}

/** Writes the ordered hash input into `buffer`; returns its length. */
function writeInput(t: FlowTuple, seed: number, buffer: Buffer): number {
  const size = t.version === 4 ? 4 : 16;
  const swap = t.oneWay !== true && compareEndpoints(t) > 0;
  const first = swap ? t.daddr : t.saddr;
  const second = swap ? t.saddr : t.daddr;
  buffer.writeUInt16BE(seed, 0);
  for (let i = 0; i < size; i++) {
    buffer[2 + i] = first[i]!;
    buffer[2 + size + i] = second[i]!;
  }
  let at = 2 + 2 * size;
  buffer[at++] = t.proto;
  buffer[at++] = 0;
  if (t.sport === undefined || t.dport === undefined) return at;
  buffer.writeUInt16BE(swap ? t.dport : t.sport, at);
  buffer.writeUInt16BE(swap ? t.sport : t.dport, at + 2);
  return at + 4;
}

const scratch = Buffer.alloc(MAX_INPUT_BYTES);

/**
 * Views of `scratch` by input length (12/16 bytes for IPv4, 36/40 for IPv6,
 * without/with ports), made once so a line hashes without a new view.
 */
const INPUT_VIEWS: readonly Buffer[] = Array.from(
  { length: MAX_INPUT_BYTES + 1 },
  (_, length) => scratch.subarray(0, length)
);

const K_COMMUNITY_ID = keyBytes('community_id');

/** One-shot SHA-1 in base64: `crypto.hash` (Node >= 20.12, about 3x faster) or `createHash`. */
const sha1Base64: (data: Buffer) => string =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha1', data, 'base64')
    : (data) => crypto.createHash('sha1').update(data).digest('base64');

/**
 * The Community ID v1 of a flow tuple. Ports are used as given: for ICMP the
 * caller passes the spec's port equivalents (`icmpPortEquivalents`).
 *
 * @example communityId(tuple, 0) // '1:LQU9qZlK+B5F3KDmev6m5PMibrg='
 */
function communityId(tuple: FlowTuple, seed = 0): string {
  const length = writeInput(tuple, seed, scratch);
  return `1:${sha1Base64(INPUT_VIEWS[length]!)}`;
}

/**
 * Appends the Community ID of a flow tuple as a JSON string, hashing with
 * the one-block SHA-1 of sha1.ts: no Buffer, hash object or string per line.
 */
function writeCommunityId(
  out: ByteWriter,
  tuple: FlowTuple,
  seed: number
): void {
  const length = writeInput(tuple, seed, scratch);
  out.latin1('"1:');
  writeSha1Base64(scratch, length, out);
  out.byte(0x22); // "
}

/**
 * The Community ID of textual endpoints, for tests and slow paths.
 *
 * @returns undefined when an address does not parse or the families differ
 * @example communityIdOf('128.232.110.120', '66.35.250.204', 6, 34855, 80)
 */
function communityIdOf(
  saddr: string,
  daddr: string,
  proto: number,
  sport?: number,
  dport?: number,
  seed = 0
): string | undefined {
  const s = new Uint8Array(16);
  const d = new Uint8Array(16);
  const sv = parseIp(Buffer.from(saddr, 'latin1'), 0, saddr.length, s);
  const dv = parseIp(Buffer.from(daddr, 'latin1'), 0, daddr.length, d);
  if (sv === 0 || sv !== dv) return undefined;
  return communityId(
    { saddr: s, daddr: d, version: sv, proto, sport, dport },
    seed
  );
}

/**
 * The Community ID of an ICMP or ICMPv6 message by its type and code (the
 * spec's `community_id_icmp`), for tests and slow paths.
 *
 * @returns undefined when an address does not parse or the families differ
 * @example communityIdOfIcmp('1.2.3.4', '5.6.7.8', 1, 8, 0) // '1:crodRHL2FEsHjbv3UkRrfbs4bZ0='
 */
function communityIdOfIcmp(
  saddr: string,
  daddr: string,
  proto: typeof PROTO_ICMP | typeof PROTO_ICMPV6,
  type: number,
  code: number,
  seed = 0
): string | undefined {
  const s = new Uint8Array(16);
  const d = new Uint8Array(16);
  const sv = parseIp(Buffer.from(saddr, 'latin1'), 0, saddr.length, s);
  const dv = parseIp(Buffer.from(daddr, 'latin1'), 0, daddr.length, d);
  if (sv === 0 || sv !== dv) return undefined;
  const t: FlowTuple = {
    saddr: s,
    daddr: d,
    version: sv,
    proto,
    sport: undefined,
    dport: undefined,
  };
  icmpPortEquivalents(t, proto, type, code);
  return communityId(t, seed);
}

/**
 * Checks a COMMUNITY_ID_SEED value: an integer 0-65535.
 *
 * @throws EnrichError ENRICH_BAD_SEED naming the setting and value
 */
function checkSeed(seed: number, setting = 'COMMUNITY_ID_SEED'): number {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff) {
    throw new EnrichError(
      'ENRICH_BAD_SEED',
      `${setting}: '${seed}' is not an integer from 0 to 65535`
    );
  }
  return seed;
}

/**
 * Adds `community_id` (string, `1:` + 28 base64 characters). Needs
 * `srcaddr`, `dstaddr`, `protocol`, `srcport`, `dstport`. Lines with an
 * absent address or protocol, mixed address families, or (for TCP, UDP,
 * SCTP) absent ports add nothing.
 *
 * ICMP and ICMPv6 lines read `srcport` as the ICMP type and `dstport` as the
 * code and hash the spec's port equivalents. AWS writes 0 and 0 there, so an
 * ICMP line hashes as type 0 (echo reply, counterpart 8): both directions
 * share one ID, the one Elastic's `community_id` ingest processor gives the
 * same line (it reads absent `icmp.type`/`icmp.code` as 0). An absent ICMP
 * port is read as 0 for the same reason. ICMPv6 type 0 has no counterpart,
 * so an ICMPv6 line is one-way, hashed in the order written.
 * O(1) per line: one SHA-1 over at most 40 bytes.
 */
class CommunityIdEnricher implements Enricher {
  readonly name = 'community_id';
  private readonly fields: readonly [number, number, number, number, number];
  private readonly seed: number;
  private readonly tuple: FlowTuple = {
    saddr: new Uint8Array(16),
    daddr: new Uint8Array(16),
    version: 4,
    proto: 0,
    sport: undefined,
    dport: undefined,
    oneWay: false,
  };

  private readonly parsed: ParsedAddresses;

  constructor(format: FlowLogFormat, seed = 0, parsed?: ParsedAddresses) {
    this.seed = checkSeed(seed);
    this.parsed = parsed ?? new ParsedAddresses(format.fields.length);
    const at = (name: string) => fieldIndex(format, name);
    this.fields = [
      at('srcaddr'),
      at('dstaddr'),
      at('protocol'),
      at('srcport'),
      at('dstport'),
    ];
  }

  enrich(line: FlowLogLine, into: LineEnrichment): void {
    const [src, dst, protocol, srcport, dstport] = this.fields;
    const t = this.tuple;
    const proto = line.integer(protocol);
    if (proto === undefined || proto > 255) return;
    const parsed = this.parsed;
    const sv: IpVersion = parsed.version(line, src, into.serial);
    if (sv === 0 || parsed.version(line, dst, into.serial) !== sv) return;
    t.saddr = parsed.bytes(src);
    t.daddr = parsed.bytes(dst);
    t.version = sv;
    t.proto = proto;
    t.sport = undefined;
    t.dport = undefined;
    t.oneWay = false;
    if (proto === PROTO_ICMP || proto === PROTO_ICMPV6) {
      const type = line.integer(srcport) ?? 0;
      const code = line.integer(dstport) ?? 0;
      if (type > 0xffff || code > 0xffff) return;
      icmpPortEquivalents(t, proto, type, code);
    } else if (PORT_PROTOCOLS.has(proto)) {
      t.sport = line.integer(srcport);
      t.dport = line.integer(dstport);
      if (t.sport === undefined || t.dport === undefined) return;
      if (t.sport > 0xffff || t.dport > 0xffff) return;
    }
    writeCommunityId(
      into.add(K_COMMUNITY_ID, ENRICHMENT_ROLE.COMMUNITY_ID),
      t,
      this.seed
    );
  }
}

export type { FlowTuple };
export {
  CommunityIdEnricher,
  checkSeed,
  communityId,
  communityIdOf,
  communityIdOfIcmp,
  icmpPortEquivalents,
};
