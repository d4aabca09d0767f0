/**
 * The values each flow-log field may hold, as AWS documents them, keyed by
 * AWS field name (`log-status`). One module, read by FILTER (to refuse a
 * literal no line can hold), by the value audit (to count data that does not
 * fit its field) and by the diagnosis (to say which field a value belongs
 * to). Fields added to the catalogue later need only a row here.
 *
 * Sources: the field tables of
 * https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html and
 * https://docs.aws.amazon.com/vpc/latest/tgw/tgw-flow-logs.html (the
 * "Available fields" tables), and the pages cited per row.
 */

/** The public pages the sets and ranges below come from. */
const SOURCE = {
  /** VPC "Flow log records", Available fields. */
  VPC_FIELDS:
    'https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html',
  /** Transit Gateway "Flow log records", Available fields. */
  TGW_FIELDS: 'https://docs.aws.amazon.com/vpc/latest/tgw/tgw-flow-logs.html',
  /** VPC encryption controls, "Monitoring encryption status of traffic flows". */
  VPC_ENCRYPTION:
    'https://docs.aws.amazon.com/vpc/latest/userguide/vpc-encryption-controls.html',
  /** TCP header: 16-bit ports, 8 control bits (RFC 9293, section 3.1). */
  TCP_HEADER: 'https://www.rfc-editor.org/rfc/rfc9293#section-3.1',
  /** IANA Assigned Internet Protocol Numbers (an 8-bit field). */
  IANA_PROTOCOLS:
    'https://www.iana.org/assignments/protocol-numbers/protocol-numbers.xhtml',
} as const;

/** The values AWS documents for one field. */
interface FieldValueSet {
  /** AWS field name, as in a LogFormat: `log-status`. */
  readonly field: string;
  /** Every documented value, exactly as AWS writes it in a line. */
  readonly values: readonly string[];
  /**
   * True when AWS lists the field's values as the complete set ("Possible
   * values: ingress | egress"); false when the list follows another
   * published list that grows (the ip-ranges.json service names).
   */
  readonly closed: boolean;
  /** The page that lists the values. */
  readonly source: string;
}

/** The integers a field can hold, inclusive. */
interface FieldRange {
  /** AWS field name. */
  readonly field: string;
  readonly min: bigint;
  readonly max: bigint;
  /** Why: `a 16-bit TCP/UDP port`. */
  readonly why: string;
  readonly source: string;
}

/** Largest value any integer field holds: the scanner refuses larger ones. */
const MAX_UINT64 = 18_446_744_073_709_551_615n;

/** The ip-ranges.json service names AWS lists for pkt-*-aws-service. */
// biome-ignore format: one name per row reads as AWS's list does
const AWS_SERVICE_NAMES = [
  'AMAZON', 'AMAZON_APPFLOW', 'AMAZON_CONNECT', 'API_GATEWAY',
  'CHIME_MEETINGS', 'CHIME_VOICECONNECTOR', 'CLOUD9', 'CLOUDFRONT',
  'CODEBUILD', 'DYNAMODB', 'EBS', 'EC2', 'EC2_INSTANCE_CONNECT',
  'GLOBALACCELERATOR', 'KINESIS_VIDEO_STREAMS', 'ROUTE53',
  'ROUTE53_HEALTHCHECKS', 'ROUTE53_HEALTHCHECKS_PUBLISHING',
  'ROUTE53_RESOLVER', 'S3', 'WORKSPACES_GATEWAYS',
] as const;

// biome-ignore format: one field per row reads as the AWS tables do
const VALUE_ROWS: ReadonlyArray<readonly [string, readonly string[], boolean, string]> = [
  ['action', ['ACCEPT', 'REJECT'], true, SOURCE.VPC_FIELDS],
  ['log-status', ['OK', 'NODATA', 'SKIPDATA'], true, SOURCE.VPC_FIELDS],
  ['type', ['IPv4', 'IPv6', 'EFA'], true, SOURCE.VPC_FIELDS],
  ['sublocation-type', ['wavelength', 'outpost', 'localzone'], true, SOURCE.VPC_FIELDS],
  ['flow-direction', ['ingress', 'egress'], true, SOURCE.VPC_FIELDS],
  ['traffic-path', ['1', '2', '3', '4', '5', '6', '7', '8'], true, SOURCE.VPC_FIELDS],
  ['reject-reason', ['BPA'], true, SOURCE.VPC_FIELDS],
  ['resource-type', ['TransitGateway', 'TransitGatewayAttachment'], true, SOURCE.TGW_FIELDS],
  ['encryption-status', ['0', '1', '2', '3'], true, SOURCE.VPC_ENCRYPTION],
  ['pkt-src-aws-service', AWS_SERVICE_NAMES, false, SOURCE.VPC_FIELDS],
  ['pkt-dst-aws-service', AWS_SERVICE_NAMES, false, SOURCE.VPC_FIELDS],
];

// biome-ignore format: one field per row
const RANGE_ROWS: ReadonlyArray<readonly [string, bigint, bigint, string, string]> = [
  ['srcport', 0n, 65_535n, 'a 16-bit TCP/UDP port', SOURCE.TCP_HEADER],
  ['dstport', 0n, 65_535n, 'a 16-bit TCP/UDP port', SOURCE.TCP_HEADER],
  ['protocol', 0n, 255n, 'an 8-bit IANA protocol number', SOURCE.IANA_PROTOCOLS],
  ['tcp-flags', 0n, 255n, 'a bitmask of the 8 TCP control bits', SOURCE.TCP_HEADER],
];

/** Documented value sets by AWS field name. */
const FIELD_VALUE_SETS: ReadonlyMap<string, FieldValueSet> = new Map(
  VALUE_ROWS.map(([field, values, closed, source]) => [
    field,
    Object.freeze({
      field,
      values: Object.freeze([...values]),
      closed,
      source,
    }),
  ])
);

/** Integer ranges narrower than 64 bits, by AWS field name. */
const FIELD_RANGES: ReadonlyMap<string, FieldRange> = new Map(
  RANGE_ROWS.map(([field, min, max, why, source]) => [
    field,
    Object.freeze({ field, min, max, why, source }),
  ])
);

/**
 * The documented values of a field, or undefined when AWS lists none.
 *
 * @example valueSetOf('action')?.values // ['ACCEPT', 'REJECT']
 */
function valueSetOf(field: string): FieldValueSet | undefined {
  return FIELD_VALUE_SETS.get(field);
}

/**
 * The documented closed set of a field, or undefined when the field has
 * none (no list, or a list that grows). The value audit checks these.
 *
 * @example closedSetOf('log-status')?.values // ['OK', 'NODATA', 'SKIPDATA']
 */
function closedSetOf(field: string): FieldValueSet | undefined {
  const set = FIELD_VALUE_SETS.get(field);
  return set?.closed === true ? set : undefined;
}

/**
 * The documented range the value audit checks for an integer field: one
 * narrower than 64 bits that is not a closed set (srcport, dstport,
 * protocol, tcp-flags), or undefined. Every such range starts at 0 (the
 * fields are unsigned), so a value is outside it only above `max`.
 *
 * @example auditedRangeOf('srcport')?.max // 65535n
 */
function auditedRangeOf(field: string): FieldRange | undefined {
  return closedSetOf(field) === undefined ? FIELD_RANGES.get(field) : undefined;
}

/**
 * The integers an integer field can hold: its documented range, else the
 * range of a closed set of integers, else 0 to 2^64 - 1.
 *
 * @example integerRangeOf('dstport') // { min: 0n, max: 65535n, … }
 */
function integerRangeOf(field: string): FieldRange {
  const range = FIELD_RANGES.get(field);
  if (range !== undefined) return range;
  const set = closedSetOf(field);
  if (set?.values.every((v) => /^\d+$/.test(v))) {
    // Sets of integers are listed in ascending order (VALUE_ROWS).
    const min = BigInt(set.values[0]!);
    const max = BigInt(set.values[set.values.length - 1]!);
    return {
      field,
      min,
      max,
      why: 'one of its documented values',
      source: set.source,
    };
  }
  return {
    field,
    min: 0n,
    max: MAX_UINT64,
    why: 'an unsigned 64-bit integer',
    source: SOURCE.VPC_FIELDS,
  };
}

/**
 * The fields that hold an IP address: AWS's field tables describe each as
 * "the source/destination address" (IPv4 or IPv6), so text that is neither
 * dotted-decimal IPv4 (RFC 791, without leading zeros) nor RFC 4291
 * section 2.2 IPv6 text (as shared/net/ip.ts parseIp reads them) is data
 * the value audit counts.
 */
const ADDRESS_FIELDS: ReadonlySet<string> = new Set([
  'srcaddr',
  'dstaddr',
  'pkt-srcaddr',
  'pkt-dstaddr',
]);

/**
 * True when `field` holds an IPv4 or IPv6 address ({@link ADDRESS_FIELDS}).
 *
 * @example isAddressField('pkt-srcaddr') // true
 */
function isAddressField(field: string): boolean {
  return ADDRESS_FIELDS.has(field);
}

/**
 * The fields whose documented closed set holds `value`, in table order:
 * `egress` is a `flow-direction` value.
 *
 * @example fieldsHolding('egress') // ['flow-direction']
 */
function fieldsHolding(value: string): string[] {
  const fields: string[] = [];
  for (const set of FIELD_VALUE_SETS.values()) {
    if (set.closed && set.values.includes(value)) fields.push(set.field);
  }
  return fields;
}

export type { FieldRange, FieldValueSet };
export {
  ADDRESS_FIELDS,
  auditedRangeOf,
  closedSetOf,
  FIELD_RANGES,
  FIELD_VALUE_SETS,
  fieldsHolding,
  integerRangeOf,
  isAddressField,
  MAX_UINT64,
  SOURCE,
  valueSetOf,
};
