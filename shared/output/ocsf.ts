/**
 * OUTPUT_FORMAT=ocsf: one OCSF 1.1.0 Network Activity (class 4001) event per
 * line, mapped the way Amazon Security Lake and the OCSF VPC flow-log dossier
 * map VPC flow logs. Every mapping row is in docs/output-formats.md; every
 * attribute the writer can produce is listed in {@link OCSF_ATTRIBUTES}, and
 * the test suite validates each event against the OCSF 1.1.0 schema
 * (https://schema.ocsf.io/1.1.0/classes/network_activity).
 */
import type { FlowLogFormat } from '../flowlog/format.ts';
import { fieldIndex } from '../flowlog/format.ts';
import type { FlowLogLine } from '../flowlog/line.ts';
import { parseIp } from '../net/ip.ts';
import type { ByteWriter } from './byte-writer.ts';
import {
  DIRECTION_CODE,
  ENRICHMENT_ROLE,
  type LineEnrichment,
} from './enrichment.ts';
import {
  digitsAtMost,
  type FieldList,
  fieldHasByte,
  fieldIs,
  fieldList,
  isIntegerField,
  keyBytes as k,
  NestedWriter,
  sameField,
  valueBytes as v,
} from './nested-writer.ts';
import type { LineSerializer } from './types.ts';

/** The OCSF schema version written to `metadata.version`. */
const OCSF_VERSION = '1.1.0';

/** Members every event starts with, as one preformatted run. */
const CLASS_MEMBERS = Buffer.from(
  '"category_uid":4,"category_name":"Network Activity","class_uid":4001,' +
    '"class_name":"Network Activity","severity_id":1,"severity":"Informational"',
  'latin1'
);

/** `action` ACCEPT, REJECT, and absent or any other value. */
const ACCEPT_MEMBERS = Buffer.from(
  '"activity_id":6,"activity_name":"Traffic","type_uid":400106,' +
    '"type_name":"Network Activity: Traffic","action_id":1,"action":"Allowed",' +
    '"disposition_id":1,"disposition":"Allowed"',
  'latin1'
);
const REJECT_MEMBERS = Buffer.from(
  '"activity_id":5,"activity_name":"Refuse","type_uid":400105,' +
    '"type_name":"Network Activity: Refuse","action_id":2,"action":"Denied",' +
    '"disposition_id":2,"disposition":"Blocked"',
  'latin1'
);
/**
 * No or an undocumented `action`: activity Traffic and action_id 0 Unknown.
 * The security_control profile requires action_id and rules out 99 Other.
 */
const TRAFFIC_MEMBERS = Buffer.from(
  '"activity_id":6,"activity_name":"Traffic","type_uid":400106,' +
    '"type_name":"Network Activity: Traffic","action_id":0,"action":"Unknown"',
  'latin1'
);
const PRODUCT_MEMBERS = Buffer.from(
  '"name":"Amazon VPC","vendor_name":"AWS","feature":{"name":"Flowlogs"}',
  'latin1'
);
const METADATA_MEMBERS = Buffer.from(
  `"version":"${OCSF_VERSION}","profiles":["cloud","security_control"]`,
  'latin1'
);

/** `traffic-path` 1..8 → `boundary_id` 4..11 with the OCSF captions. */
// biome-ignore format: one boundary per row, as in the OCSF enum
const BOUNDARIES: readonly Buffer[] = [
  '', 'Same VPC', 'Internet/VPC Gateway', 'Virtual Private Gateway',
  'Intra-region VPC', 'Inter-region VPC', 'Local Gateway', 'Gateway VPC',
  'Internet Gateway',
].map((caption, path) =>
  Buffer.from(`"boundary_id":${path + 3},"boundary":${JSON.stringify(caption)}`)
);

/** OCSF `direction_id` values. */
const DIRECTION = { UNKNOWN: 0, INBOUND: 1, OUTBOUND: 2, LATERAL: 3 } as const;
// biome-ignore format: indexed by direction_id
const DIRECTION_MEMBERS: readonly Buffer[] = [
  '"direction_id":0,"direction":"Unknown"',
  '"direction_id":1,"direction":"Inbound"',
  '"direction_id":2,"direction":"Outbound"',
  '"direction_id":3,"direction":"Lateral"',
].map((text) => Buffer.from(text, 'latin1'));

const IPV4_MEMBERS = Buffer.from(
  '"protocol_ver_id":4,"protocol_ver":"Internet Protocol version 4 (IPv4)"'
);
const IPV6_MEMBERS = Buffer.from(
  '"protocol_ver_id":6,"protocol_ver":"Internet Protocol version 6 (IPv6)"'
);

const ACCEPT = Buffer.from('ACCEPT');
const REJECT = Buffer.from('REJECT');
const INGRESS = Buffer.from('ingress');
const EGRESS = Buffer.from('egress');
const TYPE_IPV4 = Buffer.from('IPv4');
const TYPE_IPV6 = Buffer.from('IPv6');
const STATUS_OK = Buffer.from('OK');
const STATUS_NODATA = Buffer.from('NODATA');
const STATUS_SKIPDATA = Buffer.from('SKIPDATA');
const LEVEL_ALWAYS = 1;
const LEVEL_OWNED = 2;
const SUCCESS_MEMBERS = Buffer.from('"status_id":1,"status":"Success"');
const FAILURE_MEMBERS = Buffer.from('"status_id":2,"status":"Failure"');

/** `"metadata":{…,"product":{…`: the always-present start of metadata. */
const METADATA_OPEN = Buffer.concat([
  Buffer.from('"metadata":{'),
  METADATA_MEMBERS,
  Buffer.from(',"product":{'),
  PRODUCT_MEMBERS,
]);
/** `"cloud":{"provider":"AWS"`. */
const CLOUD_OPEN = Buffer.from('"cloud":{"provider":"AWS"');
const CLOSE_ONE = Buffer.from('}');
const CLOSE_TWO = Buffer.from('}}');

const K_ACCOUNT = k('account');
const K_BOUNDARY = k('boundary');
const K_BOUNDARY_ID = k('boundary_id');
const K_BYTES = k('bytes');
const K_CONNECTION_INFO = k('connection_info');
const K_DIRECTION = k('direction');
const K_DIRECTION_ID = k('direction_id');
const K_DISPOSITION = k('disposition');
const K_DISPOSITION_ID = k('disposition_id');
const K_DST_ENDPOINT = k('dst_endpoint');
const K_DURATION = k('duration');
const K_END_TIME = k('end_time');
const K_ENRICHMENT = k('enrichment');
const K_INSTANCE_UID = k('instance_uid');
const K_INTERFACE_UID = k('interface_uid');
const K_INTERMEDIATE_IPS = k('intermediate_ips');
const K_IP = k('ip');
const K_PACKETS = k('packets');
const K_PORT = k('port');
const K_PROTOCOL_NAME = k('protocol_name');
const K_PROTOCOL_NUM = k('protocol_num');
const K_PROTOCOL_VER = k('protocol_ver');
const K_PROTOCOL_VER_ID = k('protocol_ver_id');
const K_REGION = k('region');
const K_SRC_ENDPOINT = k('src_endpoint');
const K_START_TIME = k('start_time');
const K_STATUS = k('status');
const K_STATUS_CODE = k('status_code');
const K_STATUS_ID = k('status_id');
const K_SUBNET_UID = k('subnet_uid');
const K_SVC_NAME = k('svc_name');
const K_TCP_FLAGS = k('tcp_flags');
const K_TIME = k('time');
const K_TRAFFIC = k('traffic');
const K_UID = k('uid');
const K_UNMAPPED = k('unmapped');
const K_VERSION = k('version');
const K_VPC_UID = k('vpc_uid');
const K_ZONE = k('zone');
const V_OTHER = v(99);

/**
 * Last second written as an OCSF time: 9999-12-31T23:59:59Z, the bound the
 * ECS writer uses too. AWS writes Unix seconds; a larger value (a pipeline
 * feeding milliseconds, 1432917027000) would become a time in the year
 * 47,000, so it stays under `unmapped` instead.
 */
const MAX_TIME_SECONDS = 253402300799;

/** OCSF integer_t is a signed 32-bit integer (`duration`, `tcp_flags`, …). */
const MAX_INTEGER_T = 2147483647;

/** OCSF port_t: 0-65535. */
const MAX_PORT_T = 65535;

/** OCSF long_t is a signed 64-bit integer (`traffic.bytes`, `packets`). */
const MAX_LONG_T = Buffer.from('9223372036854775807', 'latin1');

/**
 * Enrichment roles with an OCSF home (`1 << role`); the rest go to
 * `unmapped.enrichment`. `community_id` has none in 1.1.0:
 * `network_connection_info.community_uid` arrived in OCSF 1.2.0, so it stays
 * under `unmapped.enrichment`.
 */
const MAPPED_ENRICHMENT = 1 << ENRICHMENT_ROLE.PROTOCOL_NAME;

/**
 * The enrichment `direction` code → OCSF direction_id: inbound 1, outbound
 * 2, internal 3 (Lateral); 0 for `external`, which OCSF has no id for.
 */
const DIRECTION_IDS: Readonly<Record<number, number>> = {
  [DIRECTION_CODE.INBOUND]: 1,
  [DIRECTION_CODE.OUTBOUND]: 2,
  [DIRECTION_CODE.INTERNAL]: 3,
  [DIRECTION_CODE.EXTERNAL]: 0,
};

/** Stable reasons {@link OcsfSerializer.refuse} gives. */
const OCSF_REFUSAL = {
  /** Neither `start` nor `end` holds Unix seconds: OCSF requires `time`. */
  NO_TIME: 'OCSF_NO_TIME',
  /** An OK line without source or destination address or interface. */
  NO_ENDPOINT: 'OCSF_NO_ENDPOINT',
} as const;

type OcsfRefusal = (typeof OCSF_REFUSAL)[keyof typeof OCSF_REFUSAL];

/** The format lacks fields every OCSF 1.1.0 Network Activity event needs. */
class OcsfFormatError extends Error {
  readonly code = 'OUTPUT_FORMAT_FIELDS_MISSING';

  constructor(message: string) {
    super(message);
    this.name = 'OcsfFormatError';
  }
}

/** One attribute the OCSF writer can produce. */
interface OcsfAttribute {
  /** Dotted path in the event: `src_endpoint.ip`. */
  readonly path: string;
  /**
   * The OCSF 1.1.0 type: a dictionary type (`string_t`, `integer_t`,
   * `long_t`, `timestamp_t`, `port_t`, `ip_t`) or `object` for `unmapped`,
   * whose members are the flow-log output keys typed as in `json` output,
   * plus `enrichment` holding the enrichment keys without an OCSF home.
   */
  readonly type: string;
  /** True for arrays (`metadata.profiles`, `*.intermediate_ips`). */
  readonly isArray?: boolean;
}

/** Endpoint attributes, written under `src_endpoint` and `dst_endpoint`. */
// biome-ignore format: one attribute per row
const ENDPOINT_ATTRIBUTES: ReadonlyArray<readonly [string, string, boolean?]> = [
  ['ip', 'ip_t'], ['intermediate_ips', 'ip_t', true], ['port', 'port_t'],
  ['svc_name', 'string_t'], ['interface_uid', 'string_t'],
  ['vpc_uid', 'string_t'], ['instance_uid', 'string_t'],
  ['subnet_uid', 'string_t'], ['uid', 'string_t'],
];

/**
 * Every attribute path the OCSF writer can produce, with its OCSF 1.1.0
 * type: the column list for a schema built on this output (a Glue table or
 * an Amazon Security Lake custom source). The test suite checks that each
 * row is in the OCSF 1.1.0 class 4001 with this type and that no event
 * holds a path outside this list.
 */
// biome-ignore format: one attribute per row
const OCSF_ATTRIBUTES: readonly OcsfAttribute[] = Object.freeze(
  (
    [
      ['category_uid', 'integer_t'], ['category_name', 'string_t'],
      ['class_uid', 'integer_t'], ['class_name', 'string_t'],
      ['severity_id', 'integer_t'], ['severity', 'string_t'],
      ['activity_id', 'integer_t'], ['activity_name', 'string_t'],
      ['type_uid', 'long_t'], ['type_name', 'string_t'],
      ['action_id', 'integer_t'], ['action', 'string_t'],
      ['disposition_id', 'integer_t'], ['disposition', 'string_t'],
      ['status_code', 'string_t'], ['status_id', 'integer_t'],
      ['status', 'string_t'],
      ['time', 'timestamp_t'], ['start_time', 'timestamp_t'],
      ['end_time', 'timestamp_t'], ['duration', 'integer_t'],
      ['metadata.version', 'string_t'],
      ['metadata.profiles', 'string_t', true],
      ['metadata.product.name', 'string_t'],
      ['metadata.product.vendor_name', 'string_t'],
      ['metadata.product.feature.name', 'string_t'],
      ['metadata.product.version', 'string_t'],
      ['cloud.provider', 'string_t'], ['cloud.account.uid', 'string_t'],
      ['cloud.region', 'string_t'], ['cloud.zone', 'string_t'],
      ...['src_endpoint', 'dst_endpoint'].flatMap((side) =>
        ENDPOINT_ATTRIBUTES.map(
          ([name, type, isArray]) => [`${side}.${name}`, type, isArray] as const
        )
      ),
      ['connection_info.protocol_num', 'integer_t'],
      ['connection_info.protocol_name', 'string_t'],
      ['connection_info.protocol_ver_id', 'integer_t'],
      ['connection_info.protocol_ver', 'string_t'],
      ['connection_info.tcp_flags', 'integer_t'],
      ['connection_info.boundary_id', 'integer_t'],
      ['connection_info.boundary', 'string_t'],
      ['connection_info.direction_id', 'integer_t'],
      ['connection_info.direction', 'string_t'],
      ['traffic.packets', 'long_t'], ['traffic.bytes', 'long_t'],
      ['unmapped', 'object'],
    ] as ReadonlyArray<readonly [string, string, boolean?]>
  ).map(([path, type, isArray]) =>
    Object.freeze(isArray === true ? { path, type, isArray } : { path, type })
  )
);

/** Field positions of one endpoint side. */
interface Side {
  readonly key: Buffer;
  readonly addr: number;
  readonly pkt: number;
  readonly port: number;
  readonly service: number;
  readonly tgwVpc: number;
  readonly tgwSubnet: number;
  readonly tgwEni: number;
  /** interface_uid, vpc_uid, subnet_uid from the Transit Gateway fields. */
  readonly tgwMembers: FieldList;
}

/** Fields always consumed by a mapping (never copied to `unmapped`). */
// biome-ignore format: field list
const ALWAYS_MAPPED = [
  'version', 'account-id', 'srcaddr', 'dstaddr', 'srcport', 'dstport',
  'protocol', 'packets', 'bytes', 'start', 'end', 'action', 'log-status',
  'tcp-flags', 'type', 'pkt-srcaddr', 'pkt-dstaddr', 'region', 'az-id',
  'pkt-src-aws-service', 'pkt-dst-aws-service', 'flow-direction',
  'traffic-path',
];

/** The capturing interface's fields: endpoint-owned when direction is known. */
const INTERFACE_FIELDS = ['interface-id', 'vpc-id', 'instance-id', 'subnet-id'];

/** TGW fields naming the side they belong to. */
// biome-ignore format: field list
const TGW_ENDPOINT_FIELDS = [
  'tgw-src-vpc-id', 'tgw-dst-vpc-id', 'tgw-src-subnet-id',
  'tgw-dst-subnet-id', 'tgw-src-eni', 'tgw-dst-eni',
];

/** Other fields a line's mapping reads. */
const OTHER_FIELDS = ['tgw-attachment-id'];

function sideOf(format: FlowLogFormat, side: 'src' | 'dst'): Side {
  const at = (name: string): number => fieldIndex(format, name);
  return {
    key: side === 'src' ? K_SRC_ENDPOINT : K_DST_ENDPOINT,
    addr: at(`${side}addr`),
    pkt: at(`pkt-${side}addr`),
    port: at(`${side}port`),
    service: at(`pkt-${side}-aws-service`),
    tgwVpc: at(`tgw-${side}-vpc-id`),
    tgwSubnet: at(`tgw-${side}-subnet-id`),
    tgwEni: at(`tgw-${side}-eni`),
    tgwMembers: fieldList([
      [at(`tgw-${side}-eni`), K_INTERFACE_UID],
      [at(`tgw-${side}-vpc-id`), K_VPC_UID],
      [at(`tgw-${side}-subnet-id`), K_SUBNET_UID],
    ]),
  };
}

/**
 * What a LogFormat lacks for OCSF: every Network Activity event needs
 * `time` (from `start` or `end`) and a source and destination endpoint
 * (from the address fields).
 *
 * @returns a message naming the missing fields, or undefined
 */
function missingOcsfFields(format: FlowLogFormat): string | undefined {
  const has = (name: string): boolean => fieldIndex(format, name) >= 0;
  const missing = [
    ['start', 'end'],
    ['srcaddr', 'pkt-srcaddr'],
    ['dstaddr', 'pkt-dstaddr'],
  ]
    .filter((names) => !names.some(has))
    .map((names) => names.map((name) => `\${${name}}`).join(' or '));
  if (missing.length === 0) return undefined;
  return (
    `OUTPUT_FORMAT: 'ocsf' needs ${missing.join(', and ')} in FLOW_LOG_FORMAT: ` +
    'every OCSF 1.1.0 Network Activity event requires time, src_endpoint and dst_endpoint; use json or ecs for this format'
  );
}

/**
 * Writes each line as an OCSF Network Activity event. Field positions and
 * key bytes are computed once per format; per line it copies field bytes and
 * preformatted constants. O(line bytes + enrichment size) per line.
 *
 * Values an OCSF type cannot hold (a port above 65535, a time past year
 * 9999, a counter past 2^63 - 1, an address field whose text is no IPv4
 * or IPv6 address for `ip_t`) are left out of their attribute and kept
 * under `unmapped` with their flow-log key.
 *
 * @throws OcsfFormatError when the format lacks time or address fields
 * @example new OcsfSerializer(format).write(line, NO_ENRICHMENT, writer)
 */
class OcsfSerializer implements LineSerializer {
  readonly name = 'ocsf';
  private readonly w = new NestedWriter();
  private readonly keys: readonly Buffer[];
  /** LEVEL_ALWAYS: always mapped; LEVEL_OWNED: when flow-direction is known. */
  private readonly mapped: Uint8Array;
  private readonly src: Side;
  private readonly dst: Side;
  private readonly at: Readonly<Record<string, number>>;
  /** The capturing interface's members of the endpoint that owns it. */
  private readonly interfaceMembers: FieldList;
  /** cloud.region and cloud.zone. */
  private readonly cloudMembers: FieldList;
  /** TGW endpoint fields are used only in formats without interface fields. */
  private readonly tgwEndpoints: boolean;
  /**
   * `unmapped`'s field members when nothing was demoted, compiled for
   * LEVEL_ALWAYS (index 0) and LEVEL_OWNED (index 1) as the owned level.
   */
  private readonly unmappedPlans: readonly FieldList[];
  /** Mapped fields of this line whose value went to `unmapped` instead. */
  private readonly demoted: number[] = [];
  /** Parsed-address scratch for {@link OcsfSerializer.isAddress}. */
  private readonly scratch = new Uint8Array(16);

  constructor(format: FlowLogFormat) {
    const problem = missingOcsfFields(format);
    if (problem !== undefined) throw new OcsfFormatError(problem);
    const at = (name: string): number => fieldIndex(format, name);
    this.keys = format.fields.map((field) => k(field.key));
    this.src = sideOf(format, 'src');
    this.dst = sideOf(format, 'dst');
    this.tgwEndpoints = INTERFACE_FIELDS.every((name) => at(name) < 0);
    this.mapped = new Uint8Array(format.fields.length);
    const mark = (names: readonly string[], value: number): void => {
      for (const name of names)
        if (at(name) >= 0) this.mapped[at(name)] = value;
    };
    mark(ALWAYS_MAPPED, LEVEL_ALWAYS);
    mark(INTERFACE_FIELDS, LEVEL_OWNED);
    if (this.tgwEndpoints) mark(TGW_ENDPOINT_FIELDS, LEVEL_ALWAYS);
    const names = [...ALWAYS_MAPPED, ...INTERFACE_FIELDS, ...OTHER_FIELDS];
    this.at = Object.fromEntries(names.map((name) => [name, at(name)]));
    this.interfaceMembers = fieldList([
      [at('interface-id'), K_INTERFACE_UID],
      [at('vpc-id'), K_VPC_UID],
      [at('instance-id'), K_INSTANCE_UID],
      [at('subnet-id'), K_SUBNET_UID],
    ]);
    this.cloudMembers = fieldList([
      [at('region'), K_REGION],
      [at('az-id'), K_ZONE],
    ]);
    this.unmappedPlans = [LEVEL_ALWAYS, LEVEL_OWNED].map((ownedLevel) => {
      const members: [number, Buffer][] = [];
      for (let i = 0; i < this.keys.length; i++) {
        const level = this.mapped[i]!;
        if (level === 0 || level > ownedLevel) members.push([i, this.keys[i]!]);
      }
      return fieldList(members);
    });
  }

  /**
   * Why this line cannot be a valid OCSF 1.1.0 event, or undefined when it
   * can: no `start` or `end` in Unix seconds (`OCSF_NO_TIME`), or an OK line
   * with a side that has no address, service or interface
   * (`OCSF_NO_ENDPOINT`). AWS writes neither. The transform loop should
   * answer such a line as a malformed line rather than write it.
   */
  refuse(line: FlowLogLine): OcsfRefusal | undefined {
    if (this.timeField(line) < 0) return OCSF_REFUSAL.NO_TIME;
    if (this.isStatusOnly(line) && this.capturingField(line) >= 0) {
      return undefined;
    }
    const direction = this.flowDirection(line);
    if (
      !this.hasIdentity(line, this.src, direction === DIRECTION.OUTBOUND) ||
      !this.hasIdentity(line, this.dst, direction === DIRECTION.INBOUND)
    ) {
      return OCSF_REFUSAL.NO_ENDPOINT;
    }
    return undefined;
  }

  write(line: FlowLogLine, enrichment: LineEnrichment, out: ByteWriter): void {
    const w = this.w;
    this.demoted.length = 0;
    w.begin(out);
    w.putConst(undefined, CLASS_MEMBERS);
    this.writeActivity(line, w);
    this.writeStatus(line, w);
    this.writeTimes(line, w);
    this.writeMetadata(line, w);
    this.writeCloud(line, w);
    const direction = this.flowDirection(line);
    const statusOnly = this.isStatusOnly(line);
    this.writeEndpoint(
      line,
      w,
      this.src,
      direction === DIRECTION.OUTBOUND,
      statusOnly
    );
    this.writeEndpoint(
      line,
      w,
      this.dst,
      direction === DIRECTION.INBOUND,
      statusOnly
    );
    const usedDirection = this.writeConnection(line, enrichment, w, direction);
    w.open(K_TRAFFIC);
    this.putLong(K_PACKETS, line, this.at.packets!, w);
    this.putLong(K_BYTES, line, this.at.bytes!, w);
    w.close();
    this.writeUnmapped(line, enrichment, w, direction, usedDirection);
    w.end();
  }

  /** `action` → activity, type, action and disposition. */
  private writeActivity(line: FlowLogLine, w: NestedWriter): void {
    const action = this.at.action!;
    if (fieldIs(line, action, ACCEPT)) {
      w.putConst(undefined, ACCEPT_MEMBERS);
    } else if (fieldIs(line, action, REJECT)) {
      w.putConst(undefined, REJECT_MEMBERS);
    } else {
      w.putConst(undefined, TRAFFIC_MEMBERS);
      if (!line.has(action)) return;
      // An undocumented action: disposition Other (99), captioned with it.
      w.putConst(K_DISPOSITION_ID, V_OTHER);
      w.putField(K_DISPOSITION, line, action);
    }
  }

  /** `log-status` → status_code, and status_id/status. */
  private writeStatus(line: FlowLogLine, w: NestedWriter): void {
    const status = this.at['log-status']!;
    if (!line.has(status)) return;
    w.putField(K_STATUS_CODE, line, status);
    if (
      fieldIs(line, status, STATUS_OK) ||
      fieldIs(line, status, STATUS_NODATA)
    ) {
      w.putConst(undefined, SUCCESS_MEMBERS);
    } else if (fieldIs(line, status, STATUS_SKIPDATA)) {
      w.putConst(undefined, FAILURE_MEMBERS);
    } else {
      w.putConst(K_STATUS_ID, V_OTHER);
      w.putField(K_STATUS, line, status);
    }
  }

  /** True when the field holds Unix seconds OCSF can write (<= year 9999). */
  private isTime(line: FlowLogLine, index: number): boolean {
    const seconds = line.integer(index);
    return seconds !== undefined && seconds <= MAX_TIME_SECONDS;
  }

  /** The field `time` comes from: `start`, else `end`; -1 when neither. */
  private timeField(line: FlowLogLine): number {
    if (this.isTime(line, this.at.start!)) return this.at.start!;
    if (this.isTime(line, this.at.end!)) return this.at.end!;
    return -1;
  }

  /**
   * `start`/`end` (seconds) → time, start_time, end_time, duration (ms).
   * A value past {@link MAX_TIME_SECONDS} goes to `unmapped` as written.
   */
  private writeTimes(line: FlowLogLine, w: NestedWriter): void {
    const start = this.at.start!;
    const end = this.at.end!;
    const first = this.timeField(line);
    if (first >= 0) w.putFieldTimes1000(K_TIME, line, first);
    this.putTime(K_START_TIME, line, start, w);
    this.putTime(K_END_TIME, line, end, w);
    if (!this.isTime(line, start) || !this.isTime(line, end)) return;
    const seconds = line.integer(end)! - line.integer(start)!;
    if (seconds >= 0 && seconds * 1000 <= MAX_INTEGER_T) {
      w.putNumber(K_DURATION, seconds * 1000);
    }
  }

  /** A time field in milliseconds, or `unmapped` when past the bound. */
  private putTime(
    key: Buffer,
    line: FlowLogLine,
    index: number,
    w: NestedWriter
  ): void {
    if (this.isTime(line, index)) w.putFieldTimes1000(key, line, index);
    else if (line.has(index)) this.demoted.push(index);
  }

  private writeMetadata(line: FlowLogLine, w: NestedWriter): void {
    // metadata and product always have members: opened as one run, the
    // version put after their members, then both closed.
    w.putConst(undefined, METADATA_OPEN);
    w.putFieldAsString(K_VERSION, line, this.at.version!);
    w.putRaw(CLOSE_TWO);
  }

  private writeCloud(line: FlowLogLine, w: NestedWriter): void {
    // cloud always has provider: opened with it as one run (see putRaw).
    w.putConst(undefined, CLOUD_OPEN);
    w.open(K_ACCOUNT);
    w.putField(K_UID, line, this.at['account-id']!);
    w.close();
    w.putFields(line, this.cloudMembers);
    w.putRaw(CLOSE_ONE);
  }

  /** INBOUND, OUTBOUND, UNKNOWN when absent, -1 for another value. */
  private flowDirection(line: FlowLogLine): number {
    const index = this.at['flow-direction']!;
    if (!line.has(index)) return DIRECTION.UNKNOWN;
    if (fieldIs(line, index, INGRESS)) return DIRECTION.INBOUND;
    if (fieldIs(line, index, EGRESS)) return DIRECTION.OUTBOUND;
    return -1;
  }

  /** A NODATA or SKIPDATA line: a status report, not a flow. */
  private isStatusOnly(line: FlowLogLine): boolean {
    const status = this.at['log-status']!;
    return (
      fieldIs(line, status, STATUS_NODATA) ||
      fieldIs(line, status, STATUS_SKIPDATA)
    );
  }

  /**
   * The field naming the capturing resource of a NODATA/SKIPDATA line:
   * `interface-id`, else `tgw-attachment-id`; -1 when the line has neither.
   */
  private capturingField(line: FlowLogLine): number {
    const at = this.at;
    if (line.has(at['interface-id']!)) return at['interface-id']!;
    if (line.has(at['tgw-attachment-id']!)) return at['tgw-attachment-id']!;
    return -1;
  }

  /** True when the side gets a member the endpoint constraint accepts. */
  private hasIdentity(line: FlowLogLine, side: Side, owns: boolean): boolean {
    const at = this.at;
    return (
      line.has(side.addr) ||
      line.has(side.pkt) ||
      line.has(side.service) ||
      (owns &&
        (line.has(at['interface-id']!) || line.has(at['instance-id']!))) ||
      (this.tgwEndpoints && line.has(side.tgwEni))
    );
  }

  /**
   * One endpoint. The packet-level address is the endpoint's IP; a different
   * interface-level address becomes an intermediate IP. `owns` says the
   * capturing interface is this side (egress: source, ingress: destination).
   * A NODATA/SKIPDATA line names the capturing resource on both sides: its
   * report is about that interface (`interface_uid`) or, in a Transit
   * Gateway flow log, that attachment (`uid`).
   */
  private writeEndpoint(
    line: FlowLogLine,
    w: NestedWriter,
    side: Side,
    owns: boolean,
    statusOnly: boolean
  ): void {
    w.open(side.key);
    const pkt = this.ipField(line, side.pkt);
    const addr = this.ipField(line, side.addr);
    if (line.has(pkt) && !sameField(line, side.pkt, side.addr)) {
      w.putField(K_IP, line, pkt);
      w.openArray(K_INTERMEDIATE_IPS);
      w.putField(undefined, line, addr);
      w.close();
    } else {
      w.putField(K_IP, line, addr);
    }
    this.putRanged(K_PORT, line, side.port, MAX_PORT_T, w);
    w.putField(K_SVC_NAME, line, side.service);
    const at = this.at;
    if (owns) w.putFields(line, this.interfaceMembers);
    if (this.tgwEndpoints) w.putFields(line, side.tgwMembers);
    if (statusOnly && !this.hasIdentity(line, side, owns)) {
      const capturing = this.capturingField(line);
      const key = capturing === at['interface-id'] ? K_INTERFACE_UID : K_UID;
      w.putField(key, line, capturing);
    }
    w.close();
  }

  /**
   * The address field's index when it is absent or an address `ip_t`
   * takes; -1 (and the field to `unmapped`) when its text is no address.
   */
  private ipField(line: FlowLogLine, index: number): number {
    if (!line.has(index) || this.isAddress(line, index)) return index;
    if (!this.demoted.includes(index)) this.demoted.push(index);
    return -1;
  }

  /** True when a present field's text is an IPv4 or IPv6 address. */
  private isAddress(line: FlowLogLine, index: number): boolean {
    const start = line.starts[index]!;
    const end = line.ends[index]!;
    return parseIp(line.bytes, start, end, this.scratch) !== 0;
  }

  /** An integer_t/port_t field, or `unmapped` when past `max`. */
  private putRanged(
    key: Buffer,
    line: FlowLogLine,
    index: number,
    max: number,
    w: NestedWriter
  ): void {
    const value = line.integer(index);
    if (value === undefined) return;
    if (value <= max) w.putField(key, line, index);
    else this.demoted.push(index);
  }

  /** A long_t field, or `unmapped` when past 2^63 - 1. */
  private putLong(
    key: Buffer,
    line: FlowLogLine,
    index: number,
    w: NestedWriter
  ): void {
    if (!isIntegerField(line, index)) return;
    if (digitsAtMost(line, index, MAX_LONG_T)) w.putField(key, line, index);
    else this.demoted.push(index);
  }

  /** @returns true when enrichment `direction` was used */
  private writeConnection(
    line: FlowLogLine,
    enrichment: LineEnrichment,
    w: NestedWriter,
    direction: number
  ): boolean {
    w.open(K_CONNECTION_INFO);
    this.putRanged(K_PROTOCOL_NUM, line, this.at.protocol!, MAX_INTEGER_T, w);
    const protocolName = enrichment.find(ENRICHMENT_ROLE.PROTOCOL_NAME);
    if (protocolName >= 0) {
      enrichment.copyValueLowercase(protocolName, w.prefix(K_PROTOCOL_NAME));
    }
    this.writeProtocolVersion(line, w);
    this.putRanged(K_TCP_FLAGS, line, this.at['tcp-flags']!, MAX_INTEGER_T, w);
    this.writeBoundary(line, w);
    const used = this.writeDirection(line, enrichment, w, direction);
    w.close();
    return used;
  }

  /** `type`, else the address syntax → protocol_ver_id/protocol_ver. */
  private writeProtocolVersion(line: FlowLogLine, w: NestedWriter): void {
    const type = this.at.type!;
    if (line.has(type)) {
      if (fieldIs(line, type, TYPE_IPV4)) w.putConst(undefined, IPV4_MEMBERS);
      else if (fieldIs(line, type, TYPE_IPV6)) {
        w.putConst(undefined, IPV6_MEMBERS);
      } else {
        w.putConst(K_PROTOCOL_VER_ID, V_OTHER);
        w.putField(K_PROTOCOL_VER, line, type);
      }
      return;
    }
    const src = this.src;
    const address = line.has(src.addr) ? src.addr : src.pkt;
    if (!line.has(address) || !this.isAddress(line, address)) return;
    if (fieldHasByte(line, address, 0x3a /* : */)) {
      w.putConst(undefined, IPV6_MEMBERS);
    } else if (fieldHasByte(line, address, 0x2e /* . */)) {
      w.putConst(undefined, IPV4_MEMBERS);
    }
  }

  /** `traffic-path` 1..8 → boundary_id 4..11; other values → Other (99). */
  private writeBoundary(line: FlowLogLine, w: NestedWriter): void {
    const index = this.at['traffic-path']!;
    const path = line.integer(index);
    if (path === undefined) return;
    if (path >= 1 && path <= 8) {
      w.putConst(undefined, BOUNDARIES[path]!);
    } else {
      w.putConst(K_BOUNDARY_ID, V_OTHER);
      w.putFieldAsString(K_BOUNDARY, line, index);
    }
  }

  /**
   * direction_id is required in connection_info: flow-direction first, then
   * the enrichment's `direction`, else Unknown (0) when the object has
   * other members.
   */
  private writeDirection(
    line: FlowLogLine,
    enrichment: LineEnrichment,
    w: NestedWriter,
    direction: number
  ): boolean {
    if (direction > 0) {
      w.putConst(undefined, DIRECTION_MEMBERS[direction]!);
      return false;
    }
    if (direction < 0) {
      w.putConst(K_DIRECTION_ID, V_OTHER);
      w.putField(K_DIRECTION, line, this.at['flow-direction']!);
      return false;
    }
    const enriched = enrichment.find(ENRICHMENT_ROLE.DIRECTION);
    if (enriched >= 0) {
      const id = DIRECTION_IDS[enrichment.code(enriched)] ?? 0;
      if (id === 0) {
        w.putConst(K_DIRECTION_ID, V_OTHER);
        enrichment.copyValue(enriched, w.prefix(K_DIRECTION));
      } else {
        w.putConst(undefined, DIRECTION_MEMBERS[id]!);
      }
      return true;
    }
    if (w.hasMembers()) w.putConst(undefined, DIRECTION_MEMBERS[0]!);
    return false;
  }

  /**
   * Fields without an OCSF home, mapped fields whose value no OCSF type
   * holds (in format order), and enrichment keys without a home.
   */
  private writeUnmapped(
    line: FlowLogLine,
    enrichment: LineEnrichment,
    w: NestedWriter,
    direction: number,
    usedDirection: boolean
  ): void {
    const mapped = this.mapped;
    const keys = this.keys;
    const demoted = this.demoted;
    // The interface's fields have an endpoint only when the side is known.
    const ownedLevel = direction > 0 ? LEVEL_OWNED : LEVEL_ALWAYS;
    w.open(K_UNMAPPED);
    if (demoted.length === 0) {
      w.putFields(
        line,
        this.unmappedPlans[ownedLevel === LEVEL_OWNED ? 1 : 0]!
      );
    } else {
      for (let i = 0; i < keys.length; i++) {
        const level = mapped[i]!;
        if (level !== 0 && level <= ownedLevel && !demoted.includes(i)) {
          continue;
        }
        w.putField(keys[i], line, i);
      }
    }
    w.open(K_ENRICHMENT);
    w.putLeftoverEnrichment(enrichment, MAPPED_ENRICHMENT, usedDirection);
    w.close();
    w.close();
  }
}

/**
 * Keys the writer itself adds inside `unmapped`, next to the field-named
 * members: a format field with one of these output keys would repeat it
 * (RFC 8259 §4: names within an object SHOULD be unique).
 */
const OCSF_UNMAPPED_WRITER_KEYS: readonly string[] = ['enrichment'];

export type { OcsfAttribute, OcsfRefusal };
export {
  missingOcsfFields,
  OCSF_ATTRIBUTES,
  OCSF_REFUSAL,
  OCSF_UNMAPPED_WRITER_KEYS,
  OCSF_VERSION,
  OcsfFormatError,
  OcsfSerializer,
};
