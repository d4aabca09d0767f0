import { describe, expect, it } from 'vitest';
import { EnrichError } from '../../../shared/enrich/errors.ts';
import {
  classifyIpv4,
  classifyIpv6,
  internalNetworks,
  parseCidr,
} from '../../../shared/enrich/ip.ts';
import { ipv4Number, parseIp } from '../../../shared/net/ip.ts';

function parse(text: string): { version: number; bytes: number[] } {
  const out = new Uint8Array(16);
  const version = parseIp(Buffer.from(text), 0, text.length, out);
  return { version, bytes: [...out.subarray(0, version === 4 ? 4 : 16)] };
}

function classOf(text: string): string {
  const out = new Uint8Array(16);
  const version = parseIp(Buffer.from(text), 0, text.length, out);
  if (version === 0) throw new Error(`not an address: ${text}`);
  return version === 4 ? classifyIpv4(ipv4Number(out)) : classifyIpv6(out);
}

describe('parseIp', () => {
  it('parses dotted-quad IPv4 into four bytes', () => {
    // Act
    const result = parse('172.31.16.139');

    // Assess
    expect(result).toEqual({ version: 4, bytes: [172, 31, 16, 139] });
  });

  it('parses IPv6 with :: compression', () => {
    // Act
    const result = parse('2001:db8::1');

    // Assess
    expect(result.version).toBe(6);
    expect(result.bytes).toEqual([
      0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
    ]);
  });

  it('parses a full IPv6 address from the AWS documentation', () => {
    // Act
    const result = parse('2001:db8:1234:a100:8d6e:3477:df66:f105');

    // Assess
    expect(result.bytes.slice(8)).toEqual([
      0x8d, 0x6e, 0x34, 0x77, 0xdf, 0x66, 0xf1, 0x05,
    ]);
  });

  it('parses leading, trailing and lone :: forms', () => {
    // Assess
    expect(parse('::').bytes).toEqual(new Array(16).fill(0));
    expect(parse('::1').bytes[15]).toBe(1);
    expect(parse('fe80::').bytes.slice(0, 2)).toEqual([0xfe, 0x80]);
  });

  it('parses an IPv4-mapped IPv6 address with a dotted tail', () => {
    // Act
    const result = parse('::ffff:192.0.2.1');

    // Assess
    expect(result.bytes.slice(10)).toEqual([0xff, 0xff, 192, 0, 2, 1]);
  });

  it.each([
    '256.1.1.1',
    '1.2.3',
    '1.2.3.4.5',
    '1..2.3',
    '1.2.3.',
    '01234.1.1.1',
    'a.b.c.d',
    '1:2:3:4:5:6:7:8:9',
    '1::2::3',
    ':1::2',
    '1:',
    '12345::',
    'g::1',
    '1:2:3:4:5:6:7:8::',
    '-',
    'x',
  ])('rejects %s', (text) => {
    // Assess
    expect(parse(text).version).toBe(0);
  });
});

describe('address classes', () => {
  it.each([
    ['10.0.0.62', 'private'],
    ['172.31.16.139', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'shared'],
    ['100.128.0.1', 'public'],
    ['127.0.0.1', 'loopback'],
    ['169.254.169.254', 'link_local'],
    ['224.0.0.251', 'multicast'],
    ['203.0.113.12', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['192.0.2.1', 'documentation'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['52.95.128.179', 'public'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fe80::1', 'link_local'],
    ['febf::1', 'link_local'],
    ['fec0::1', 'reserved'],
    ['fd12:3456::1', 'unique_local'],
    ['fc00::1', 'unique_local'],
    ['ff02::1', 'multicast'],
    ['2001:db8:1234:a100::1', 'documentation'],
    ['3fff::1', 'documentation'],
    ['2600:1f70:8000::1', 'public'],
    ['::ffff:10.1.2.3', 'private'],
    ['64:ff9b::8.8.8.8', 'public'],
    ['100::1', 'reserved'],
  ])('classifies %s as %s', (text, expected) => {
    // Assess
    expect(classOf(text)).toBe(expected);
  });
});

describe('CIDR sets', () => {
  it('matches IPv4 and IPv6 addresses against their blocks', () => {
    // Prepare
    const set = internalNetworks(['10.0.0.0/8', '172.16.0.0/12', 'fc00::/7']);
    const out = new Uint8Array(16);
    const test = (text: string) =>
      set.contains(out, parseIp(Buffer.from(text), 0, text.length, out));

    // Assess
    expect(test('10.255.0.1')).toBe(true);
    expect(test('172.31.255.255')).toBe(true);
    expect(test('172.32.0.0')).toBe(false);
    expect(test('fdff::1')).toBe(true);
    expect(test('fe00::1')).toBe(false);
    expect(test('11.0.0.1')).toBe(false);
  });

  it('treats /0 as every address of its family', () => {
    // Prepare
    const set = internalNetworks(['0.0.0.0/0']);
    const out = new Uint8Array(16);

    // Act
    const v4 = set.contains(out, parseIp(Buffer.from('8.8.8.8'), 0, 7, out));
    const v6 = set.contains(out, parseIp(Buffer.from('::1'), 0, 3, out));

    // Assess
    expect(v4).toBe(true);
    expect(v6).toBe(false);
  });

  it.each([
    ['10.0.0.0', 'has no /prefix-length'],
    ['10.0.0.1/8', 'has host bits set'],
    ['10.0.0.0/33', 'prefix length must be 0-32'],
    ['fc00::/129', 'prefix length must be 0-128'],
    ['nope/8', 'is not an IPv4 or IPv6 network'],
  ])('refuses %s naming INTERNAL_CIDRS and the value', (text, reason) => {
    // Act
    const act = () => parseCidr(text);

    // Assess
    expect(act).toThrow(EnrichError);
    expect(act).toThrow(`INTERNAL_CIDRS: '${text}' ${reason}`);
  });
});
