// The enrichers and OCSF/ECS/JSON writers as they were before they wrote
// bytes directly (a per-line enrichment object, serialised generically),
// kept as the test-only reference the property test compares against.

import { internalNetworks } from '../../../shared/enrich/ip.ts';
import type { FlowLogFormat } from '../../../shared/flowlog/format.ts';
import { AddressEnricher } from './address.ts';
import { AwsServiceEnricher } from './aws-service.ts';
import { CommunityIdEnricher } from './community-id.ts';
import { DirectionEnricher } from './direction.ts';
import { EcsSerializer } from './ecs.ts';
import type { IpRangeTable } from './ip-ranges.ts';
import { JsonSerializer } from './json.ts';
import { OcsfSerializer } from './ocsf.ts';
import { ProtocolEnricher } from './protocol.ts';
import { TcpFlagsEnricher } from './tcp-flags.ts';
import { TimeEnricher } from './time.ts';
import { TrafficPathEnricher } from './traffic-path.ts';
import type { Enricher, LineSerializer } from './types.ts';

/** The reference serializer for an OUTPUT_FORMAT name. */
function oracleSerializer(name: string, format: FlowLogFormat): LineSerializer {
  if (name === 'ocsf') return new OcsfSerializer(format);
  if (name === 'ecs') return new EcsSerializer(format);
  return new JsonSerializer(format);
}

/**
 * The reference enrichers named (local ones only), in order; names whose
 * inputs the format lacks are skipped, as createEnrichers would refuse them.
 */
function oracleEnrichers(
  names: readonly string[],
  format: FlowLogFormat,
  context: {
    internalCidrs: readonly string[];
    ipRanges: IpRangeTable;
    communityIdSeed?: number;
  }
): Enricher[] {
  const internal = internalNetworks(context.internalCidrs);
  return names.map((name): Enricher => {
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
        return new AddressEnricher(format);
      case 'direction':
        return new DirectionEnricher(format, internal);
      case 'community_id':
        return new CommunityIdEnricher(format, context.communityIdSeed ?? 0);
      case 'aws_service':
        return new AwsServiceEnricher(format, context.ipRanges);
      default:
        throw new Error(`oracle: no enricher '${name}'`);
    }
  });
}

export { ByteWriter } from './byte-writer.ts';
export { parseIpRanges } from './ip-ranges.ts';
export type { Enricher, Enrichment, LineSerializer } from './types.ts';
export { oracleEnrichers, oracleSerializer };
