import { describe, expect, it } from 'vitest';
import {
  createEnrichers,
  DEFAULT_INTERNAL_CIDRS,
  ENRICHER_NAMES,
  EnrichError,
  loadBundledIpRanges,
  parseEnricherNames,
} from '../../../shared/enrich/index.ts';
import {
  TGW_DEFAULT_FORMAT,
  VPC_DEFAULT_FORMAT,
} from '../../../shared/flowlog/fields.ts';
import { parseFormat } from '../../../shared/flowlog/format.ts';

const VPC = parseFormat(VPC_DEFAULT_FORMAT);
const CONTEXT = { internalCidrs: DEFAULT_INTERNAL_CIDRS };

function errorOf(act: () => unknown): EnrichError {
  try {
    act();
  } catch (error) {
    if (error instanceof EnrichError) return error;
    throw error;
  }
  throw new Error('expected an EnrichError');
}

describe('createEnrichers', () => {
  it('builds the named enrichers in ENRICH order', () => {
    // Act
    const enrichers = createEnrichers(['time', 'protocol', 'ip'], VPC, CONTEXT);

    // Assess
    expect(enrichers.map((e) => e.name)).toEqual(['time', 'protocol', 'ip']);
  });

  it('builds every enricher for the Transit Gateway default format given its sources', () => {
    // Prepare
    const format = parseFormat(TGW_DEFAULT_FORMAT);
    const names = ENRICHER_NAMES.filter(
      (n) => n !== 'eni' && n !== 'traffic_path'
    );

    // Act
    const enrichers = createEnrichers(names, format, {
      ...CONTEXT,
      ipRanges: loadBundledIpRanges(),
    });

    // Assess
    expect(enrichers).toHaveLength(names.length);
  });

  it('names an unknown enricher, its position and the allowed names', () => {
    // Act
    const error = errorOf(() =>
      createEnrichers(['protocol', 'geoip'], VPC, CONTEXT)
    );

    // Assess
    expect(error.code).toBe('ENRICH_UNKNOWN');
    expect(error.message).toBe(
      "ENRICH: unknown enricher 'geoip' at position 2; allowed: protocol, tcp_flags, traffic_path, time, ip, direction, community_id, aws_service, eni"
    );
  });

  it('refuses a name listed twice', () => {
    // Act
    const error = errorOf(() =>
      createEnrichers(['time', 'time'], VPC, CONTEXT)
    );

    // Assess
    expect(error.code).toBe('ENRICH_DUPLICATE');
    expect(error.message).toContain("'time' at position 2");
  });

  it('names the missing input field', () => {
    // Act
    const error = errorOf(() => createEnrichers(['tcp_flags'], VPC, CONTEXT));

    // Assess
    expect(error.code).toBe('ENRICH_MISSING_FIELDS');
    expect(error.message).toBe(
      "ENRICH: enricher 'tcp_flags' needs ${tcp-flags} in FLOW_LOG_FORMAT"
    );
  });

  it('names every alternative when none is present', () => {
    // Act
    const error = errorOf(() =>
      createEnrichers(
        ['direction'],
        parseFormat('${version} ${srcaddr}'),
        CONTEXT
      )
    );

    // Assess
    expect(error.code).toBe('ENRICH_MISSING_FIELDS');
    expect(error.message).toContain("'flow-direction'");
  });

  it('refuses eni without an ENI cache and aws_service without a range table', () => {
    // Act
    const eni = errorOf(() => createEnrichers(['eni'], VPC, CONTEXT));
    const aws = errorOf(() => createEnrichers(['aws_service'], VPC, CONTEXT));

    // Assess
    expect(eni.code).toBe('ENRICH_MISSING_SOURCE');
    expect(eni.message).toContain("'eni' needs an ENI cache");
    expect(aws.code).toBe('ENRICH_MISSING_SOURCE');
  });

  it('refuses a bad INTERNAL_CIDRS entry by name and value', () => {
    // Act
    const error = errorOf(() =>
      createEnrichers(['protocol'], VPC, {
        internalCidrs: ['10.0.0.0/8', '10.1.2.3/8'],
      })
    );

    // Assess
    expect(error.code).toBe('ENRICH_BAD_CIDR');
    expect(error.message).toContain("INTERNAL_CIDRS: '10.1.2.3/8'");
  });
});

describe('parseEnricherNames', () => {
  it('splits on commas and drops blanks', () => {
    // Assess
    expect(parseEnricherNames(' protocol, time ,,ip ')).toEqual([
      'protocol',
      'time',
      'ip',
    ]);
    expect(parseEnricherNames('')).toEqual([]);
  });
});
