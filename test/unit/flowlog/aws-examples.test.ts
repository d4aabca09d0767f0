// The documented AWS example records (flow-logs-records-examples), with the
// objects expected from the field table: output keys with '_', integers as
// numbers, '-' omitted, account ids as strings.
import { describe, expect, it } from 'vitest';
import {
  TGW_DEFAULT_FORMAT,
  VPC_DEFAULT_FORMAT,
} from '../../../shared/flowlog/fields.ts';
import { jsonTransformer, transformText } from '../../helpers/pipeline.ts';

const V3_TCP_FLAGS_FORMAT =
  '${version} ${vpc-id} ${subnet-id} ${instance-id} ${interface-id} ${account-id} ${type} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${pkt-srcaddr} ${pkt-dstaddr} ${protocol} ${bytes} ${packets} ${start} ${end} ${action} ${tcp-flags} ${log-status}';
const NAT_FORMAT =
  '${instance-id} ${interface-id} ${srcaddr} ${dstaddr} ${pkt-srcaddr} ${pkt-dstaddr}';
const V5_FORMAT =
  '${version} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${start} ${end} ${type} ${packets} ${bytes} ${account-id} ${vpc-id} ${subnet-id} ${instance-id} ${interface-id} ${region} ${az-id} ${sublocation-type} ${sublocation-id} ${action} ${tcp-flags} ${pkt-srcaddr} ${pkt-dstaddr} ${pkt-src-aws-service} ${pkt-dst-aws-service} ${traffic-path} ${flow-direction} ${log-status}';
const TGW_VPC_FORMAT =
  '${version} ${interface-id} ${account-id} ${vpc-id} ${subnet-id} ${instance-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${tcp-flags} ${type} ${pkt-srcaddr} ${pkt-dstaddr} ${action} ${log-status}';

function transformOne(format: string, line: string): unknown {
  // Prepare
  const transformer = jsonTransformer(format);
  // Act
  const result = transformText(transformer, line);
  // Assess
  expect(result.status).toBe('Ok');
  expect(result.lines).toHaveLength(1);
  return JSON.parse(result.lines[0]!);
}

describe('documented default-format records', () => {
  it('maps an accepted SSH flow to typed keys in format order', () => {
    const line =
      '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
    const output = transformOne(VPC_DEFAULT_FORMAT, line);
    expect(output).toEqual({
      version: 2,
      account_id: '123456789010',
      interface_id: 'eni-1235b8ca123456789',
      srcaddr: '172.31.16.139',
      dstaddr: '172.31.16.21',
      srcport: 20641,
      dstport: 22,
      protocol: 6,
      packets: 20,
      bytes: 4249,
      start: 1418530010,
      end: 1418530070,
      action: 'ACCEPT',
      log_status: 'OK',
    });
    expect(Object.keys(output as object)[13]).toBe('log_status');
  });

  it.each([
    ['NODATA', 'eni-1235b8ca123456789'],
    ['SKIPDATA', 'eni-11111111aaaaaaaaa'],
  ])('omits the absent fields of a %s record', (status, eni) => {
    const line = `2 123456789010 ${eni} - - - - - - - 1431280876 1431280934 - ${status}`;
    expect(transformOne(VPC_DEFAULT_FORMAT, line)).toEqual({
      version: 2,
      account_id: '123456789010',
      interface_id: eni,
      start: 1431280876,
      end: 1431280934,
      log_status: status,
    });
  });

  it('keeps IPv6 addresses as strings', () => {
    const line =
      '2 123456789010 eni-1235b8ca123456789 2001:db8:1234:a100:8d6e:3477:df66:f105 2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 6 54 8855 1477913708 1477913820 ACCEPT OK';
    expect(transformOne(VPC_DEFAULT_FORMAT, line)).toMatchObject({
      srcaddr: '2001:db8:1234:a100:8d6e:3477:df66:f105',
      dstaddr: '2001:db8:1234:a102:3304:8879:34cf:4071',
      srcport: 34892,
      packets: 54,
      bytes: 8855,
    });
  });

  it('reads an ICMP reject with zero ports', () => {
    const line =
      '2 123456789010 eni-1235b8ca123456789 172.31.16.139 203.0.113.12 0 0 1 4 336 1432917094 1432917142 REJECT OK';
    expect(transformOne(VPC_DEFAULT_FORMAT, line)).toMatchObject({
      srcport: 0,
      dstport: 0,
      protocol: 1,
      action: 'REJECT',
    });
  });
});

describe('documented custom-format records', () => {
  it('treats the double space of the tcp-flags example as one separator', () => {
    const line =
      '3 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-01234567890123456 eni-1235b8ca123456789 123456789010 IPv4 10.0.0.62 52.213.180.42 5001 43638  10.0.0.62 52.213.180.42 6 967 14 1566933133 1566933193 ACCEPT 19 OK';
    expect(transformOne(V3_TCP_FLAGS_FORMAT, line)).toEqual({
      version: 3,
      vpc_id: 'vpc-abcdefab012345678',
      subnet_id: 'subnet-aaaaaaaa012345678',
      instance_id: 'i-01234567890123456',
      interface_id: 'eni-1235b8ca123456789',
      account_id: '123456789010',
      type: 'IPv4',
      srcaddr: '10.0.0.62',
      dstaddr: '52.213.180.42',
      srcport: 5001,
      dstport: 43638,
      pkt_srcaddr: '10.0.0.62',
      pkt_dstaddr: '52.213.180.42',
      protocol: 6,
      bytes: 967,
      packets: 14,
      start: 1566933133,
      end: 1566933193,
      action: 'ACCEPT',
      tcp_flags: 19,
      log_status: 'OK',
    });
  });

  it('reads a NAT gateway record without a version field', () => {
    const line =
      '- eni-1235b8ca123456789 10.0.1.5 10.0.0.220 10.0.1.5 203.0.113.5';
    expect(transformOne(NAT_FORMAT, line)).toEqual({
      interface_id: 'eni-1235b8ca123456789',
      srcaddr: '10.0.1.5',
      dstaddr: '10.0.0.220',
      pkt_srcaddr: '10.0.1.5',
      pkt_dstaddr: '203.0.113.5',
    });
  });

  it('reads the version-5 service, path and direction fields', () => {
    const line =
      '5 10.0.0.71 52.95.128.179 34210 80 6 1616729292 1616729349 IPv4 7 471 123456789012 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b eni-1235b8ca123456789 ap-southeast-2 apse2-az3 - - ACCEPT 3 10.0.0.71 52.95.128.179 - S3 8 egress OK';
    expect(transformOne(V5_FORMAT, line)).toEqual({
      version: 5,
      srcaddr: '10.0.0.71',
      dstaddr: '52.95.128.179',
      srcport: 34210,
      dstport: 80,
      protocol: 6,
      start: 1616729292,
      end: 1616729349,
      type: 'IPv4',
      packets: 7,
      bytes: 471,
      account_id: '123456789012',
      vpc_id: 'vpc-abcdefab012345678',
      subnet_id: 'subnet-aaaaaaaa012345678',
      instance_id: 'i-0c50d5961bcb2d47b',
      interface_id: 'eni-1235b8ca123456789',
      region: 'ap-southeast-2',
      az_id: 'apse2-az3',
      action: 'ACCEPT',
      tcp_flags: 3,
      pkt_srcaddr: '10.0.0.71',
      pkt_dstaddr: '52.95.128.179',
      pkt_dst_aws_service: 'S3',
      traffic_path: 8,
      flow_direction: 'egress',
      log_status: 'OK',
    });
  });

  it('omits traffic-path on ingress as the documentation shows it absent', () => {
    const line =
      '5 52.95.128.179 10.0.0.71 80 34210 6 1616729292 1616729349 IPv4 14 15044 123456789012 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b eni-1235b8ca123456789 ap-southeast-2 apse2-az3 - - ACCEPT 19 52.95.128.179 10.0.0.71 S3 - - ingress OK';
    const output = transformOne(V5_FORMAT, line) as Record<string, unknown>;
    expect(output).not.toHaveProperty('traffic_path');
    expect(output).not.toHaveProperty('pkt_dst_aws_service');
    expect(output).toMatchObject({
      pkt_src_aws_service: 'S3',
      flow_direction: 'ingress',
      tcp_flags: 19,
    });
  });

  it('reads a VPC record of traffic through a transit gateway', () => {
    const line =
      '3 eni-11111111111111111 123456789010 vpc-abcdefab012345678 subnet-11111111aaaaaaaaa - 10.40.1.175 10.40.2.236 39812 80 6 3 IPv4 10.20.33.164 10.40.2.236 ACCEPT OK';
    const output = transformOne(TGW_VPC_FORMAT, line);
    expect(output).not.toHaveProperty('instance_id');
    expect(output).toMatchObject({
      srcaddr: '10.40.1.175',
      pkt_srcaddr: '10.20.33.164',
      tcp_flags: 3,
    });
  });

  it('keeps transit gateway account ids with leading zeros as strings', () => {
    const line =
      '6 TransitGateway 123456789010 tgw-0123456789abcdef0 tgw-attach-0a1b2c3d4e5f60708 123456789010 012345678901 vpc-0aaaaaaaaaaaaaaaa vpc-0bbbbbbbbbbbbbbbb subnet-0a subnet-0b eni-0a eni-0b use1-az1 use1-az2 tgw-attach-0f 10.0.1.10 10.1.2.20 49152 443 6 12 3456 1700000000 1700000060 OK IPv4 0 0 0 7 3 us-east-1 egress - -';
    expect(transformOne(TGW_DEFAULT_FORMAT, line)).toMatchObject({
      resource_type: 'TransitGateway',
      tgw_src_vpc_account_id: '123456789010',
      tgw_dst_vpc_account_id: '012345678901',
      packets_lost_no_route: 0,
      packets_lost_ttl_expired: 7,
      flow_direction: 'egress',
    });
  });
});
