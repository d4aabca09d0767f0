/**
 * ENRICH=traffic_path: a stable name for the `traffic-path` code, the path
 * egress traffic took (AWS VPC flow log records, "traffic-path").
 */
import { type FlowLogFormat, fieldIndex } from '../flowlog/format.ts';
import type { FlowLogLine } from '../flowlog/line.ts';
import type { LineEnrichment } from '../output/enrichment.ts';
import { keyBytes } from '../output/nested-writer.ts';
import type { Enricher } from './types.ts';

/** Names by code; index 0 is unused (AWS defines 1-8). */
// biome-ignore format: one code per row, as AWS lists them
const TRAFFIC_PATH_NAMES: ReadonlyArray<string | undefined> = Object.freeze([
  undefined,
  'same_vpc', // 1: another resource in the same VPC, incl. resources that create an interface in the VPC
  'internet_gateway_or_gateway_endpoint', // 2: internet gateway or gateway VPC endpoint
  'virtual_private_gateway', // 3
  'intra_region_peering', // 4: intra-region VPC peering connection
  'inter_region_peering', // 5: inter-region VPC peering connection
  'local_gateway', // 6
  'gateway_endpoint', // 7: gateway VPC endpoint (Nitro-based instances only)
  'internet_gateway', // 8: internet gateway (Nitro-based instances only)
]);

/** {@link TRAFFIC_PATH_NAMES} as JSON string bytes. */
const NAME_JSON: ReadonlyArray<Buffer | undefined> = TRAFFIC_PATH_NAMES.map(
  (name) => (name === undefined ? undefined : Buffer.from(JSON.stringify(name)))
);

const K_TRAFFIC_PATH_NAME = keyBytes('traffic_path_name');

/**
 * Adds `traffic_path_name` (string) for codes 1-8. Needs `traffic-path`.
 * Ingress lines carry `-` and add nothing. O(1) per line.
 */
class TrafficPathEnricher implements Enricher {
  readonly name = 'traffic_path';
  private readonly path: number;

  constructor(format: FlowLogFormat) {
    this.path = fieldIndex(format, 'traffic-path');
  }

  enrich(line: FlowLogLine, into: LineEnrichment): void {
    const code = line.integer(this.path);
    if (code === undefined || code >= NAME_JSON.length) return;
    const name = NAME_JSON[code];
    if (name !== undefined) into.addConst(K_TRAFFIC_PATH_NAME, name);
  }
}

export { TRAFFIC_PATH_NAMES, TrafficPathEnricher };
