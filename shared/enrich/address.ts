/**
 * ENRICH=ip: version and class of every address field in the format, and the
 * helper the other address-based enrichers use to read an address from a
 * line's bytes.
 */
import { type FlowLogFormat, fieldIndex } from '../flowlog/format.ts';
import type { FlowLogLine } from '../flowlog/line.ts';
import { type IpVersion, ipv4Number, parseIp } from '../net/ip.ts';
import type { LineEnrichment } from '../output/enrichment.ts';
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

/** The class of a parsed address. */
function classify(address: Uint8Array, version: 4 | 6): AddressClass {
  return version === 4
    ? classifyIpv4(ipv4Number(address))
    : classifyIpv6(address);
}

/** Per address field: where it is and the two keys it adds. */
interface AddressKeys {
  readonly index: number;
  /** Bytes of `"<key>_version":`. */
  readonly versionKey: Buffer;
  /** Bytes of `"<key>_class":`. */
  readonly classKey: Buffer;
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
  private readonly fields: readonly AddressKeys[];
  private readonly address = new Uint8Array(16);

  constructor(format: FlowLogFormat) {
    this.fields = addressFieldsOf(format).map(({ index, key }) => ({
      index,
      versionKey: keyBytes(`${key}_version`),
      classKey: keyBytes(`${key}_class`),
    }));
  }

  enrich(line: FlowLogLine, into: LineEnrichment): void {
    const fields = this.fields;
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i]!;
      const version = readAddress(line, field.index, this.address);
      if (version === 0) continue;
      into.addConst(field.versionKey, version === 4 ? V4 : V6);
      const kind = classify(this.address, version);
      into.addConst(field.classKey, CLASS_JSON.get(kind)!);
    }
  }
}

export type { AddressField };
export {
  ADDRESS_FIELDS,
  AddressEnricher,
  addressFieldsOf,
  classify,
  readAddress,
};
