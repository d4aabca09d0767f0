/**
 * OUTPUT_FORMAT=ecs: one Elastic Common Schema document per line, with the
 * field names and rules of Elastic's AWS VPC flow integration
 * (elastic/integrations `packages/aws/data_stream/vpcflow`) and the Beats
 * `parse_aws_vpc_flow_log` processor. Every row is in docs/output-formats.md.
 */
import type { FlowLogFormat } from '../flowlog/format.ts';
import { fieldIndex } from '../flowlog/format.ts';
import type { FlowLogLine } from '../flowlog/line.ts';
import { parseIp } from '../net/ip.ts';
import type { ByteWriter } from './byte-writer.ts';
import { ENRICHMENT_ROLE, type LineEnrichment } from './enrichment.ts';
import { IsoSecondsWriter, MAX_ISO_SECONDS } from './iso-time.ts';
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

/** The ECS version written to `ecs.version` (the integration's). */
const ECS_VERSION = '8.11.0';

/**
 * The largest port ECS `source.port`/`destination.port` take: a TCP/UDP
 * port is 16 bits (RFC 9293 §3.1, RFC 768).
 */
const MAX_PORT = 65535;

/** ECS `long` is Elasticsearch's signed 64-bit integer: 2^63 - 1 at most. */
const MAX_LONG = Buffer.from('9223372036854775807', 'latin1');

const EVENT_MEMBERS = Buffer.from(
  '"kind":"event","category":["network"],"dataset":"aws.vpcflow"',
  'latin1'
);
const ACCEPT_MEMBERS = Buffer.from(
  '"type":["connection","allowed"],"action":"accept","outcome":"success"',
  'latin1'
);
const REJECT_MEMBERS = Buffer.from(
  '"type":["connection","denied"],"action":"reject","outcome":"failure"',
  'latin1'
);
const CONNECTION_MEMBERS = Buffer.from('"type":["connection"]', 'latin1');

/** IANA numbers the integration names in `network.transport`. */
const TRANSPORTS: ReadonlyMap<number, Buffer> = new Map(
  (
    [
      [0, 'hopopt'],
      [1, 'icmp'],
      [2, 'igmp'],
      [6, 'tcp'],
      [8, 'egp'],
      [17, 'udp'],
      [47, 'gre'],
      [50, 'esp'],
      [58, 'ipv6-icmp'],
      [112, 'vrrp'],
      [132, 'sctp'],
    ] as const
  ).map(([number, name]) => [number, v(name)])
);

/** TCP flag names by bit, as the integration writes `tcp_flags_array`. */
const TCP_FLAG_NAMES = ['fin', 'syn', 'rst', 'psh', 'ack', 'urg'].map((n) =>
  v(n)
);

const ACCEPT = Buffer.from('ACCEPT');
const REJECT = Buffer.from('REJECT');

/** `"ecs":{"version":"8.11.0"}`. */
const ECS_MEMBER = Buffer.from(
  `"ecs":{"version":${JSON.stringify(ECS_VERSION)}}`
);
/** `"cloud":{"provider":"aws"`. */
const CLOUD_OPEN = Buffer.from('"cloud":{"provider":"aws"');
const CLOSE_ONE = Buffer.from('}');

const K_ACCOUNT = k('account');
const K_ACTION = k('action');
const K_ADDRESS = k('address');
const K_AVAILABILITY_ZONE = k('availability_zone');
const K_AWS = k('aws');
const K_BYTES = k('bytes');
const K_CLUSTER = k('cluster');
const K_COMMUNITY_ID = k('community_id');
const K_CONTAINER = k('container');
const K_DESTINATION = k('destination');
const K_DIRECTION = k('direction');
const K_END = k('end');
const K_ENRICHMENT = k('enrichment');
const K_EVENT = k('event');
const K_IANA_NUMBER = k('iana_number');
const K_ID = k('id');
const K_INSTANCE = k('instance');
const K_IP = k('ip');
const K_NAME = k('name');
const K_NETWORK = k('network');
const K_ORCHESTRATOR = k('orchestrator');
const K_PACKETS = k('packets');
const K_PORT = k('port');
const K_REASON = k('reason');
const K_REGION = k('region');
const K_RELATED = k('related');
const K_RESOURCE = k('resource');
const K_SERVICE = k('service');
const K_SOURCE = k('source');
const K_START = k('start');
const K_TCP_FLAGS_ARRAY = k('tcp_flags_array');
const K_TIMESTAMP = k('@timestamp');
const K_TRANSPORT = k('transport');
const K_TYPE = k('type');
const K_VPCFLOW = k('vpcflow');
const V_CONTAINER = v('container');
const V_ECS = v('ecs');
const V_IPV4 = v('ipv4');
const V_IPV6 = v('ipv6');

/** Fields whose value lives on in ECS fields, so not under `aws.vpcflow`. */
// biome-ignore format: field list
const MOVED_FIELDS = [
  'srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol', 'packets', 'bytes',
  'region', 'az-id', 'flow-direction',
];

/**
 * Enrichment roles with an ECS home (`1 << role`); the rest go to
 * `aws.vpcflow.enrichment`.
 */
const MAPPED_ENRICHMENT =
  (1 << ENRICHMENT_ROLE.PROTOCOL_NAME) | (1 << ENRICHMENT_ROLE.COMMUNITY_ID);

/**
 * A time field's Unix seconds when RFC 3339 can write them (absent: -1;
 * past 9999-12-31T23:59:59Z: -1, so the value stays under `aws.vpcflow`).
 */
function rfc3339Seconds(line: FlowLogLine, index: number): number {
  const seconds = line.integer(index);
  if (seconds === undefined || seconds > MAX_ISO_SECONDS) return -1;
  return seconds;
}

/** Positions of the fields the writer reads (-1 when the format lacks one). */
interface EcsFields {
  readonly accountId: number;
  readonly action: number;
  readonly azId: number;
  readonly bytes: number;
  readonly dstaddr: number;
  readonly dstport: number;
  readonly ecsClusterArn: number;
  readonly ecsClusterName: number;
  readonly ecsContainerId: number;
  readonly ecsContainerInstanceArn: number;
  readonly ecsContainerInstanceId: number;
  readonly ecsServiceName: number;
  readonly end: number;
  readonly flowDirection: number;
  readonly instanceId: number;
  readonly packets: number;
  readonly pktDstaddr: number;
  readonly pktSrcaddr: number;
  readonly protocol: number;
  readonly region: number;
  readonly rejectReason: number;
  readonly srcaddr: number;
  readonly srcport: number;
  readonly start: number;
  readonly tcpFlags: number;
}

/** The {@link EcsFields} of a format. */
function ecsFieldsOf(format: FlowLogFormat): EcsFields {
  const at = (name: string): number => fieldIndex(format, name);
  return {
    accountId: at('account-id'),
    action: at('action'),
    azId: at('az-id'),
    bytes: at('bytes'),
    dstaddr: at('dstaddr'),
    dstport: at('dstport'),
    ecsClusterArn: at('ecs-cluster-arn'),
    ecsClusterName: at('ecs-cluster-name'),
    ecsContainerId: at('ecs-container-id'),
    ecsContainerInstanceArn: at('ecs-container-instance-arn'),
    ecsContainerInstanceId: at('ecs-container-instance-id'),
    ecsServiceName: at('ecs-service-name'),
    end: at('end'),
    flowDirection: at('flow-direction'),
    instanceId: at('instance-id'),
    packets: at('packets'),
    pktDstaddr: at('pkt-dstaddr'),
    pktSrcaddr: at('pkt-srcaddr'),
    protocol: at('protocol'),
    region: at('region'),
    rejectReason: at('reject-reason'),
    srcaddr: at('srcaddr'),
    srcport: at('srcport'),
    start: at('start'),
    tcpFlags: at('tcp-flags'),
  };
}

/**
 * Writes each line as an ECS document. Field positions and key bytes are
 * computed once per format. O(line bytes + enrichment size) per line.
 *
 * @example new EcsSerializer(format).write(line, NO_ENRICHMENT, writer)
 */
class EcsSerializer implements LineSerializer {
  readonly name = 'ecs';
  private readonly w = new NestedWriter();
  private readonly keys: readonly Buffer[];
  /** 1 where the field is not copied under `aws.vpcflow`. */
  private readonly moved: Uint8Array;
  /** Field positions, read as properties of one fixed shape per line. */
  private readonly f: EcsFields;
  private readonly startText = new IsoSecondsWriter();
  private readonly endText = new IsoSecondsWriter();
  /**
   * The `aws.vpcflow` member lists, compiled per combination of which of
   * `start`, `end` (RFC 3339 holds it), `bytes`, `packets` (ECS long holds
   * it) moved out: index {@link originalVariant}.
   */
  private readonly originals: (OriginalPlan | undefined)[];
  /** source.address, source.ip, source.port; the same for destination. */
  private readonly sourceMembers: FieldList;
  private readonly destinationMembers: FieldList;
  /** cloud.region and cloud.availability_zone. */
  private readonly cloudMembers: FieldList;
  /**
   * This line's {@link originalVariant}: which of the moved fields ECS
   * types hold (the others stay in `aws.vpcflow`).
   */
  private variant = 0;
  /** Parsed-address scratch for {@link isAddress}. */
  private readonly scratch = new Uint8Array(16);

  constructor(format: FlowLogFormat) {
    this.keys = format.fields.map((field) => k(field.key));
    this.moved = new Uint8Array(format.fields.length);
    for (const name of MOVED_FIELDS) {
      const at = fieldIndex(format, name);
      if (at >= 0) this.moved[at] = 1;
    }
    this.f = ecsFieldsOf(format);
    const f = this.f;
    this.sourceMembers = fieldList([
      [f.srcaddr, K_ADDRESS],
      [f.srcaddr, K_IP],
      [f.srcport, K_PORT],
    ]);
    this.destinationMembers = fieldList([
      [f.dstaddr, K_ADDRESS],
      [f.dstaddr, K_IP],
      [f.dstport, K_PORT],
    ]);
    this.cloudMembers = fieldList([
      [f.region, K_REGION],
      [f.azId, K_AVAILABILITY_ZONE],
    ]);
    this.originals = new Array<OriginalPlan | undefined>(VARIANTS);
  }

  /** The compiled plan of a variant (compiled on first use: 256 exist). */
  private original(variant: number): OriginalPlan {
    let plan = this.originals[variant];
    if (plan === undefined) {
      plan = this.compileOriginal(variant);
      this.originals[variant] = plan;
    }
    return plan;
  }

  /**
   * True when the field is absent or an IPv4/IPv6 address ECS `ip` takes;
   * false for other text (`999.1.1.1`, `1.2.3.4/8`), which stays in
   * `aws.vpcflow` and out of `source.ip`/`destination.ip`/`related.ip`.
   */
  private isAddress(line: FlowLogLine, index: number): boolean {
    if (!line.has(index)) return true;
    const bytes = line.bytes;
    const start = line.starts[index]!;
    return parseIp(bytes, start, line.ends[index]!, this.scratch) !== 0;
  }

  /** True when a present field is an address (absent: false). */
  private hasAddress(line: FlowLogLine, index: number): boolean {
    return line.has(index) && this.isAddress(line, index);
  }

  /** The `aws.vpcflow` field members of one {@link originalVariant}. */
  private compileOriginal(variant: number): OriginalPlan {
    const f = this.f;
    const skipped = [
      (variant & 1) !== 0 ? f.start : -1,
      (variant & 2) !== 0 ? f.end : -1,
    ];
    const kept = [
      f.bytes,
      f.packets,
      f.srcport,
      f.dstport,
      f.srcaddr,
      f.dstaddr,
    ]
      .map((index, bit) => ((variant & (4 << bit)) === 0 ? index : -1))
      .filter((index) => index >= 0);
    const indices: number[] = [];
    for (let i = 0; i < this.keys.length; i++) {
      if (this.moved[i] === 1 && !kept.includes(i)) continue;
      if (skipped.includes(i)) continue;
      indices.push(i);
    }
    return {
      indices: Int32Array.from(indices),
      keys: indices.map((i) => this.keys[i]!),
      flagsEnd: indices.indexOf(this.f.tcpFlags) + 1,
    };
  }

  write(line: FlowLogLine, enrichment: LineEnrichment, out: ByteWriter): void {
    const w = this.w;
    w.begin(out);
    const start = rfc3339Seconds(line, this.f.start);
    const end = rfc3339Seconds(line, this.f.end);
    const f = this.f;
    this.variant = originalVariant(
      start >= 0,
      end >= 0,
      fitsLong(line, f.bytes),
      fitsLong(line, f.packets),
      fitsPort(line, f.srcport),
      fitsPort(line, f.dstport),
      this.isAddress(line, f.srcaddr),
      this.isAddress(line, f.dstaddr)
    );
    if (end >= 0) this.endText.write(w.prefix(K_TIMESTAMP), end);
    w.putConst(undefined, ECS_MEMBER);
    this.writeEvent(line, w, start, end);
    this.writeEndpoints(line, w);
    const usedDirection = this.writeNetwork(line, enrichment, w);
    this.writeCloud(line, w);
    this.writeOrchestrator(line, w);
    this.writeRelated(line, w);
    this.writeOriginal(line, enrichment, w, usedDirection);
    w.end();
  }

  private writeEvent(
    line: FlowLogLine,
    w: NestedWriter,
    start: number,
    end: number
  ): void {
    w.open(K_EVENT);
    w.putConst(undefined, EVENT_MEMBERS);
    const action = this.f.action;
    if (fieldIs(line, action, ACCEPT)) w.putConst(undefined, ACCEPT_MEMBERS);
    else if (fieldIs(line, action, REJECT)) {
      w.putConst(undefined, REJECT_MEMBERS);
    } else {
      w.putConst(undefined, CONNECTION_MEMBERS);
      const text = line.text(action);
      if (text !== undefined) w.putString(K_ACTION, text.toLowerCase());
    }
    if (start >= 0) this.startText.write(w.prefix(K_START), start);
    if (end >= 0) this.endText.write(w.prefix(K_END), end);
    w.putField(K_REASON, line, this.f.rejectReason);
    w.close();
  }

  private writeEndpoints(line: FlowLogLine, w: NestedWriter): void {
    const f = this.f;
    const variant = this.variant;
    w.open(K_SOURCE);
    if (
      (variant & (SRCPORT_FITS | SRCADDR_IP)) ===
      (SRCPORT_FITS | SRCADDR_IP)
    ) {
      w.putFields(line, this.sourceMembers);
    } else {
      this.putEndpoint(line, w, f.srcaddr, f.srcport, SRCADDR_IP, SRCPORT_FITS);
    }
    this.putCounters(line, w);
    w.close();
    w.open(K_DESTINATION);
    if (
      (variant & (DSTPORT_FITS | DSTADDR_IP)) ===
      (DSTPORT_FITS | DSTADDR_IP)
    ) {
      w.putFields(line, this.destinationMembers);
    } else {
      this.putEndpoint(line, w, f.dstaddr, f.dstport, DSTADDR_IP, DSTPORT_FITS);
    }
    w.close();
  }

  /**
   * `address`, `ip`, `port` of a side with a value ECS types refuse: text
   * that is no address keeps `address` (ECS `keyword`) but not `ip` (ECS
   * `ip`); a port outside 0-65535 is left out (it stays in `aws.vpcflow`).
   */
  private putEndpoint(
    line: FlowLogLine,
    w: NestedWriter,
    addr: number,
    port: number,
    addrBit: number,
    portBit: number
  ): void {
    w.putField(K_ADDRESS, line, addr);
    if ((this.variant & addrBit) !== 0) w.putField(K_IP, line, addr);
    if ((this.variant & portBit) !== 0) w.putField(K_PORT, line, port);
  }

  /** `bytes` and `packets` where ECS `long` holds them. */
  private putCounters(line: FlowLogLine, w: NestedWriter): void {
    if ((this.variant & BYTES_FIT) !== 0)
      w.putField(K_BYTES, line, this.f.bytes);
    if ((this.variant & PACKETS_FIT) !== 0) {
      w.putField(K_PACKETS, line, this.f.packets);
    }
  }

  /** @returns true when enrichment `direction` was used */
  private writeNetwork(
    line: FlowLogLine,
    enrichment: LineEnrichment,
    w: NestedWriter
  ): boolean {
    w.open(K_NETWORK);
    this.putCounters(line, w);
    const protocol = this.f.protocol;
    w.putFieldAsString(K_IANA_NUMBER, line, protocol);
    const name = enrichment.find(ENRICHMENT_ROLE.PROTOCOL_NAME);
    if (name >= 0) {
      enrichment.copyValueLowercase(name, w.prefix(K_TRANSPORT));
    } else {
      const known = TRANSPORTS.get(line.integer(protocol) ?? -1);
      if (known !== undefined) w.putConst(K_TRANSPORT, known);
    }
    const src = this.f.srcaddr;
    if (line.has(src) && (this.variant & SRCADDR_IP) !== 0) {
      // As Beats does: a dot means IPv4, anything else IPv6.
      w.putConst(K_TYPE, fieldHasByte(line, src, 0x2e) ? V_IPV4 : V_IPV6);
    }
    const flowDirection = this.f.flowDirection;
    let usedDirection = false;
    if (line.has(flowDirection)) {
      w.putField(K_DIRECTION, line, flowDirection);
    } else {
      const direction = enrichment.find(ENRICHMENT_ROLE.DIRECTION);
      if (direction >= 0) {
        enrichment.copyValue(direction, w.prefix(K_DIRECTION));
        usedDirection = true;
      }
    }
    const communityId = enrichment.find(ENRICHMENT_ROLE.COMMUNITY_ID);
    if (communityId >= 0) {
      enrichment.copyValue(communityId, w.prefix(K_COMMUNITY_ID));
    }
    w.close();
    return usedDirection;
  }

  private writeCloud(line: FlowLogLine, w: NestedWriter): void {
    // cloud always has provider: opened with it as one run (see putRaw).
    w.putConst(undefined, CLOUD_OPEN);
    w.open(K_ACCOUNT);
    w.putField(K_ID, line, this.f.accountId);
    w.close();
    w.putFields(line, this.cloudMembers);
    w.open(K_INSTANCE);
    w.putField(K_ID, line, this.f.instanceId);
    w.close();
    w.putRaw(CLOSE_ONE);
  }

  /** The v7 ECS task fields, mapped as the Beats processor maps them. */
  private writeOrchestrator(line: FlowLogLine, w: NestedWriter): void {
    const clusterName = this.f.ecsClusterName;
    const instanceArn = this.f.ecsContainerInstanceArn;
    w.open(K_ORCHESTRATOR);
    w.open(K_CLUSTER);
    w.putField(K_ID, line, this.f.ecsClusterArn);
    w.putField(K_NAME, line, clusterName);
    w.close();
    if (line.has(clusterName)) w.putConst(K_TYPE, V_ECS);
    w.open(K_RESOURCE);
    w.putField(K_NAME, line, instanceArn);
    if (line.has(instanceArn)) w.putConst(K_TYPE, V_CONTAINER);
    w.putField(K_ID, line, this.f.ecsContainerInstanceId);
    w.close();
    w.close();
    w.open(K_CONTAINER);
    w.putField(K_ID, line, this.f.ecsContainerId);
    w.close();
    w.open(K_SERVICE);
    w.putField(K_NAME, line, this.f.ecsServiceName);
    w.close();
  }

  /**
   * Distinct addresses: srcaddr, dstaddr, pkt-srcaddr, pkt-dstaddr. Text
   * that is no address is left out (`related.ip` is ECS type `ip`).
   */
  private writeRelated(line: FlowLogLine, w: NestedWriter): void {
    // srcaddr/dstaddr were parsed once for this line's variant.
    const a = (this.variant & SRCADDR_IP) !== 0 ? this.f.srcaddr : -1;
    const b = (this.variant & DSTADDR_IP) !== 0 ? this.f.dstaddr : -1;
    const c = this.hasAddress(line, this.f.pktSrcaddr) ? this.f.pktSrcaddr : -1;
    const d = this.hasAddress(line, this.f.pktDstaddr) ? this.f.pktDstaddr : -1;
    w.open(K_RELATED);
    w.openArray(K_IP);
    w.putField(undefined, line, a);
    if (!sameField(line, b, a)) w.putField(undefined, line, b);
    if (!sameField(line, c, a) && !sameField(line, c, b)) {
      w.putField(undefined, line, c);
    }
    if (
      !sameField(line, d, a) &&
      !sameField(line, d, b) &&
      !sameField(line, d, c)
    ) {
      w.putField(undefined, line, d);
    }
    w.close();
    w.close();
  }

  /** `aws.vpcflow`: the flow-log fields not moved, flag names, enrichment. */
  private writeOriginal(
    line: FlowLogLine,
    enrichment: LineEnrichment,
    w: NestedWriter,
    usedDirection: boolean
  ): void {
    const { indices, keys, flagsEnd } = this.original(this.variant);
    w.open(K_AWS);
    w.open(K_VPCFLOW);
    if (flagsEnd > 0) {
      // The flag names follow tcp-flags when it is present.
      w.putFieldList(line, indices, keys, 0, flagsEnd);
      const flags = this.f.tcpFlags;
      if (line.has(flags)) writeFlagNames(line, w, flags);
    }
    w.putFieldList(line, indices, keys, flagsEnd, indices.length);
    w.open(K_ENRICHMENT);
    w.putLeftoverEnrichment(enrichment, MAPPED_ENRICHMENT, usedDirection);
    w.close();
    w.close();
    w.close();
  }
}

/** The `aws.vpcflow` members for one variant, in format order. */
interface OriginalPlan extends FieldList {
  /** Members up to and including `tcp-flags`; 0 when not among them. */
  readonly flagsEnd: number;
}

/** {@link originalVariant} bits: the field's value has its ECS home. */
const BYTES_FIT = 4;
const PACKETS_FIT = 8;
const SRCPORT_FITS = 16;
const DSTPORT_FITS = 32;
const SRCADDR_IP = 64;
const DSTADDR_IP = 128;
/** How many variants exist. */
const VARIANTS = 256;

/** Which {@link OriginalPlan} a line uses: one bit per field moved out. */
function originalVariant(
  startIso: boolean,
  endIso: boolean,
  bytesFit: boolean,
  packetsFit: boolean,
  srcportFits: boolean,
  dstportFits: boolean,
  srcaddrIp: boolean,
  dstaddrIp: boolean
): number {
  return (
    (startIso ? 1 : 0) |
    (endIso ? 2 : 0) |
    (bytesFit ? BYTES_FIT : 0) |
    (packetsFit ? PACKETS_FIT : 0) |
    (srcportFits ? SRCPORT_FITS : 0) |
    (dstportFits ? DSTPORT_FITS : 0) |
    (srcaddrIp ? SRCADDR_IP : 0) |
    (dstaddrIp ? DSTADDR_IP : 0)
  );
}

/** True when a port field is absent or an integer 0-65535 (ECS port). */
function fitsPort(line: FlowLogLine, index: number): boolean {
  if (!line.has(index)) return true;
  const value = line.integer(index);
  return value !== undefined && value <= MAX_PORT;
}

/** True when an integer field is absent or fits ECS `long` (2^63 - 1). */
function fitsLong(line: FlowLogLine, index: number): boolean {
  return !isIntegerField(line, index) || digitsAtMost(line, index, MAX_LONG);
}

/**
 * `tcp_flags_array`: names of the set bits fin..urg (an empty array for 0,
 * as the integration writes). Only the low six bits count, and a number's
 * remainder by 64 equals that of its last six digits (10^6 = 64 × 15,625).
 * A value above 255 is no TCP flags byte (RFC 9293 §3.1: 8 control bits),
 * so it gets no array, as the `tcp_flags` enricher adds nothing for it.
 */
function writeFlagNames(
  line: FlowLogLine,
  w: NestedWriter,
  index: number
): void {
  const value = line.integer(index);
  if (value === undefined || value > 255) return;
  const end = line.ends[index]!;
  let low = 0;
  for (let at = Math.max(line.starts[index]!, end - 6); at < end; at++) {
    low = low * 10 + (line.bytes[at]! - 0x30);
  }
  const bits = low % 64;
  w.openArray(K_TCP_FLAGS_ARRAY);
  w.materialize();
  for (let bit = 0; bit < TCP_FLAG_NAMES.length; bit++) {
    if ((bits & (1 << bit)) !== 0) w.putConst(undefined, TCP_FLAG_NAMES[bit]!);
  }
  w.close();
}

/**
 * Keys the writer itself adds inside `aws.vpcflow`, next to the field-named
 * members: a format field with one of these output keys would repeat it
 * (RFC 8259 §4: names within an object SHOULD be unique).
 */
const ECS_VPCFLOW_WRITER_KEYS: readonly string[] = [
  'tcp_flags_array',
  'enrichment',
];

export { ECS_VERSION, ECS_VPCFLOW_WRITER_KEYS, EcsSerializer };
