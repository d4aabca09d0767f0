import { describe, expect, it } from 'vitest';
import {
  createEnrichers,
  DEFAULT_INTERNAL_CIDRS,
  type EniCache,
  loadBundledIpRanges,
  protocolName,
  tcpFlagNames,
} from '../../../shared/enrich/index.ts';
import { PROTOCOL_NAMES } from '../../../shared/enrich/protocol.ts';
import { isoSeconds } from '../../../shared/enrich/time.ts';
import { VPC_DEFAULT_FORMAT } from '../../../shared/flowlog/fields.ts';
import { parseFormat } from '../../../shared/flowlog/format.ts';
import { FlowLogLine } from '../../../shared/flowlog/line.ts';
import { planScan, scanLine } from '../../../shared/flowlog/scan.ts';
import { LineEnrichment } from '../../../shared/output/enrichment.ts';
import type { Enrichment } from '../../../shared/output/types.ts';

/** Runs the named enrichers over one line, as the transform loop does. */
function enrich(
  names: string[],
  formatText: string,
  text: string,
  extra: { eniCache?: EniCache; internalCidrs?: string[] } = {}
): Enrichment {
  const format = parseFormat(formatText);
  const line = new FlowLogLine(format);
  const reason = scanLine(
    Buffer.from(text),
    0,
    text.length,
    planScan(format),
    line
  );
  if (reason !== undefined) throw new Error(`bad test line: ${reason}`);
  const enrichers = createEnrichers(names, format, {
    internalCidrs: extra.internalCidrs ?? DEFAULT_INTERNAL_CIDRS,
    ipRanges: loadBundledIpRanges(),
    eniCache: extra.eniCache,
  });
  const into = new LineEnrichment();
  for (const enricher of enrichers) enricher.enrich(line, into);
  return into.toObject();
}

// AWS "Flow log record examples": accepted SSH, ICMP, NODATA, IPv6.
const ACCEPTED =
  '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
const ICMP =
  '2 123456789010 eni-1235b8ca123456789 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK';
const NODATA =
  '2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA';
const IPV6 =
  '2 123456789010 eni-1235b8ca123456789 2001:db8:1234:a100:8d6e:3477:df66:f105 2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 6 54 8855 1477913708 1477913820 ACCEPT OK';

// AWS example of service name, traffic path and flow direction (v5).
const V5_FORMAT =
  '${version} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${start} ${end} ${type} ${packets} ${bytes} ${account-id} ${vpc-id} ${subnet-id} ${instance-id} ${interface-id} ${region} ${az-id} ${sublocation-type} ${sublocation-id} ${action} ${tcp-flags} ${pkt-srcaddr} ${pkt-dstaddr} ${pkt-src-aws-service} ${pkt-dst-aws-service} ${traffic-path} ${flow-direction} ${log-status}';
const V5_INGRESS =
  '5 52.95.128.179 10.0.0.71 80 34210 6 1616729292 1616729349 IPv4 14 15044 123456789012 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b eni-1235b8ca123456789 ap-southeast-2 apse2-az3 - - ACCEPT 19 52.95.128.179 10.0.0.71 S3 - - ingress OK';
const V5_EGRESS =
  '5 10.0.0.71 52.95.128.179 34210 80 6 1616729292 1616729349 IPv4 7 471 123456789012 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b eni-1235b8ca123456789 ap-southeast-2 apse2-az3 - - ACCEPT 3 10.0.0.71 52.95.128.179 - S3 8 egress OK';

// AWS example: NAT gateway interface (no version field).
const NAT_FORMAT =
  '${instance-id} ${interface-id} ${srcaddr} ${dstaddr} ${pkt-srcaddr} ${pkt-dstaddr}';

describe('protocol', () => {
  it('names TCP, UDP, ICMP and ICMPv6 with their IANA keywords', () => {
    // Assess
    expect(protocolName(6)).toBe('TCP');
    expect(protocolName(17)).toBe('UDP');
    expect(protocolName(1)).toBe('ICMP');
    expect(protocolName(58)).toBe('IPv6-ICMP');
  });

  it('covers the whole registry: last keyword 146, 147-254 keyword-less, 255 Reserved', () => {
    // Assess
    expect(PROTOCOL_NAMES).toHaveLength(256);
    expect(protocolName(0)).toBe('HOPOPT');
    expect(protocolName(89)).toBe('OSPFIGP');
    expect(protocolName(132)).toBe('SCTP');
    expect(protocolName(146)).toBe('Homa');
    for (let n = 147; n <= 254; n++) expect(protocolName(n)).toBeUndefined();
    expect(protocolName(255)).toBe('Reserved');
    for (const n of [61, 63, 68, 99, 114])
      expect(protocolName(n)).toBeUndefined();
    expect(protocolName(256)).toBeUndefined();
  });

  it('adds protocol_name for a flow-log line, nothing for NODATA', () => {
    // Act
    const tcp = enrich(['protocol'], VPC_DEFAULT_FORMAT, ACCEPTED);
    const icmp = enrich(['protocol'], VPC_DEFAULT_FORMAT, ICMP);
    const none = enrich(['protocol'], VPC_DEFAULT_FORMAT, NODATA);

    // Assess
    expect(tcp).toEqual({ protocol_name: 'TCP' });
    expect(icmp).toEqual({ protocol_name: 'ICMP' });
    expect(none).toEqual({});
  });
});

describe('tcp_flags', () => {
  it.each([
    [0, []],
    [1, ['FIN']],
    [2, ['SYN']],
    [3, ['SYN', 'FIN']],
    [4, ['RST']],
    [18, ['SYN-ACK']],
    [19, ['SYN-ACK', 'FIN']],
    [16, []],
    [6, ['SYN', 'RST']],
  ])('names bitmask %i as %j', (value, names) => {
    // Assess
    expect(tcpFlagNames(value)).toEqual(names);
  });

  it('adds tcp_flag_names from the documented SYN-ACK|FIN line', () => {
    // Act
    const into = enrich(['tcp_flags'], V5_FORMAT, V5_INGRESS);

    // Assess
    expect(into).toEqual({ tcp_flag_names: ['SYN-ACK', 'FIN'] });
  });
});

describe('traffic_path', () => {
  it('names path 8 (internet gateway) and adds nothing for ingress `-`', () => {
    // Act
    const egress = enrich(['traffic_path'], V5_FORMAT, V5_EGRESS);
    const ingress = enrich(['traffic_path'], V5_FORMAT, V5_INGRESS);

    // Assess
    expect(egress).toEqual({ traffic_path_name: 'internet_gateway' });
    expect(ingress).toEqual({});
  });
});

describe('time', () => {
  it('adds ISO 8601 start and end and the duration', () => {
    // Act
    const into = enrich(['time'], VPC_DEFAULT_FORMAT, ACCEPTED);

    // Assess: `date -u -d @1418530010` prints 2014-12-14T04:06:50Z
    expect(into).toEqual({
      start_time: '2014-12-14T04:06:50Z',
      end_time: '2014-12-14T04:07:50Z',
      duration_seconds: 60,
    });
  });

  it('keeps the timestamps but omits a negative duration', () => {
    // Act
    const into = enrich(['time'], '${start} ${end}', '1616729349 1616729292');

    // Assess
    expect(into).toEqual({
      start_time: '2021-03-26T03:29:09Z',
      end_time: '2021-03-26T03:28:12Z',
    });
  });

  // RFC 3339 §5.6: date-fullyear is 4DIGIT, so a time past
  // 9999-12-31T23:59:59Z (253402300799 s) has no RFC 3339 form: no key.
  it.each([
    ['1418530010000', '${start}'], // a millisecond epoch: year 46921
    ['253402300800', '${start}'], // 10000-01-01T00:00:00Z
  ])('adds no start_time for %s, past year 9999', (value, format) => {
    // Act
    const into = enrich(['time'], format, value);

    // Assess
    expect(into).toEqual({});
  });

  it('keeps the last four-digit-year second and the duration', () => {
    // Act
    const into = enrich(
      ['time'],
      '${start} ${end}',
      '253402300799 253402300800'
    );

    // Assess
    expect(into).toEqual({
      start_time: '9999-12-31T23:59:59Z',
      duration_seconds: 1,
    });
  });

  it('adds nothing for a timestamp past the Date range', () => {
    // Act
    const into = enrich(['time'], '${start}', '99999999999999');

    // Assess
    expect(into).toEqual({});
  });
});

describe('ip', () => {
  it('adds version and class per address field, in format order', () => {
    // Act
    const into = enrich(
      ['ip'],
      NAT_FORMAT,
      '- eni-1235b8ca123456789 10.0.1.5 10.0.0.220 10.0.1.5 203.0.113.5'
    );

    // Assess
    expect(Object.entries(into)).toEqual([
      ['srcaddr_version', 4],
      ['srcaddr_class', 'private'],
      ['dstaddr_version', 4],
      ['dstaddr_class', 'private'],
      ['pkt_srcaddr_version', 4],
      ['pkt_srcaddr_class', 'private'],
      ['pkt_dstaddr_version', 4],
      ['pkt_dstaddr_class', 'documentation'],
    ]);
  });

  it('classifies the documented IPv6 addresses as documentation', () => {
    // Act
    const into = enrich(['ip'], VPC_DEFAULT_FORMAT, IPV6);

    // Assess
    expect(into).toEqual({
      srcaddr_version: 6,
      srcaddr_class: 'documentation',
      dstaddr_version: 6,
      dstaddr_class: 'documentation',
    });
  });
});

describe('ip and direction agree on IPv4-mapped IPv6', () => {
  it('classes ::ffff:10.0.0.1 private and its flow internal', () => {
    // Act
    const into = enrich(
      ['ip', 'direction'],
      '${srcaddr} ${dstaddr}',
      '::ffff:10.0.0.1 10.0.0.2'
    );

    // Assess: RFC 4291 §2.5.5.2, RFC 1918 §3 (10.0.0.0/8 is private).
    expect(into).toMatchObject({ direction: 'internal' });
    expect(JSON.stringify(into)).toContain('"private"');
  });
});

describe('direction', () => {
  it('follows flow-direction when the line has it', () => {
    // Act
    const ingress = enrich(['direction'], V5_FORMAT, V5_INGRESS);
    const egress = enrich(['direction'], V5_FORMAT, V5_EGRESS);

    // Assess
    expect(ingress).toEqual({ direction: 'inbound' });
    expect(egress).toEqual({ direction: 'outbound' });
  });

  it.each([
    ['10.0.0.62 52.213.180.42', 'outbound'],
    ['52.213.180.42 10.0.0.62', 'inbound'],
    ['10.0.0.62 10.0.0.63', 'internal'],
    ['100.64.0.1 fd00::1', 'internal'],
    ['52.213.180.42 8.8.8.8', 'external'],
    // RFC 4291 §2.5.5.2: an IPv4-mapped address is decided by the IPv4
    // address it carries, as the ip enricher classes it.
    ['::ffff:10.0.0.1 10.0.0.2', 'internal'],
    ['::ffff:10.0.0.1 ::ffff:8.8.8.8', 'outbound'],
    // Leading zeros are no address (010 is octal 8 for inet_aton(3)).
    ['010.0.0.1 10.0.0.2', undefined],
  ])('decides %s by INTERNAL_CIDRS as %s', (addresses, expected) => {
    // Act
    const into = enrich(['direction'], '${srcaddr} ${dstaddr}', addresses);

    // Assess
    expect(into).toEqual(expected === undefined ? {} : { direction: expected });
  });

  it('prefers packet-level addresses: NAT gateway traffic to the internet is outbound', () => {
    // Act
    const into = enrich(
      ['direction'],
      NAT_FORMAT,
      '- eni-1235b8ca123456789 10.0.1.5 10.0.0.220 10.0.1.5 203.0.113.5'
    );

    // Assess
    expect(into).toEqual({ direction: 'outbound' });
  });

  it('uses the configured INTERNAL_CIDRS', () => {
    // Act
    const into = enrich(
      ['direction'],
      '${srcaddr} ${dstaddr}',
      '203.0.113.5 10.0.0.1',
      {
        internalCidrs: ['203.0.113.0/24'],
      }
    );

    // Assess
    expect(into).toEqual({ direction: 'outbound' });
  });

  it('adds nothing when the addresses are absent', () => {
    // Act
    const into = enrich(['direction'], VPC_DEFAULT_FORMAT, NODATA);

    // Assess
    expect(into).toEqual({});
  });
});

describe('aws_service', () => {
  it('adds service and Region for an address in a published prefix', () => {
    // Act: 52.20.0.1 is in EC2 52.20.0.0/14 (us-east-1) of the bundled sample
    const into = enrich(
      ['aws_service'],
      '${srcaddr} ${dstaddr}',
      '10.0.0.5 52.20.0.1'
    );

    // Assess
    expect(into).toEqual({
      dstaddr_aws_service: 'EC2',
      dstaddr_aws_region: 'us-east-1',
    });
  });

  it('finds IPv6 prefixes', () => {
    // Act: 2600:1f70:8000::/56 is AMAZON us-east-1 in the sample
    const into = enrich(
      ['aws_service'],
      '${srcaddr} ${dstaddr}',
      '2600:1f70:8000:ff::1 fd00::1'
    );

    // Assess
    expect(into).toEqual({
      srcaddr_aws_service: 'AMAZON',
      srcaddr_aws_region: 'us-east-1',
    });
  });
});

describe('eni', () => {
  it('adds the cached keys of the line’s interface', () => {
    // Prepare
    const fields = {
      eni_instance_id: 'i-01234567890123456',
      eni_security_group_ids: ['sg-1'],
    };
    const cache: EniCache = {
      lookup: (id) => (id === 'eni-1235b8ca123456789' ? fields : undefined),
    };

    // Act
    const hit = enrich(['eni'], VPC_DEFAULT_FORMAT, ACCEPTED, {
      eniCache: cache,
    });
    const miss = enrich(
      ['eni'],
      VPC_DEFAULT_FORMAT,
      ACCEPTED.replace('eni-1235', 'eni-9999'),
      {
        eniCache: cache,
      }
    );

    // Assess
    expect(hit).toEqual(fields);
    expect(miss).toEqual({});
  });
});

describe('several enrichers', () => {
  it('append their keys in ENRICH order', () => {
    // Act
    const into = enrich(
      ['time', 'protocol', 'direction'],
      VPC_DEFAULT_FORMAT,
      ACCEPTED
    );

    // Assess
    expect(Object.keys(into)).toEqual([
      'start_time',
      'end_time',
      'duration_seconds',
      'protocol_name',
      'direction',
    ]);
  });
});

describe('isoSeconds', () => {
  it('agrees with Date#toISOString across leap days and centuries to year 9999', () => {
    // Prepare
    const samples = [
      0, 59, 86_399, 951_782_400, 951_868_799, 4_107_542_400, 1_418_530_010,
      253_402_300_799,
    ];
    for (let s = 1; s < 2_000; s++) samples.push(s * 126_230_401);

    // Act
    const mismatches = samples.filter(
      (s) =>
        s <= 253_402_300_799 &&
        isoSeconds(s) !== `${new Date(s * 1000).toISOString().slice(0, -5)}Z`
    );

    // Assess
    expect(mismatches).toEqual([]);
    expect(isoSeconds(951_782_400)).toBe('2000-02-29T00:00:00Z');
  });

  it('has no RFC 3339 form past 9999-12-31T23:59:59Z (RFC 3339 §5.6)', () => {
    // Act
    const after = [253_402_300_800, 1_418_530_010_000].map(isoSeconds);

    // Assess
    expect(after).toEqual([undefined, undefined]);
  });
});
