/**
 * OUTPUT_FORMAT=ecs: one Elastic Common Schema document per line, with the
 * field names and rules of Elastic's AWS VPC flow integration
 * (elastic/integrations `packages/aws/data_stream/vpcflow`) and the Beats
 * `parse_aws_vpc_flow_log` processor. Every row is in docs/output-formats.md.
 */
import { isIP } from 'node:net';
import type { FlowLogFormat } from '../../../shared/flowlog/format.ts';
import { fieldIndex } from '../../../shared/flowlog/format.ts';
import type { FlowLogLine } from '../../../shared/flowlog/line.ts';
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

/** The ECS version written to `ecs.version` (the integration's). */
const ECS_VERSION = '8.11.0';

/** Last second RFC 3339 can write with a four-digit year. */
const MAX_RFC3339_SECONDS = 253402300799; // 9999-12-31T23:59:59Z

/** ECS `long` is Elasticsearch's signed 64-bit integer: 2^63 - 1 at most. */
const MAX_LONG = '9223372036854775807';

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

const K_ACCOUNT = k('account');
const K_ACTION = k('action');
const K_ADDRESS = k('address');
const K_AVAILABILITY_ZONE = k('availability_zone');
const K_AWS = k('aws');
const K_BYTES = k('bytes');
const K_CLOUD = k('cloud');
const K_CLUSTER = k('cluster');
const K_COMMUNITY_ID = k('community_id');
const K_CONTAINER = k('container');
const K_DESTINATION = k('destination');
const K_DIRECTION = k('direction');
const K_ECS = k('ecs');
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
const K_PROVIDER = k('provider');
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
const K_VERSION = k('version');
const K_VPCFLOW = k('vpcflow');
const V_AWS = v('aws');
const V_CONTAINER = v('container');
const V_ECS = v('ecs');
const V_ECS_VERSION = v(ECS_VERSION);
const V_IPV4 = v('ipv4');
const V_IPV6 = v('ipv6');

/** Fields whose value lives on in ECS fields, so not under `aws.vpcflow`. */
// biome-ignore format: field list
const MOVED_FIELDS = [
  'srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol', 'packets', 'bytes',
  'region', 'az-id', 'flow-direction',
];

/** Enrichment keys with an ECS home; the rest go to `aws.vpcflow.enrichment`. */
const MAPPED_ENRICHMENT = new Set(['protocol_name', 'community_id']);

/** Seconds → RFC 3339 text, remembering the last answer (lines share times). */
class TimeText {
  private seconds = -1;
  private text = '';

  /** @returns the UTC time, or undefined when absent or past year 9999 */
  of(line: FlowLogLine, index: number): string | undefined {
    const seconds = line.integer(index);
    if (seconds === undefined || seconds > MAX_RFC3339_SECONDS)
      return undefined;
    if (seconds !== this.seconds) {
      // toISOString: 'YYYY-MM-DDTHH:MM:SS.000Z'; whole seconds drop '.000'.
      this.text = `${new Date(seconds * 1000).toISOString().slice(0, 19)}Z`;
      this.seconds = seconds;
    }
    return this.text;
  }
}

/**
 * Writes each line as an ECS document. Field positions and key bytes are
 * computed once per format. O(line bytes + enrichment size) per line.
 *
 * @example new EcsSerializer(format).write(line, {}, writer)
 */
class EcsSerializer implements LineSerializer {
  readonly name = 'ecs';
  private readonly w = new NestedWriter();
  private readonly keys: readonly Buffer[];
  /** 1 where the field is not copied under `aws.vpcflow`. */
  private readonly moved: Uint8Array;
  private readonly index: Readonly<Record<string, number>>;
  private readonly startText = new TimeText();
  private readonly endText = new TimeText();
  /** This line's `bytes`/`packets` fit ECS `long` (else kept in aws.vpcflow). */
  private bytesFit = true;
  private packetsFit = true;

  constructor(format: FlowLogFormat) {
    this.keys = format.fields.map((field) => k(field.key));
    this.moved = new Uint8Array(format.fields.length);
    for (const name of MOVED_FIELDS) {
      const at = fieldIndex(format, name);
      if (at >= 0) this.moved[at] = 1;
    }
    const names = format.fields.map((field) => field.name);
    this.index = Object.fromEntries(
      names.map((name) => [name, fieldIndex(format, name)])
    );
  }

  /** Position of a field, -1 when the format lacks it. */
  private i(name: string): number {
    return this.index[name] ?? -1;
  }

  write(line: FlowLogLine, enrichment: Enrichment, out: ByteWriter): void {
    const w = this.w;
    w.begin(out);
    const start = this.startText.of(line, this.i('start'));
    const end = this.endText.of(line, this.i('end'));
    this.bytesFit = fitsLong(line, this.i('bytes'));
    this.packetsFit = fitsLong(line, this.i('packets'));
    if (end !== undefined) w.putString(K_TIMESTAMP, end);
    w.open(K_ECS);
    w.putConst(K_VERSION, V_ECS_VERSION);
    w.close();
    this.writeEvent(line, w, start, end);
    this.writeEndpoints(line, w);
    const usedDirection = this.writeNetwork(line, enrichment, w);
    this.writeCloud(line, w);
    this.writeOrchestrator(line, w);
    this.writeRelated(line, w);
    this.writeOriginal(line, enrichment, w, start, end, usedDirection);
    w.end();
  }

  private writeEvent(
    line: FlowLogLine,
    w: NestedWriter,
    start: string | undefined,
    end: string | undefined
  ): void {
    w.open(K_EVENT);
    w.putConst(undefined, EVENT_MEMBERS);
    const action = this.i('action');
    if (fieldIs(line, action, ACCEPT)) w.putConst(undefined, ACCEPT_MEMBERS);
    else if (fieldIs(line, action, REJECT)) {
      w.putConst(undefined, REJECT_MEMBERS);
    } else {
      w.putConst(undefined, CONNECTION_MEMBERS);
      const text = line.text(action);
      if (text !== undefined) w.putString(K_ACTION, text.toLowerCase());
    }
    if (start !== undefined) w.putString(K_START, start);
    if (end !== undefined) w.putString(K_END, end);
    w.putField(K_REASON, line, this.i('reject-reason'));
    w.close();
  }

  private writeEndpoints(line: FlowLogLine, w: NestedWriter): void {
    const src = this.i('srcaddr');
    const dst = this.i('dstaddr');
    // ECS `ip` takes addresses only; ports are 0-65535 (changed with the
    // typed-values fix: other values stay under aws.vpcflow).
    w.open(K_SOURCE);
    w.putField(K_ADDRESS, line, src);
    if (isAddress(line, src)) w.putField(K_IP, line, src);
    if (isPort(line, this.i('srcport'))) {
      w.putField(K_PORT, line, this.i('srcport'));
    }
    this.putCounters(line, w);
    w.close();
    w.open(K_DESTINATION);
    w.putField(K_ADDRESS, line, dst);
    if (isAddress(line, dst)) w.putField(K_IP, line, dst);
    if (isPort(line, this.i('dstport'))) {
      w.putField(K_PORT, line, this.i('dstport'));
    }
    w.close();
  }

  /** `bytes` and `packets` where ECS `long` holds them. */
  private putCounters(line: FlowLogLine, w: NestedWriter): void {
    if (this.bytesFit) w.putField(K_BYTES, line, this.i('bytes'));
    if (this.packetsFit) w.putField(K_PACKETS, line, this.i('packets'));
  }

  /** @returns true when enrichment `direction` was used */
  private writeNetwork(
    line: FlowLogLine,
    enrichment: Enrichment,
    w: NestedWriter
  ): boolean {
    w.open(K_NETWORK);
    this.putCounters(line, w);
    const protocol = this.i('protocol');
    w.putFieldAsString(K_IANA_NUMBER, line, protocol);
    const name = enrichment.protocol_name;
    const known = TRANSPORTS.get(line.integer(protocol) ?? -1);
    if (typeof name === 'string') w.putString(K_TRANSPORT, name.toLowerCase());
    else if (known !== undefined) w.putConst(K_TRANSPORT, known);
    const src = this.i('srcaddr');
    if (line.has(src) && isAddress(line, src)) {
      // As Beats does: a dot means IPv4, anything else IPv6.
      w.putConst(K_TYPE, fieldHasByte(line, src, 0x2e) ? V_IPV4 : V_IPV6);
    }
    const flowDirection = this.i('flow-direction');
    let usedDirection = false;
    if (line.has(flowDirection)) {
      w.putField(K_DIRECTION, line, flowDirection);
    } else if (typeof enrichment.direction === 'string') {
      w.putString(K_DIRECTION, enrichment.direction);
      usedDirection = true;
    }
    const communityId = enrichment.community_id;
    if (typeof communityId === 'string') {
      w.putString(K_COMMUNITY_ID, communityId);
    }
    w.close();
    return usedDirection;
  }

  private writeCloud(line: FlowLogLine, w: NestedWriter): void {
    w.open(K_CLOUD);
    w.putConst(K_PROVIDER, V_AWS);
    w.open(K_ACCOUNT);
    w.putField(K_ID, line, this.i('account-id'));
    w.close();
    w.putField(K_REGION, line, this.i('region'));
    w.putField(K_AVAILABILITY_ZONE, line, this.i('az-id'));
    w.open(K_INSTANCE);
    w.putField(K_ID, line, this.i('instance-id'));
    w.close();
    w.close();
  }

  /** The v7 ECS task fields, mapped as the Beats processor maps them. */
  private writeOrchestrator(line: FlowLogLine, w: NestedWriter): void {
    const clusterName = this.i('ecs-cluster-name');
    const instanceArn = this.i('ecs-container-instance-arn');
    w.open(K_ORCHESTRATOR);
    w.open(K_CLUSTER);
    w.putField(K_ID, line, this.i('ecs-cluster-arn'));
    w.putField(K_NAME, line, clusterName);
    w.close();
    if (line.has(clusterName)) w.putConst(K_TYPE, V_ECS);
    w.open(K_RESOURCE);
    w.putField(K_NAME, line, instanceArn);
    if (line.has(instanceArn)) w.putConst(K_TYPE, V_CONTAINER);
    w.putField(K_ID, line, this.i('ecs-container-instance-id'));
    w.close();
    w.close();
    w.open(K_CONTAINER);
    w.putField(K_ID, line, this.i('ecs-container-id'));
    w.close();
    w.open(K_SERVICE);
    w.putField(K_NAME, line, this.i('ecs-service-name'));
    w.close();
  }

  /** Distinct addresses: srcaddr, dstaddr, pkt-srcaddr, pkt-dstaddr. */
  private writeRelated(line: FlowLogLine, w: NestedWriter): void {
    const only = (name: string): number =>
      isAddress(line, this.i(name)) ? this.i(name) : -1;
    const a = only('srcaddr');
    const b = only('dstaddr');
    const c = only('pkt-srcaddr');
    const d = only('pkt-dstaddr');
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
    enrichment: Enrichment,
    w: NestedWriter,
    start: string | undefined,
    end: string | undefined,
    usedDirection: boolean
  ): void {
    const startIndex = this.i('start');
    const endIndex = this.i('end');
    const flags = this.i('tcp-flags');
    w.open(K_AWS);
    w.open(K_VPCFLOW);
    const bytes = this.bytesFit ? -1 : this.i('bytes');
    const packets = this.packetsFit ? -1 : this.i('packets');
    const kept = [bytes, packets];
    for (const name of ['srcport', 'dstport']) {
      if (!isPort(line, this.i(name))) kept.push(this.i(name));
    }
    for (const name of ['srcaddr', 'dstaddr']) {
      if (!isAddress(line, this.i(name))) kept.push(this.i(name));
    }
    for (let i = 0; i < this.keys.length; i++) {
      // Values ECS types cannot hold stay here, as written.
      if (this.moved[i] === 1 && !kept.includes(i)) continue;
      // Times stay here only when RFC 3339 cannot hold them.
      if (i === startIndex && start !== undefined) continue;
      if (i === endIndex && end !== undefined) continue;
      if (!line.has(i)) continue;
      w.putField(this.keys[i], line, i);
      if (i === flags) writeFlagNames(line, w, flags);
    }
    w.open(K_ENRICHMENT);
    w.putLeftoverEnrichment(enrichment, MAPPED_ENRICHMENT, usedDirection);
    w.close();
    w.close();
    w.close();
  }
}

/** True when the field is absent or an IP address (Node's `net.isIP`). */
function isAddress(line: FlowLogLine, index: number): boolean {
  const text = line.text(index);
  return text === undefined || isIP(text) !== 0;
}

/** True when the field is absent or a port 0-65535. */
function isPort(line: FlowLogLine, index: number): boolean {
  if (!line.has(index)) return true;
  const text = line.text(index)!;
  return /^\d{1,5}$/.test(text) && Number(text) <= 65535;
}

/** True when an integer field is absent or fits ECS `long` (2^63 - 1). */
function fitsLong(line: FlowLogLine, index: number): boolean {
  const digits = line.integerText(index);
  if (digits === undefined) return true;
  return (
    digits.length < MAX_LONG.length ||
    (digits.length === MAX_LONG.length && digits <= MAX_LONG)
  );
}

/**
 * `tcp_flags_array`: names of the set bits fin..urg (an empty array for 0,
 * as the integration writes). Only the low six bits count, and a number's
 * remainder by 64 equals that of its last six digits (10^6 = 64 × 15,625),
 * so values past 2^53 are read exactly.
 */
function writeFlagNames(
  line: FlowLogLine,
  w: NestedWriter,
  index: number
): void {
  // Above 255 is no TCP flags byte: no names (typed-values fix).
  const digits = line.integerText(index);
  if (digits === undefined || BigInt(digits) > 255n) return;
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

export { ECS_VERSION, EcsSerializer };
