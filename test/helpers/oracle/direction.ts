/**
 * ENRICH=direction: whether a flow enters or leaves the network, from
 * `flow-direction` when the line has it, else from INTERNAL_CIDRS.
 */
import {
  type FlowLogFormat,
  fieldIndex,
} from '../../../shared/flowlog/format.ts';
import type { FlowLogLine } from '../../../shared/flowlog/line.ts';
import type { CidrSet } from '../../../shared/net/ip.ts';
import { readAddress } from './address.ts';
import type { Enricher, Enrichment } from './types.ts';

/** Values of the `direction` key. */
const DIRECTION = {
  INBOUND: 'inbound',
  OUTBOUND: 'outbound',
  INTERNAL: 'internal',
  EXTERNAL: 'external',
} as const;

/**
 * The default INTERNAL_CIDRS: RFC 1918, RFC 6598 shared space and IPv6
 * unique-local addresses.
 */
const DEFAULT_INTERNAL_CIDRS: readonly string[] = Object.freeze([
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '100.64.0.0/10',
  'fc00::/7',
]);

const INGRESS = Buffer.from('ingress', 'latin1');
const EGRESS = Buffer.from('egress', 'latin1');

/** True when field `index` of `line` is exactly `word`. */
function fieldIs(line: FlowLogLine, index: number, word: Buffer): boolean {
  if (!line.has(index)) return false;
  const start = line.starts[index]!;
  const end = line.ends[index]!;
  return (
    end - start === word.length &&
    line.bytes.compare(word, 0, word.length, start, end) === 0
  );
}

/**
 * Adds `direction` (inbound | outbound | internal | external).
 * `flow-direction` ingress → inbound, egress → outbound. Otherwise the
 * addresses decide: packet-level (`pkt-srcaddr`/`pkt-dstaddr`) when the line
 * has both, else `srcaddr`/`dstaddr`; internal source to external
 * destination → outbound, the reverse → inbound, both internal → internal,
 * both external → external. Needs `flow-direction` or an address pair.
 * O(CIDR count) per line.
 */
class DirectionEnricher implements Enricher {
  readonly name = 'direction';
  private readonly flowDirection: number;
  private readonly pairs: ReadonlyArray<readonly [number, number]>;
  private readonly internal: CidrSet;
  private readonly src = new Uint8Array(16);
  private readonly dst = new Uint8Array(16);

  /**
   * Internal when in a block; an IPv4-mapped IPv6 address is also tested as
   * the IPv4 address it carries (changed with the typed-values fix so that
   * direction agrees with the ip enricher's class).
   */
  private isInternal(address: Uint8Array, version: 0 | 4 | 6): boolean {
    if (
      version === 6 &&
      MAPPED_PREFIX.every((byte, i) => address[i] === byte) &&
      this.internal.contains(address.slice(12, 16), 4)
    ) {
      return true;
    }
    return this.internal.contains(address, version);
  }

  constructor(format: FlowLogFormat, internal: CidrSet) {
    this.flowDirection = fieldIndex(format, 'flow-direction');
    const pairs: Array<readonly [number, number]> = [];
    for (const [s, d] of [
      ['pkt-srcaddr', 'pkt-dstaddr'],
      ['srcaddr', 'dstaddr'],
    ] as const) {
      const pair = [fieldIndex(format, s), fieldIndex(format, d)] as const;
      if (pair[0] >= 0 && pair[1] >= 0) pairs.push(pair);
    }
    this.pairs = pairs;
    this.internal = internal;
  }

  enrich(line: FlowLogLine, into: Enrichment): void {
    if (fieldIs(line, this.flowDirection, INGRESS)) {
      into.direction = DIRECTION.INBOUND;
      return;
    }
    if (fieldIs(line, this.flowDirection, EGRESS)) {
      into.direction = DIRECTION.OUTBOUND;
      return;
    }
    for (const [s, d] of this.pairs) {
      const sv = readAddress(line, s, this.src);
      const dv = readAddress(line, d, this.dst);
      if (sv === 0 || dv === 0) continue;
      const srcInternal = this.isInternal(this.src, sv);
      const dstInternal = this.isInternal(this.dst, dv);
      into.direction = srcInternal
        ? dstInternal
          ? DIRECTION.INTERNAL
          : DIRECTION.OUTBOUND
        : dstInternal
          ? DIRECTION.INBOUND
          : DIRECTION.EXTERNAL;
      return;
    }
  }
}

/** Whether a format gives the direction enricher anything to work with. */
/** ::ffff:0:0/96 prefix (RFC 4291 §2.5.5.2). */
const MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

function directionInputs(format: FlowLogFormat): boolean {
  const has = (name: string) => fieldIndex(format, name) >= 0;
  return (
    has('flow-direction') ||
    (has('srcaddr') && has('dstaddr')) ||
    (has('pkt-srcaddr') && has('pkt-dstaddr'))
  );
}

export {
  DEFAULT_INTERNAL_CIDRS,
  DIRECTION,
  DirectionEnricher,
  directionInputs,
};
