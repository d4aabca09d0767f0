/**
 * OUTPUT_FORMAT=ocsf: one OCSF 1.1.0 Network Activity (class 4001) event per
 * line, mapped the way Amazon Security Lake and the OCSF VPC flow-log dossier
 * map VPC flow logs. Every mapping row is in docs/output-formats.md.
 */
import type { FlowLogFormat } from '../flowlog/format.ts';
import { fieldIndex } from '../flowlog/format.ts';
import type { FlowLogLine } from '../flowlog/line.ts';
import type { ByteWriter } from './byte-writer.ts';
import {
  fieldHasByte,
  fieldIs,
  keyBytes as k,
  NestedWriter,
  sameField,
  valueBytes as v,
} from './nested-writer.ts';
import type { Enrichment, LineSerializer } from './types.ts';

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
const TRAFFIC_MEMBERS = Buffer.from(
  '"activity_id":6,"activity_name":"Traffic","type_uid":400106,' +
    '"type_name":"Network Activity: Traffic"',
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
const SUCCESS_MEMBERS = Buffer.from('"status_id":1,"status":"Success"');
const FAILURE_MEMBERS = Buffer.from('"status_id":2,"status":"Failure"');

const K_ACCOUNT = k('account');
const K_ACTION = k('action');
const K_ACTION_ID = k('action_id');
const K_BOUNDARY = k('boundary');
const K_BOUNDARY_ID = k('boundary_id');
const K_BYTES = k('bytes');
const K_CLOUD = k('cloud');
const K_COMMUNITY_UID = k('community_uid');
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
const K_METADATA = k('metadata');
const K_PACKETS = k('packets');
const K_PORT = k('port');
const K_PRODUCT = k('product');
const K_PROTOCOL_NAME = k('protocol_name');
const K_PROTOCOL_NUM = k('protocol_num');
const K_PROTOCOL_VER = k('protocol_ver');
const K_PROTOCOL_VER_ID = k('protocol_ver_id');
const K_PROVIDER = k('provider');
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
const V_AWS = v('AWS');
const V_OTHER = v(99);

/** Largest seconds value whose milliseconds difference stays exact. */
const MAX_EXACT_SECONDS = Math.floor(Number.MAX_SAFE_INTEGER / 1000);

/** Enrichment keys with an OCSF home; the rest go to `unmapped.enrichment`. */
const MAPPED_ENRICHMENT = new Set(['protocol_name', 'community_id']);

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
  };
}

/**
 * Writes each line as an OCSF Network Activity event. Field positions and
 * key bytes are computed once per format; per line it copies field bytes and
 * preformatted constants. O(line bytes + enrichment size) per line.
 *
 * @example new OcsfSerializer(format).write(line, {}, writer)
 */
class OcsfSerializer implements LineSerializer {
  readonly name = 'ocsf';
  private readonly w = new NestedWriter();
  private readonly keys: readonly Buffer[];
  /** 1: always mapped; 2: mapped only when flow-direction is known. */
  private readonly mapped: Uint8Array;
  private readonly src: Side;
  private readonly dst: Side;
  private readonly at: Readonly<Record<string, number>>;
  /** TGW endpoint fields are used only in formats without interface fields. */
  private readonly tgwEndpoints: boolean;

  constructor(format: FlowLogFormat) {
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
    mark(ALWAYS_MAPPED, 1);
    mark(INTERFACE_FIELDS, 2);
    if (this.tgwEndpoints) mark(TGW_ENDPOINT_FIELDS, 1);
    const names = [...ALWAYS_MAPPED, ...INTERFACE_FIELDS];
    this.at = Object.fromEntries(names.map((name) => [name, at(name)]));
  }

  write(line: FlowLogLine, enrichment: Enrichment, out: ByteWriter): void {
    const w = this.w;
    w.begin(out);
    w.putConst(undefined, CLASS_MEMBERS);
    this.writeActivity(line, w);
    this.writeStatus(line, w);
    this.writeTimes(line, w);
    this.writeMetadata(line, w);
    this.writeCloud(line, w);
    const direction = this.flowDirection(line);
    this.writeEndpoint(line, w, this.src, direction === DIRECTION.OUTBOUND);
    this.writeEndpoint(line, w, this.dst, direction === DIRECTION.INBOUND);
    const usedDirection = this.writeConnection(line, enrichment, w, direction);
    w.open(K_TRAFFIC);
    w.putField(K_PACKETS, line, this.at.packets!);
    w.putField(K_BYTES, line, this.at.bytes!);
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
      // An undocumented action: Other (99), captioned with the source value.
      w.putConst(K_ACTION_ID, V_OTHER);
      w.putField(K_ACTION, line, action);
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

  /** `start`/`end` (seconds) → time, start_time, end_time, duration (ms). */
  private writeTimes(line: FlowLogLine, w: NestedWriter): void {
    const start = this.at.start!;
    const end = this.at.end!;
    w.putFieldTimes1000(K_TIME, line, line.has(start) ? start : end);
    w.putFieldTimes1000(K_START_TIME, line, start);
    w.putFieldTimes1000(K_END_TIME, line, end);
    const first = line.integer(start);
    const last = line.integer(end);
    if (
      first !== undefined &&
      last !== undefined &&
      last >= first &&
      last <= MAX_EXACT_SECONDS
    ) {
      w.putNumber(K_DURATION, (last - first) * 1000);
    }
  }

  private writeMetadata(line: FlowLogLine, w: NestedWriter): void {
    w.open(K_METADATA);
    w.putConst(undefined, METADATA_MEMBERS);
    w.open(K_PRODUCT);
    w.putConst(undefined, PRODUCT_MEMBERS);
    w.putFieldAsString(K_VERSION, line, this.at.version!);
    w.close();
    w.close();
  }

  private writeCloud(line: FlowLogLine, w: NestedWriter): void {
    w.open(K_CLOUD);
    w.putConst(K_PROVIDER, V_AWS);
    w.open(K_ACCOUNT);
    w.putField(K_UID, line, this.at['account-id']!);
    w.close();
    w.putField(K_REGION, line, this.at.region!);
    w.putField(K_ZONE, line, this.at['az-id']!);
    w.close();
  }

  /** INBOUND, OUTBOUND, UNKNOWN when absent, -1 for another value. */
  private flowDirection(line: FlowLogLine): number {
    const index = this.at['flow-direction']!;
    if (!line.has(index)) return DIRECTION.UNKNOWN;
    if (fieldIs(line, index, INGRESS)) return DIRECTION.INBOUND;
    if (fieldIs(line, index, EGRESS)) return DIRECTION.OUTBOUND;
    return -1;
  }

  /**
   * One endpoint. The packet-level address is the endpoint's IP; a different
   * interface-level address becomes an intermediate IP. `owns` says the
   * capturing interface is this side (egress: source, ingress: destination).
   */
  private writeEndpoint(
    line: FlowLogLine,
    w: NestedWriter,
    side: Side,
    owns: boolean
  ): void {
    w.open(side.key);
    if (line.has(side.pkt) && !sameField(line, side.pkt, side.addr)) {
      w.putField(K_IP, line, side.pkt);
      w.openArray(K_INTERMEDIATE_IPS);
      w.putField(undefined, line, side.addr);
      w.close();
    } else {
      w.putField(K_IP, line, side.addr);
    }
    w.putField(K_PORT, line, side.port);
    w.putField(K_SVC_NAME, line, side.service);
    if (owns) {
      const at = this.at;
      w.putField(K_INTERFACE_UID, line, at['interface-id']!);
      w.putField(K_VPC_UID, line, at['vpc-id']!);
      w.putField(K_INSTANCE_UID, line, at['instance-id']!);
      w.putField(K_SUBNET_UID, line, at['subnet-id']!);
    }
    if (this.tgwEndpoints) {
      w.putField(K_INTERFACE_UID, line, side.tgwEni);
      w.putField(K_VPC_UID, line, side.tgwVpc);
      w.putField(K_SUBNET_UID, line, side.tgwSubnet);
    }
    w.close();
  }

  /** @returns true when enrichment `direction` was used */
  private writeConnection(
    line: FlowLogLine,
    enrichment: Enrichment,
    w: NestedWriter,
    direction: number
  ): boolean {
    w.open(K_CONNECTION_INFO);
    w.putField(K_PROTOCOL_NUM, line, this.at.protocol!);
    const protocolName = enrichment.protocol_name;
    if (typeof protocolName === 'string') {
      w.putString(K_PROTOCOL_NAME, protocolName.toLowerCase());
    }
    this.writeProtocolVersion(line, w);
    w.putField(K_TCP_FLAGS, line, this.at['tcp-flags']!);
    this.writeBoundary(line, w);
    const communityId = enrichment.community_id;
    if (typeof communityId === 'string') {
      w.putString(K_COMMUNITY_UID, communityId);
    }
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
    enrichment: Enrichment,
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
    const enriched = enrichment.direction;
    if (typeof enriched === 'string') {
      const id = directionIdOf(enriched);
      if (id === undefined) {
        w.putConst(K_DIRECTION_ID, V_OTHER);
        w.putString(K_DIRECTION, enriched);
      } else {
        w.putConst(undefined, DIRECTION_MEMBERS[id]!);
      }
      return true;
    }
    if (w.hasMembers()) w.putConst(undefined, DIRECTION_MEMBERS[0]!);
    return false;
  }

  /** Fields without an OCSF home, and enrichment keys without one. */
  private writeUnmapped(
    line: FlowLogLine,
    enrichment: Enrichment,
    w: NestedWriter,
    direction: number,
    usedDirection: boolean
  ): void {
    const mapped = this.mapped;
    const keys = this.keys;
    // The interface's fields have an endpoint only when the side is known.
    const ownedLevel = direction > 0 ? 2 : 1;
    w.open(K_UNMAPPED);
    for (let i = 0; i < keys.length; i++) {
      const level = mapped[i]!;
      if (level !== 0 && level <= ownedLevel) continue;
      w.putField(keys[i], line, i);
    }
    w.open(K_ENRICHMENT);
    w.putLeftoverEnrichment(enrichment, MAPPED_ENRICHMENT, usedDirection);
    w.close();
    w.close();
  }
}

/** An enrichment `direction` word → OCSF direction_id, if it has one. */
function directionIdOf(direction: string): number | undefined {
  switch (direction.toLowerCase()) {
    case 'ingress':
    case 'inbound':
      return DIRECTION.INBOUND;
    case 'egress':
    case 'outbound':
      return DIRECTION.OUTBOUND;
    case 'internal':
    case 'lateral':
      return DIRECTION.LATERAL;
    default:
      return undefined;
  }
}

export { OCSF_VERSION, OcsfSerializer };
