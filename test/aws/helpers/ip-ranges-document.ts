// A realistic stand-in of https://ip-ranges.amazonaws.com/ip-ranges.json:
// the published shape (syncToken, createDate, prefixes with ip_prefix,
// region, service, network_border_group; ipv6_prefixes) and size (about
// 7,000 IPv4 and 2,000 IPv6 entries, ~1 MB), every named-service prefix also
// listed under AMAZON as AWS does, plus blocks around the public addresses of
// samples/ (3.5/16, 18.64/16, 52.94/16, 54.239/16). Seeded: the same document
// on every run. Shape: https://docs.aws.amazon.com/vpc/latest/userguide/aws-ip-ranges.html
import { prng } from '../../../scripts/lib/seeded.mjs';

interface Prefix4 {
  ip_prefix: string;
  region: string;
  service: string;
  network_border_group: string;
}
interface Prefix6 {
  ipv6_prefix: string;
  region: string;
  service: string;
  network_border_group: string;
}
interface IpRangesDocument {
  syncToken: string;
  createDate: string;
  prefixes: Prefix4[];
  ipv6_prefixes: Prefix6[];
}

const REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-2',
  'eu-west-1',
  'eu-central-1',
  'ap-southeast-2',
  'ap-northeast-1',
  'sa-east-1',
];
const SERVICES = [
  'EC2',
  'EC2',
  'EC2',
  'S3',
  'CLOUDFRONT',
  'ROUTE53_HEALTHCHECKS',
  'DYNAMODB',
  'API_GATEWAY',
  'CODEBUILD',
  'EC2_INSTANCE_CONNECT',
];
const FIRST_OCTETS = [
  3, 13, 15, 16, 18, 34, 35, 43, 44, 46, 50, 51, 52, 54, 63, 99, 100, 108, 130,
  150, 176, 184, 204, 205,
];

/** Blocks around the samples' public addresses (see scripts/generate-samples.mjs). */
const SAMPLE_BLOCKS: Prefix4[] = [
  ['3.5.0.0/19', 'us-east-1', 'S3'],
  ['3.5.32.0/19', 'eu-west-1', 'S3'],
  ['3.5.64.0/18', 'us-east-1', 'AMAZON'],
  ['18.64.0.0/14', 'GLOBAL', 'CLOUDFRONT'],
  ['52.94.0.0/22', 'us-east-1', 'DYNAMODB'],
  ['52.94.4.0/24', 'us-east-2', 'DYNAMODB'],
  ['52.94.16.0/20', 'us-east-1', 'AMAZON'],
  ['52.94.128.0/17', 'us-east-1', 'EC2'],
  ['54.239.0.0/19', 'us-east-1', 'AMAZON'],
  ['54.239.128.0/18', 'GLOBAL', 'CLOUDFRONT'],
  ['3.5.0.0/16', 'us-east-1', 'AMAZON'],
  ['52.94.0.0/16', 'us-east-1', 'AMAZON'],
  ['54.239.0.0/16', 'us-east-1', 'AMAZON'],
].map(([ip_prefix, region, service]) => ({
  ip_prefix: ip_prefix!,
  region: region!,
  service: service!,
  network_border_group: region!,
}));

/**
 * The document. `createDate` and `syncToken` are fixed so tests can name
 * them.
 */
function realisticIpRanges(seed = 20261124): IpRangesDocument {
  const random = prng(seed);
  const int = (min: number, max: number) =>
    min + Math.floor(random() * (max - min + 1));
  const pick = <T>(items: readonly T[]) =>
    items[Math.floor(random() * items.length)]!;
  const prefixes: Prefix4[] = [];
  for (const block of SAMPLE_BLOCKS) {
    prefixes.push(block);
    if (block.service !== 'AMAZON')
      prefixes.push({ ...block, service: 'AMAZON' });
  }
  while (prefixes.length < 7_000) {
    const length = int(16, 28);
    const address = (pick(FIRST_OCTETS) << 24) | (int(0, 0xffffff) & 0xffffff);
    const network =
      length === 0 ? 0 : (address >>> (32 - length)) << (32 - length);
    const text = [24, 16, 8, 0].map((s) => (network >>> s) & 255).join('.');
    const region = pick(REGIONS);
    const service = random() < 0.45 ? 'AMAZON' : pick(SERVICES);
    const entry = {
      ip_prefix: `${text}/${length}`,
      region,
      service,
      network_border_group: region,
    };
    prefixes.push(entry);
    if (service !== 'AMAZON') prefixes.push({ ...entry, service: 'AMAZON' });
  }
  const ipv6_prefixes: Prefix6[] = [];
  while (ipv6_prefixes.length < 2_000) {
    const region = pick(REGIONS);
    const service = random() < 0.5 ? 'AMAZON' : pick(SERVICES);
    const hex = () => int(0, 0xffff).toString(16);
    ipv6_prefixes.push({
      ipv6_prefix:
        `2600:1f${int(10, 99)}:${hex()}::/${pick([40, 44, 48, 56, 64])}`.replace(
          /:([0-9a-f]{1,4})::\/(40|44)$/,
          (_, group: string, length: string) =>
            `:${(Number.parseInt(group, 16) & (length === '40' ? 0xff00 : 0xfff0)).toString(16)}::/${length}`
        ),
      region,
      service,
      network_border_group: region,
    });
  }
  return {
    syncToken: '1795478400',
    createDate: '2026-11-24-00-00-00',
    prefixes,
    ipv6_prefixes,
  };
}

/** An IPv4 address as a number (the test's own reading, not shared/net). */
function ipv4Value(text: string): number {
  return text
    .split('.')
    .reduce((value, octet) => value * 256 + Number(octet), 0);
}

/** The IPv4 list as numbers, read once per document. */
const parsedLists = new WeakMap<
  IpRangesDocument,
  { start: number; end: number; length: number; prefix: Prefix4 }[]
>();

function parsedList(doc: IpRangesDocument) {
  let list = parsedLists.get(doc);
  if (list === undefined) {
    list = doc.prefixes.map((prefix) => {
      const [network, bits] = prefix.ip_prefix.split('/');
      const length = Number(bits);
      const start = ipv4Value(network!);
      return { start, end: start + 2 ** (32 - length) - 1, length, prefix };
    });
    parsedLists.set(doc, list);
  }
  return list;
}

/**
 * The reference answer for one IPv4 address, by the documented rule read
 * directly over the list: among the prefixes holding it, a named service
 * beats AMAZON, then the longest prefix, then the first listed.
 */
function referenceService(
  doc: IpRangesDocument,
  address: string
): { service: string; region: string } | undefined {
  const value = ipv4Value(address);
  let best: { prefix: Prefix4; named: boolean; length: number } | undefined;
  for (const { start, end, length, prefix } of parsedList(doc)) {
    if (value < start || value > end) continue;
    const named = prefix.service !== 'AMAZON';
    if (
      best === undefined ||
      (named && !best.named) ||
      (named === best.named && length > best.length)
    ) {
      best = { prefix, named, length };
    }
  }
  return best && { service: best.prefix.service, region: best.prefix.region };
}

export type { IpRangesDocument };
export { ipv4Value, realisticIpRanges, referenceService };
