// Address and CIDR parsing shared by the enrichers and FILTER: the text
// forms of RFC 4291 section 2.2 and dotted quads, and prefix matching.
import { describe, expect, it } from 'vitest';
import {
  type Cidr,
  CidrSet,
  ipv4Number,
  parseCidrText,
  parseIp,
} from '../../../shared/net/ip.ts';

/** The IPv4 text in bytes[start, end) as a 32-bit number; -1 when not IPv4. */
function parseIpv4(bytes: Uint8Array, start: number, end: number): number {
  const out = new Uint8Array(16);
  return parseIp(bytes, start, end, out) === 4 ? ipv4Number(out) : -1;
}

/** Parses IPv6 text into eight groups; undefined when refused. */
function groupsOf(text: string): number[] | undefined {
  const out = new Uint8Array(16);
  const bytes = Buffer.from(text, 'latin1');
  if (parseIp(bytes, 0, bytes.length, out) !== 6) return undefined;
  return Array.from(
    { length: 8 },
    (_, g) => (out[g * 2]! << 8) | out[g * 2 + 1]!
  );
}

function cidr(text: string): Cidr {
  const parsed = parseCidrText(text);
  if ('problem' in parsed) throw new Error(parsed.problem);
  return parsed;
}

describe('leading zeros', () => {
  it('refuses a leading-zero octet in an IPv6 dotted tail too', () => {
    // Act
    const groups = groupsOf('::ffff:010.0.0.1');

    // Assess
    expect(groups).toBeUndefined();
  });

  it('does not match 010.0.0.1 against 10.0.0.0/8', () => {
    // Prepare
    const set = new CidrSet([cidr('10.0.0.0/8')]);
    const text = Buffer.from('010.0.0.1');

    // Act
    const inside = set.containsText(text, 0, text.length);

    // Assess
    expect(inside).toBe(false);
  });
});

describe('CidrSet.containsMapped', () => {
  // RFC 4291 §2.5.5.2: ::ffff:a.b.c.d carries the IPv4 address a.b.c.d.
  it.each([
    ['::ffff:10.0.0.1', true],
    ['::FFFF:0a00:0001', true],
    ['::ffff:8.8.8.8', false],
    ['::10.0.0.1', false],
    ['64:ff9b::10.0.0.1', false],
    ['10.0.0.1', true],
  ])('tests %s as the IPv4 address it carries: %s', (text, expected) => {
    // Prepare
    const set = new CidrSet([cidr('10.0.0.0/8')]);
    const out = new Uint8Array(16);
    const bytes = Buffer.from(text);
    const version = parseIp(bytes, 0, bytes.length, out);

    // Act
    const mapped = set.containsMapped(out, version);

    // Assess
    expect(mapped).toBe(expected);
    if (version === 6) expect(set.contains(out, version)).toBe(false);
  });
});

describe('parseIpv4', () => {
  it.each([
    ['0.0.0.0', 0],
    ['10.0.0.1', 10 * 2 ** 24 + 1],
    ['172.31.16.139', ((172 * 256 + 31) * 256 + 16) * 256 + 139],
    ['255.255.255.255', 2 ** 32 - 1],
  ])('reads %s', (text, expected) => {
    // Act
    const value = parseIpv4(Buffer.from(text), 0, text.length);

    // Assess
    expect(value).toBe(expected);
  });

  it.each([
    '',
    '10.0.0',
    '10.0.0.0.0',
    '256.0.0.1',
    '10..0.1',
    '10.0.0.',
    '.10.0.0',
    '1000.0.0.1',
    '10.0.0.a',
    '::1',
    '999.1.1.1',
    '1.2.3.4/8',
    // A leading zero: inet_aton(3) reads 010 as octal 8, Node's net.isIP
    // refuses it (RFC 6943 §3.1.1), AWS never writes it: no address.
    '010.0.0.1',
    '10.00.0.1',
    '10.0.0.01',
  ])('refuses %j', (text) => {
    // Act
    const value = parseIpv4(Buffer.from(text), 0, text.length);

    // Assess
    expect(value).toBe(-1);
  });

  it('reads only the given range of the buffer', () => {
    // Prepare
    const bytes = Buffer.from('x 192.0.2.1 y');

    // Act
    const value = parseIpv4(bytes, 2, 11);

    // Assess
    expect(value).toBe(((192 * 256 + 0) * 256 + 2) * 256 + 1);
  });
});

describe('parseIpv6', () => {
  // Text forms from RFC 4291 section 2.2.
  it.each([
    [
      '2001:DB8:0:0:8:800:200C:417A',
      [0x2001, 0xdb8, 0, 0, 8, 0x800, 0x200c, 0x417a],
    ],
    [
      '2001:DB8::8:800:200C:417A',
      [0x2001, 0xdb8, 0, 0, 8, 0x800, 0x200c, 0x417a],
    ],
    ['FF01::101', [0xff01, 0, 0, 0, 0, 0, 0, 0x101]],
    ['::1', [0, 0, 0, 0, 0, 0, 0, 1]],
    ['::', [0, 0, 0, 0, 0, 0, 0, 0]],
    ['1::', [1, 0, 0, 0, 0, 0, 0, 0]],
    ['1:2:3:4:5:6:7::', [1, 2, 3, 4, 5, 6, 7, 0]],
    ['0:0:0:0:0:0:13.1.68.3', [0, 0, 0, 0, 0, 0, 0x0d01, 0x4403]],
    ['::13.1.68.3', [0, 0, 0, 0, 0, 0, 0x0d01, 0x4403]],
    ['::FFFF:129.144.52.38', [0, 0, 0, 0, 0, 0xffff, 0x8190, 0x3426]],
    [
      '2001:db8:1234:a100:8d6e:3477:df66:f105',
      [0x2001, 0xdb8, 0x1234, 0xa100, 0x8d6e, 0x3477, 0xdf66, 0xf105],
    ],
  ])('reads %s', (text, expected) => {
    // Act
    const groups = groupsOf(text);

    // Assess
    expect(groups).toEqual(expected);
  });

  it.each([
    '',
    ':',
    ':1',
    '1:',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7:8::',
    '::1:2:3:4:5:6:7:8',
    '1::2::3',
    '1:::2',
    '12345::',
    'g::1',
    '::1.2.3',
    '1:2:3:4:5:6:7:1.2.3.4',
    '10.0.0.1',
    'fe80::1%eth0',
  ])('refuses %j', (text) => {
    // Act
    const groups = groupsOf(text);

    // Assess
    expect(groups).toBeUndefined();
  });
});

describe('CidrSet.containsText', () => {
  it('matches IPv4 addresses by prefix, at the network edges', () => {
    // Prepare
    const matcher = new CidrSet([cidr('192.0.2.0/25'), cidr('10.0.0.0/8')]);
    const probe = (text: string) =>
      matcher.containsText(Buffer.from(text), 0, text.length);

    // Act
    const results = [
      '192.0.2.0',
      '192.0.2.127',
      '192.0.2.128',
      '10.255.255.255',
      '11.0.0.0',
      '9.255.255.255',
    ].map(probe);

    // Assess
    expect(results).toEqual([true, true, false, true, false, false]);
  });

  it('matches IPv6 addresses by prefix inside a group', () => {
    // Prepare: /57 keeps the top bit of the fourth group
    const matcher = new CidrSet([cidr('2001:db8:1234:a100::/57')]);
    const probe = (text: string) =>
      matcher.containsText(Buffer.from(text), 0, text.length);

    // Act
    const results = [
      '2001:db8:1234:a17f:ffff:ffff:ffff:ffff',
      '2001:db8:1234:a180::',
      '2001:db8:1234:a0ff::1',
    ].map(probe);

    // Assess
    expect(results).toEqual([true, false, false]);
  });

  it('matches every address of the family with /0 and exactly one with /32 or /128', () => {
    // Prepare
    const matcher = new CidrSet([
      cidr('192.0.2.7/32'),
      cidr('2001:db8::7/128'),
    ]);
    const all = new CidrSet([cidr('0.0.0.0/0')]);
    const probe = (m: CidrSet, text: string) =>
      m.containsText(Buffer.from(text), 0, text.length);

    // Act
    const results = [
      probe(matcher, '192.0.2.7'),
      probe(matcher, '192.0.2.6'),
      probe(matcher, '2001:db8::7'),
      probe(matcher, '2001:db8::8'),
      probe(all, '255.255.255.255'),
      probe(all, '::1'),
      probe(all, 'not-an-ip'),
    ];

    // Assess
    expect(results).toEqual([true, false, true, false, true, false, false]);
  });
});
