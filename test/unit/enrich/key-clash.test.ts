import { describe, expect, it } from 'vitest';
import {
  createEnrichers,
  DEFAULT_INTERNAL_CIDRS,
  ENRICHER_NAMES,
  EnrichError,
  eniFields,
  enrichmentKeys,
  parseIpRanges,
} from '../../../shared/enrich/index.ts';
import { parseFormat } from '../../../shared/flowlog/format.ts';
import { FlowLogLine } from '../../../shared/flowlog/line.ts';
import { planScan, scanLine } from '../../../shared/flowlog/scan.ts';
import { LineEnrichment } from '../../../shared/output/enrichment.ts';

// AWS's version-5 example record and its format, verbatim from
// https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-records-examples.html
const V5_FORMAT =
  '${version} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${start} ${end} ${type} ${packets} ${bytes} ${account-id} ${vpc-id} ${subnet-id} ${instance-id} ${interface-id} ${region} ${az-id} ${sublocation-type} ${sublocation-id} ${action} ${tcp-flags} ${pkt-srcaddr} ${pkt-dstaddr} ${pkt-src-aws-service} ${pkt-dst-aws-service} ${traffic-path} ${flow-direction} ${log-status}';
const V5_EGRESS =
  '5 10.0.0.71 52.95.128.179 34210 80 6 1616729292 1616729349 IPv4 7 471 123456789012 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b eni-1235b8ca123456789 ap-southeast-2 apse2-az3 - - ACCEPT 3 10.0.0.71 52.95.128.179 - S3 8 egress OK';

const META = {
  instanceId: 'i-0c50d5961bcb2d47b',
  securityGroupIds: ['sg-1'],
  subnetId: 'subnet-aaaaaaaa012345678',
  vpcId: 'vpc-abcdefab012345678',
  description: 'd',
  interfaceType: 'interface',
  tags: { Name: 'web' },
};

function context() {
  return {
    internalCidrs: DEFAULT_INTERNAL_CIDRS,
    ipRanges: parseIpRanges({
      syncToken: '1',
      createDate: '2021-03-26-00-00-00',
      prefixes: [
        {
          ip_prefix: '52.95.128.0/21',
          region: 'ap-southeast-2',
          service: 'S3',
        },
      ],
      ipv6_prefixes: [],
    }),
    eniCache: { lookup: () => eniFields(META) },
  };
}

function errorOf(act: () => unknown): EnrichError {
  try {
    act();
  } catch (error) {
    if (error instanceof EnrichError) return error;
    throw error;
  }
  throw new Error('expected an EnrichError');
}

describe('enrichment key clashes', () => {
  it('refuses ${protocol-name} with ENRICH=protocol, naming both settings', () => {
    // Prepare: issue #9 item 7
    const format = parseFormat('${version} ${protocol} ${protocol-name}');
    // Act
    const error = errorOf(() =>
      createEnrichers(['protocol'], format, context())
    );
    // Assess
    expect(error.code).toBe('ENRICH_KEY_CLASH');
    expect(error.message).toBe(
      "ENRICH: enricher 'protocol' writes the key 'protocol_name', which FLOW_LOG_FORMAT's field '${protocol-name}' also writes; remove 'protocol' from ENRICH or '${protocol-name}' from FLOW_LOG_FORMAT"
    );
  });

  it('refuses a per-address key of ip and aws_service', () => {
    const format = parseFormat('${srcaddr} ${dstaddr} ${dstaddr-aws-service}');
    expect(
      errorOf(() => createEnrichers(['aws_service'], format, context())).message
    ).toContain("writes the key 'dstaddr_aws_service'");
    const ip = parseFormat('${srcaddr} ${srcaddr-class}');
    expect(
      errorOf(() => createEnrichers(['ip'], ip, context())).message
    ).toContain("writes the key 'srcaddr_class'");
  });

  it('accepts the same unknown field without the enricher', () => {
    const format = parseFormat('${version} ${protocol} ${protocol-name}');
    expect(
      createEnrichers(['time'], parseFormat('${start}'), context())
    ).toHaveLength(1);
    expect(createEnrichers([], format, context())).toEqual([]);
  });

  it('lists every key each enricher writes on the documented v5 record', () => {
    // Prepare
    const format = parseFormat(V5_FORMAT);
    const line = new FlowLogLine(format);
    const bytes = Buffer.from(V5_EGRESS);
    expect(
      scanLine(bytes, 0, bytes.length, planScan(format), line)
    ).toBeUndefined();
    const enrichers = createEnrichers([...ENRICHER_NAMES], format, context());
    // Act / Assess: each enricher adds only the keys enrichmentKeys lists
    for (const enricher of enrichers) {
      const into = new LineEnrichment();
      enricher.enrich(line, into);
      const keys = enrichmentKeys(
        enricher.name as (typeof ENRICHER_NAMES)[number],
        format
      );
      expect(Object.keys(into.toObject()).length).toBeGreaterThan(0);
      for (const key of Object.keys(into.toObject()))
        expect(keys).toContain(key);
    }
  });
});
