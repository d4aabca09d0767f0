/**
 * ENRICH=ip: version and class of every address field in the format, and the
 * helper the other address-based enrichers use to read an address from a
 * line's bytes.
 */

import {
  type AddressClass,
  classifyIpv4,
  classifyIpv6,
} from '../../../shared/enrich/ip.ts';
import {
  type FlowLogFormat,
  fieldIndex,
} from '../../../shared/flowlog/format.ts';
import type { FlowLogLine } from '../../../shared/flowlog/line.ts';
import { type IpVersion, ipv4Number, parseIp } from '../../../shared/net/ip.ts';
import type { Enricher, Enrichment } from './types.ts';

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
  readonly versionKey: string;
  readonly classKey: string;
}

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
      versionKey: `${key}_version`,
      classKey: `${key}_class`,
    }));
  }

  enrich(line: FlowLogLine, into: Enrichment): void {
    for (const field of this.fields) {
      const version = readAddress(line, field.index, this.address);
      if (version === 0) continue;
      into[field.versionKey] = version;
      into[field.classKey] = classify(this.address, version);
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
