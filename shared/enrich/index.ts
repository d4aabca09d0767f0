/**
 * The enrichers' entry point: validates ENRICH against the format and the
 * available sources once, at cold start, and builds the enrichers in the
 * order listed. Keys and value types: docs/enrichment.md.
 */
import { type FlowLogFormat, fieldIndex } from '../flowlog/format.ts';
import type { CidrSet } from '../net/ip.ts';
import {
  AddressEnricher,
  addressFieldsOf,
  ParsedAddresses,
} from './address.ts';
import { AwsServiceEnricher } from './aws-service.ts';
import { CommunityIdEnricher } from './community-id.ts';
import { DirectionEnricher, directionInputs } from './direction.ts';
import { type EniCache, EniEnricher, eniFields } from './eni.ts';
import { EnrichError } from './errors.ts';
import { internalNetworks } from './ip.ts';
import type { IpRangeTable } from './ip-ranges.ts';
import { ProtocolEnricher } from './protocol.ts';
import { TcpFlagsEnricher } from './tcp-flags.ts';
import { TimeEnricher } from './time.ts';
import { TrafficPathEnricher } from './traffic-path.ts';
import type { Enricher } from './types.ts';

/** Every ENRICH name, in the order the documentation lists them. */
const ENRICHER_NAMES = [
  'protocol',
  'tcp_flags',
  'traffic_path',
  'time',
  'ip',
  'direction',
  'community_id',
  'aws_service',
  'eni',
] as const;

/** The enrichers that make no AWS call per batch (all but `eni`). */
const LOCAL_ENRICHERS: readonly EnricherName[] = ENRICHER_NAMES.filter(
  (name) => name !== 'eni'
);

/** One of {@link ENRICHER_NAMES}. */
type EnricherName = (typeof ENRICHER_NAMES)[number];

/** What the enrichers may need beyond the format. */
interface EnrichContext {
  /** INTERNAL_CIDRS, for `direction` (the handler passes DEFAULT_INTERNAL_CIDRS when unset). */
  readonly internalCidrs: readonly string[];
  /** The loaded ip-ranges.json, for `aws_service`. */
  readonly ipRanges?: IpRangeTable;
  /** The prefetched ENI metadata, for `eni`. */
  readonly eniCache?: EniCache;
  /** COMMUNITY_ID_SEED, 0-65535 (default 0). */
  readonly communityIdSeed?: number;
}

/** Input fields per enricher: all of `all`, and at least one of `any`. */
interface Inputs {
  readonly all?: readonly string[];
  readonly any?: readonly string[];
}

const ADDRESSES = ['srcaddr', 'dstaddr', 'pkt-srcaddr', 'pkt-dstaddr'];

const INPUTS: Readonly<Record<EnricherName, Inputs>> = {
  protocol: { all: ['protocol'] },
  tcp_flags: { all: ['tcp-flags'] },
  traffic_path: { all: ['traffic-path'] },
  time: { any: ['start', 'end'] },
  ip: { any: ADDRESSES },
  direction: {
    any: [
      'flow-direction',
      'srcaddr and dstaddr',
      'pkt-srcaddr and pkt-dstaddr',
    ],
  },
  community_id: {
    all: ['srcaddr', 'dstaddr', 'protocol', 'srcport', 'dstport'],
  },
  aws_service: { any: ADDRESSES },
  eni: { all: ['interface-id'] },
};

/** Every `eni_*` key, from the function that writes them. */
const ENI_KEYS: readonly string[] = Object.keys(
  eniFields({
    instanceId: 'i',
    securityGroupIds: ['sg'],
    subnetId: 'subnet',
    vpcId: 'vpc',
    description: 'd',
    interfaceType: 'interface',
    tags: { k: 'v' },
  })
);

/**
 * The keys an enricher may add for a format (docs/enrichment.md): the
 * address enrichers add two per address field the format has.
 *
 * @example enrichmentKeys('protocol', format) // ['protocol_name']
 */
function enrichmentKeys(name: EnricherName, format: FlowLogFormat): string[] {
  const perAddress = (suffixes: readonly string[]) =>
    addressFieldsOf(format).flatMap(({ key }) =>
      suffixes.map((suffix) => `${key}_${suffix}`)
    );
  switch (name) {
    case 'protocol':
      return ['protocol_name'];
    case 'tcp_flags':
      return ['tcp_flag_names'];
    case 'traffic_path':
      return ['traffic_path_name'];
    case 'time':
      return ['start_time', 'end_time', 'duration_seconds'];
    case 'ip':
      return perAddress(['version', 'class']);
    case 'direction':
      return ['direction'];
    case 'community_id':
      return ['community_id'];
    case 'aws_service':
      return perAddress(['aws_service', 'aws_region']);
    case 'eni':
      return [...ENI_KEYS];
  }
}

/**
 * Refuses a format field whose output key an enricher also writes
 * (`${protocol-name}` with ENRICH=protocol): the JSON line would hold the
 * key twice, and readers keep either one.
 */
function checkKeyClashes(
  names: readonly EnricherName[],
  format: FlowLogFormat
): void {
  for (const name of names) {
    for (const key of enrichmentKeys(name, format)) {
      const index = fieldIndex(format, key);
      const field = format.fields[index];
      if (field === undefined || field.key !== key) continue;
      throw new EnrichError(
        'ENRICH_KEY_CLASH',
        `ENRICH: enricher '${name}' writes the key '${key}', which FLOW_LOG_FORMAT's field '\${${field.name}}' also writes; remove '${name}' from ENRICH or '\${${field.name}}' from FLOW_LOG_FORMAT`
      );
    }
  }
}

function isEnricherName(name: string): name is EnricherName {
  return (ENRICHER_NAMES as readonly string[]).includes(name);
}

/**
 * Splits an ENRICH value on commas, trimming blanks and dropping empty items.
 *
 * @example parseEnricherNames(' protocol, time ,') // ['protocol', 'time']
 */
function parseEnricherNames(value: string): string[] {
  return value
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
}

/** Names of the format fields an enricher lacks, or undefined when satisfied. */
function missingInputs(
  name: EnricherName,
  format: FlowLogFormat
): string | undefined {
  const has = (field: string) => fieldIndex(format, field) >= 0;
  const { all = [], any } = INPUTS[name];
  const absent = all.filter((field) => !has(field));
  if (absent.length > 0) return absent.map((f) => `\${${f}}`).join(', ');
  if (any === undefined) return undefined;
  const satisfied =
    name === 'direction' ? directionInputs(format) : any.some(has);
  return satisfied
    ? undefined
    : `one of ${any.map((f) => `'${f}'`).join(', ')}`;
}

function checkName(
  name: string,
  position: number,
  seen: Set<string>
): EnricherName {
  if (!isEnricherName(name)) {
    throw new EnrichError(
      'ENRICH_UNKNOWN',
      `ENRICH: unknown enricher '${name}' at position ${position}; allowed: ${ENRICHER_NAMES.join(', ')}`
    );
  }
  if (seen.has(name)) {
    throw new EnrichError(
      'ENRICH_DUPLICATE',
      `ENRICH: enricher '${name}' at position ${position} is listed twice`
    );
  }
  seen.add(name);
  return name;
}

function missingSource(name: EnricherName, what: string): never {
  throw new EnrichError(
    'ENRICH_MISSING_SOURCE',
    `ENRICH: enricher '${name}' needs ${what}`
  );
}

function build(
  name: EnricherName,
  format: FlowLogFormat,
  context: EnrichContext,
  internal: CidrSet,
  parsed: ParsedAddresses
): Enricher {
  switch (name) {
    case 'protocol':
      return new ProtocolEnricher(format);
    case 'tcp_flags':
      return new TcpFlagsEnricher(format);
    case 'traffic_path':
      return new TrafficPathEnricher(format);
    case 'time':
      return new TimeEnricher(format);
    case 'ip':
      return new AddressEnricher(format, parsed);
    case 'direction':
      return new DirectionEnricher(format, internal, parsed);
    case 'community_id':
      return new CommunityIdEnricher(
        format,
        context.communityIdSeed ?? 0,
        parsed
      );
    case 'aws_service':
      return new AwsServiceEnricher(
        format,
        context.ipRanges ??
          missingSource(
            name,
            'an IP range table (IP_RANGES_S3_URI, or the bundled sample via loadBundledIpRanges())'
          ),
        parsed
      );
    case 'eni':
      return new EniEnricher(
        format,
        context.eniCache ??
          missingSource(name, 'an ENI cache (the EC2 ENI directory)')
      );
  }
}

/**
 * Builds the enrichers named in ENRICH, in that order, for a format. Call
 * once at cold start.
 *
 * @param names - ENRICH items, e.g. from {@link parseEnricherNames}
 * @throws EnrichError ENRICH_UNKNOWN | ENRICH_DUPLICATE (bad name, 1-based
 *   position), ENRICH_MISSING_FIELDS (the format lacks an input),
 *   ENRICH_MISSING_SOURCE (no ip-ranges table or ENI cache),
 *   ENRICH_BAD_CIDR (INTERNAL_CIDRS), ENRICH_BAD_SEED, ENRICH_KEY_CLASH (a
 *   format field with the output key of an enrichment key)
 * @example createEnrichers(['protocol', 'time'], format, { internalCidrs: DEFAULT_INTERNAL_CIDRS })
 */
function createEnrichers(
  names: readonly string[],
  format: FlowLogFormat,
  context: EnrichContext
): Enricher[] {
  const internal = internalNetworks(context.internalCidrs, 'INTERNAL_CIDRS');
  const seen = new Set<string>();
  const checked = names.map((name, i) => checkName(name, i + 1, seen));
  for (const name of checked) {
    const missing = missingInputs(name, format);
    if (missing !== undefined) {
      throw new EnrichError(
        'ENRICH_MISSING_FIELDS',
        `ENRICH: enricher '${name}' needs ${missing} in FLOW_LOG_FORMAT`
      );
    }
  }
  checkKeyClashes(checked, format);
  // The address enrichers share one parse of each address per line.
  const parsed = new ParsedAddresses(format.fields.length);
  return checked.map((name) => build(name, format, context, internal, parsed));
}

export { collectFieldValues } from './collect.ts';
export { checkSeed, communityIdOf } from './community-id.ts';
export { DEFAULT_INTERNAL_CIDRS, DIRECTION } from './direction.ts';
export type { EniCache, EniCacheOptions, EniMetadata } from './eni.ts';
export { EniMetadataCache, eniFields } from './eni.ts';
export type { EnrichErrorCode } from './errors.ts';
export { EnrichError } from './errors.ts';
export { ADDRESS_CLASS } from './ip.ts';
export type { IpRangeMatch } from './ip-ranges.ts';
export {
  IpRangeTable,
  loadBundledIpRanges,
  parseIpRanges,
} from './ip-ranges.ts';
export { protocolName } from './protocol.ts';
export { tcpFlagNames } from './tcp-flags.ts';
export type { EnrichContext, EnricherName };
export {
  createEnrichers,
  ENRICHER_NAMES,
  enrichmentKeys,
  LOCAL_ENRICHERS,
  parseEnricherNames,
};
