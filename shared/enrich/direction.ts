/**
 * ENRICH=direction: whether a flow enters or leaves the network, from
 * `flow-direction` when the line has it, else from INTERNAL_CIDRS.
 */
import { type FlowLogFormat, fieldIndex } from '../flowlog/format.ts';
import type { FlowLogLine } from '../flowlog/line.ts';
import type { CidrSet } from '../net/ip.ts';
import {
  DIRECTION_CODE,
  ENRICHMENT_ROLE,
  type LineEnrichment,
} from '../output/enrichment.ts';
import { fieldIs, keyBytes } from '../output/nested-writer.ts';
import { ParsedAddresses } from './address.ts';
import type { Enricher } from './types.ts';

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

const K_DIRECTION = keyBytes('direction');

/** `direction` JSON values by {@link DIRECTION_CODE}. */
const DIRECTION_JSON: readonly Buffer[] = [
  '',
  DIRECTION.INBOUND,
  DIRECTION.OUTBOUND,
  DIRECTION.INTERNAL,
  DIRECTION.EXTERNAL,
].map((word) => Buffer.from(JSON.stringify(word)));

/** Adds `direction` with the word of `code`. */
function addDirection(into: LineEnrichment, code: number): void {
  into.addConst(
    K_DIRECTION,
    DIRECTION_JSON[code]!,
    ENRICHMENT_ROLE.DIRECTION,
    code
  );
}

const INGRESS = Buffer.from('ingress', 'latin1');
const EGRESS = Buffer.from('egress', 'latin1');

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
  private readonly parsed: ParsedAddresses;

  constructor(
    format: FlowLogFormat,
    internal: CidrSet,
    parsed?: ParsedAddresses
  ) {
    this.parsed = parsed ?? new ParsedAddresses(format.fields.length);
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

  enrich(line: FlowLogLine, into: LineEnrichment): void {
    if (fieldIs(line, this.flowDirection, INGRESS)) {
      addDirection(into, DIRECTION_CODE.INBOUND);
      return;
    }
    if (fieldIs(line, this.flowDirection, EGRESS)) {
      addDirection(into, DIRECTION_CODE.OUTBOUND);
      return;
    }
    const pairs = this.pairs;
    for (let i = 0; i < pairs.length; i++) {
      const [s, d] = pairs[i]!;
      const parsed = this.parsed;
      const sv = parsed.version(line, s, into.serial);
      const dv = parsed.version(line, d, into.serial);
      if (sv === 0 || dv === 0) continue;
      const srcInternal = this.internal.containsMapped(parsed.bytes(s), sv);
      const dstInternal = this.internal.containsMapped(parsed.bytes(d), dv);
      addDirection(
        into,
        srcInternal
          ? dstInternal
            ? DIRECTION_CODE.INTERNAL
            : DIRECTION_CODE.OUTBOUND
          : dstInternal
            ? DIRECTION_CODE.INBOUND
            : DIRECTION_CODE.EXTERNAL
      );
      return;
    }
  }
}

/** Whether a format gives the direction enricher anything to work with. */
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
