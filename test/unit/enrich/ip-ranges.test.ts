import { describe, expect, it } from 'vitest';
import {
  EnrichError,
  loadBundledIpRanges,
  parseIpRanges,
} from '../../../shared/enrich/index.ts';
import { ipv4Number, parseIp } from '../../../shared/net/ip.ts';

function lookup(table: ReturnType<typeof parseIpRanges>, text: string) {
  const out = new Uint8Array(16);
  const version = parseIp(Buffer.from(text), 0, text.length, out);
  return version === 4 ? table.lookup4(ipv4Number(out)) : table.lookup6(out);
}

/** A document in ip-ranges.json's shape with nested and adjacent prefixes. */
const NESTED = {
  syncToken: '1',
  createDate: '2024-01-02-03-04-05',
  prefixes: [
    {
      ip_prefix: '52.0.0.0/8',
      region: 'us-east-1',
      service: 'AMAZON',
      network_border_group: 'us-east-1',
    },
    {
      ip_prefix: '52.95.0.0/16',
      region: 'ap-southeast-2',
      service: 'EC2',
      network_border_group: 'ap-southeast-2',
    },
    {
      ip_prefix: '52.95.128.0/21',
      region: 'ap-southeast-2',
      service: 'S3',
      network_border_group: 'ap-southeast-2',
    },
    {
      ip_prefix: '52.95.128.0/24',
      region: 'ap-southeast-2',
      service: 'AMAZON',
      network_border_group: 'ap-southeast-2',
    },
    {
      ip_prefix: '52.96.0.0/16',
      region: 'eu-west-1',
      service: 'AMAZON',
      network_border_group: 'eu-west-1',
    },
  ],
  ipv6_prefixes: [
    {
      ipv6_prefix: '2600:1f00::/24',
      region: 'us-east-1',
      service: 'AMAZON',
      network_border_group: 'us-east-1',
    },
    {
      ipv6_prefix: '2600:1f18::/33',
      region: 'us-east-1',
      service: 'EC2',
      network_border_group: 'us-east-1',
    },
  ],
};

describe('parseIpRanges', () => {
  it('answers the most specific named service inside nested prefixes', () => {
    // Prepare
    const table = parseIpRanges(NESTED, 'test');

    // Assess: the /21 S3 block beats the /16 EC2 block and the /24 AMAZON block
    expect(lookup(table, '52.95.128.179')?.service).toBe('S3');
    expect(lookup(table, '52.95.136.1')?.service).toBe('EC2');
    expect(lookup(table, '52.1.2.3')).toMatchObject({
      service: 'AMAZON',
      region: 'us-east-1',
    });
    expect(lookup(table, '52.96.255.255')?.region).toBe('eu-west-1');
    expect(lookup(table, '53.0.0.0')).toBeUndefined();
    expect(lookup(table, '51.255.255.255')).toBeUndefined();
  });

  it('answers IPv6 prefixes with the same rules', () => {
    // Prepare
    const table = parseIpRanges(NESTED, 'test');

    // Assess
    expect(lookup(table, '2600:1f18::1')?.service).toBe('EC2');
    expect(lookup(table, '2600:1f18:8000::1')?.service).toBe('AMAZON');
    expect(lookup(table, '2600:2000::1')).toBeUndefined();
  });

  it('keeps the snapshot date and counts', () => {
    // Act
    const table = parseIpRanges(NESTED, 'test');

    // Assess
    expect(table.createDate).toBe('2024-01-02-03-04-05');
    expect(table.syncToken).toBe('1');
    expect(table.prefixCount).toBe(7);
  });

  it.each([
    [[], 'expected a JSON object'],
    [{ ...NESTED, createDate: 5 }, 'createDate must be a non-empty string'],
    [{ ...NESTED, prefixes: {} }, 'prefixes must be an array'],
    [
      {
        ...NESTED,
        prefixes: [{ ip_prefix: '2600::/8', region: 'r', service: 's' }],
      },
      "prefixes[0].ip_prefix '2600::/8' is not an IPv4 CIDR block",
    ],
    [
      { ...NESTED, prefixes: [{ ip_prefix: '1.2.3.0/24', service: 's' }] },
      'prefixes[0].region must be a non-empty string',
    ],
  ])('refuses a malformed document, naming the source (%#)', (json, detail) => {
    // Act
    const act = () => parseIpRanges(json, 's3://bucket/ip-ranges.json');

    // Assess
    expect(act).toThrow(EnrichError);
    expect(act).toThrow(`s3://bucket/ip-ranges.json: ${detail}`);
  });
});

describe('the bundled sample', () => {
  it('loads real prefixes and reports its snapshot date', () => {
    // Act
    const table = loadBundledIpRanges();

    // Assess
    expect(table.createDate).toBe('2021-01-27-21-34-18');
    expect(lookup(table, '52.20.0.1')?.service).toBe('EC2');
    expect(lookup(table, '52.4.0.1')?.service).toBe('AMAZON');
    expect(lookup(table, '3.2.2.9')?.networkBorderGroup).toBe(
      'us-east-1-mia-1'
    );
  });
});
