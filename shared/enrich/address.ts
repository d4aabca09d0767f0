/**
 * ENRICH=ip: version and class of every address field in the format, and the
 * helper the other address-based enrichers use to read an address from a
 * line's bytes.
 */
import { type FlowLogFormat, fieldIndex } from '../flowlog/format.ts';
import type { FlowLogLine } from '../flowlog/line.ts';
import { type IpVersion, ipv4Number, parseIp } from '../net/ip.ts';
import {
  type EnrichmentRun,
  enrichmentRun,
  type LineEnrichment,
} from '../output/enrichment.ts';
import { keyBytes } from '../output/nested-writer.ts';
import {
  ADDRESS_CLASS,
  type AddressClass,
  classifyIpv4,
  classifyIpv6,
} from './ip.ts';
import type { Enricher } from './types.ts';

/** The flow-log fields that hold addresses, in the order keys are added. */
const ADDRESS_FIELDS = [
  'srcaddr',
  'dstaddr',
  'pkt-srcaddr',
  'pkt-dstaddr',
] as const;

/** An address field present in a format: its position and output key. */
interface AddressField {
  readonly index: number;
  readonly key: string;
}

/**
 * The address fields a format has, in {@link ADDRESS_FIELDS} order.
 *
 * @example addressFieldsOf(parseFormat(VPC_DEFAULT_FORMAT)).length // 2
 */
function addressFieldsOf(format: FlowLogFormat): AddressField[] {
  const fields: AddressField[] = [];
  for (const name of ADDRESS_FIELDS) {
    const index = fieldIndex(format, name);
    if (index >= 0) fields.push({ index, key: format.fields[index]!.key });
  }
  return fields;
}

/**
 * Parses the address in field `index` of `line` into `out` (16 bytes) without
 * making a string.
 *
 * @returns 4, 6, or 0 when the field is absent or not an address
 */
function readAddress(
  line: FlowLogLine,
  index: number,
  out: Uint8Array
): IpVersion {
  if (!line.has(index)) return 0;
  return parseIp(line.bytes, line.starts[index]!, line.ends[index]!, out);
}

/**
 * The address fields of the current line, each parsed at most once however
 * many enrichers read it (`ip`, `direction`, `community_id` and
 * `aws_service` all do). One instance is shared by the enrichers of one
 * createEnrichers call; the line is told apart by its
 * {@link LineEnrichment.serial}. No allocation per line.
 */
class ParsedAddresses {
  /** Per field position: the serial of the line it was parsed for. */
  private readonly serials: Float64Array;
  /** Per field position: 4, 6, or 0 (absent or not an address). */
  private readonly versions: Int8Array;
  /** Per field position: its 16 address bytes. */
  private readonly views: readonly Uint8Array[];

  constructor(fieldCount: number) {
    this.serials = new Float64Array(fieldCount).fill(-1);
    this.versions = new Int8Array(fieldCount);
    const bytes = new Uint8Array(fieldCount * 16);
    this.views = Array.from({ length: fieldCount }, (_, i) =>
      bytes.subarray(i * 16, i * 16 + 16)
    );
  }

  /**
   * The version of the address in field `index` of the line `serial` names
   * (4, 6, or 0 when absent or not an address); its bytes are then
   * {@link ParsedAddresses.bytes}`(index)`.
   */
  version(line: FlowLogLine, index: number, serial: number): IpVersion {
    if (index < 0) return 0;
    if (this.serials[index] === serial) {
      return this.versions[index] as IpVersion;
    }
    const version = readAddress(line, index, this.views[index]!);
    this.serials[index] = serial;
    this.versions[index] = version;
    return version;
  }

  /** The 16 bytes of field `index`'s address (valid after `version`). */
  bytes(index: number): Uint8Array {
    return this.views[index]!;
  }
}

/** The class of a parsed address. */
function classify(address: Uint8Array, version: 4 | 6): AddressClass {
  return version === 4
    ? classifyIpv4(ipv4Number(address))
    : classifyIpv6(address);
}

/**
 * Per address field: where it is and, per version and class, its two
 * entries (`<key>_version`, `<key>_class`) as one preformatted run.
 */
interface AddressRuns {
  readonly index: number;
  readonly v4: ReadonlyMap<string, EnrichmentRun>;
  readonly v6: ReadonlyMap<string, EnrichmentRun>;
}

/** `4` and `6` as JSON. */
const V4 = Buffer.from('4');
const V6 = Buffer.from('6');

/** Each {@link ADDRESS_CLASS} value as a JSON string. */
const CLASS_JSON: ReadonlyMap<string, Buffer> = new Map(
  Object.values(ADDRESS_CLASS).map((name) => [
    name,
    Buffer.from(JSON.stringify(name)),
  ])
);

/**
 * Adds `<field>_version` (4 | 6) and `<field>_class` (an ADDRESS_CLASS
 * string) for each of srcaddr, dstaddr, pkt_srcaddr, pkt_dstaddr that the
 * format has and the line carries. Needs at least one of them. O(address
 * length) per address.
 */
class AddressEnricher implements Enricher {
  readonly name = 'ip';
  private readonly fields: readonly AddressRuns[];
  private readonly parsed: ParsedAddresses;

  constructor(format: FlowLogFormat, parsed?: ParsedAddresses) {
    this.parsed = parsed ?? new ParsedAddresses(format.fields.length);
    this.fields = addressFieldsOf(format).map(({ index, key }) => {
      const versionKey = keyBytes(`${key}_version`);
      const classKey = keyBytes(`${key}_class`);
      const runs = (version: Buffer): Map<string, EnrichmentRun> =>
        new Map(
          [...CLASS_JSON].map(([kind, json]) => [
            kind,
            enrichmentRun([
              [versionKey, version],
              [classKey, json],
            ]),
          ])
        );
      return { index, v4: runs(V4), v6: runs(V6) };
    });
  }

  enrich(line: FlowLogLine, into: LineEnrichment): void {
    const fields = this.fields;
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i]!;
      const version = this.parsed.version(line, field.index, into.serial);
      if (version === 0) continue;
      const kind = classify(this.parsed.bytes(field.index), version);
      into.addRun((version === 4 ? field.v4 : field.v6).get(kind)!);
    }
  }
}

export type { AddressField };
export {
  ADDRESS_FIELDS,
  AddressEnricher,
  addressFieldsOf,
  classify,
  ParsedAddresses,
  readAddress,
};
