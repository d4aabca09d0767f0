// The byte-writing enrichers and OCSF/ECS/JSON writers against the code they
// replaced (test/helpers/oracle: a per-line enrichment object, serialised
// generically): on generated lines of generated formats, with any subset of
// the local enrichers in any order, both must write the same bytes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import sample from '../../shared/enrich/data/ip-ranges.sample.json' with {
  type: 'json',
};
import {
  createEnrichers,
  DEFAULT_INTERNAL_CIDRS,
  LOCAL_ENRICHERS,
  parseIpRanges,
} from '../../shared/enrich/index.ts';
import {
  FIELD_CATALOGUE,
  TGW_DEFAULT_FORMAT,
  VPC_DEFAULT_FORMAT,
} from '../../shared/flowlog/fields.ts';
import {
  type FlowLogFormat,
  parseFormat,
} from '../../shared/flowlog/format.ts';
import { FlowLogLine } from '../../shared/flowlog/line.ts';
import { planScan, scanLine } from '../../shared/flowlog/scan.ts';
import { ByteWriter } from '../../shared/output/byte-writer.ts';
import { LineEnrichment } from '../../shared/output/enrichment.ts';
import { createSerializer } from '../../shared/output/index.ts';
import * as oracle from '../helpers/oracle/index.ts';

const V5_FORMAT =
  '${version} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${start} ${end} ${type} ${packets} ${bytes} ${account-id} ${vpc-id} ${subnet-id} ${instance-id} ${interface-id} ${region} ${az-id} ${sublocation-type} ${sublocation-id} ${action} ${tcp-flags} ${pkt-srcaddr} ${pkt-dstaddr} ${pkt-src-aws-service} ${pkt-dst-aws-service} ${traffic-path} ${flow-direction} ${log-status}';

const FIXED_FORMATS = [
  VPC_DEFAULT_FORMAT,
  V5_FORMAT,
  TGW_DEFAULT_FORMAT,
  FIELD_CATALOGUE.map((field) => `\${${field.name}}`).join(' '),
];

/** Any subset of the catalogue, in any order. */
const randomFormatArb = fc
  .uniqueArray(fc.constantFrom(...FIELD_CATALOGUE), {
    minLength: 1,
    maxLength: 30,
    selector: (field) => field.name,
  })
  .map((fields) => fields.map((field) => `\${${field.name}}`).join(' '));

const formatArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...FIXED_FORMATS) },
  { weight: 1, arbitrary: randomFormatArb }
);

const octet = fc.integer({ min: 0, max: 255 });
const hextet = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));

/** Addresses inside, at the edges of and next to the sample's prefixes. */
const rangeAddressArb = fc.oneof(
  fc
    .constantFrom(...sample.prefixes.map((p) => p.ip_prefix.split('/')[0]!))
    .chain((network) =>
      fc.integer({ min: -1, max: 300 }).map((delta) => {
        const parts = network.split('.').map(Number);
        const value =
          ((parts[0]! << 24) |
            (parts[1]! << 16) |
            (parts[2]! << 8) |
            parts[3]!) >>>
          0;
        const next = (value + delta) >>> 0;
        return [24, 16, 8, 0].map((shift) => (next >>> shift) & 255).join('.');
      })
    ),
  fc
    .constantFrom(
      ...sample.ipv6_prefixes.map((p) => p.ipv6_prefix.split('/')[0]!)
    )
    .chain((network) =>
      fc.constantFrom(
        network,
        network.replace('::', '::1'),
        network.replace('::', ':ff::'),
        network.replace('::', ':ffff:ffff:ffff:ffff:ffff'),
        network.replace(/^([0-9a-f]+)/, (h) =>
          (Number.parseInt(h, 16) + 1).toString(16)
        )
      )
    )
);

const addressArb = fc.oneof(
  fc.constant('-'),
  fc.tuple(octet, octet, octet, octet).map((o) => o.join('.')),
  fc.constantFrom(
    '10.0.0.1',
    '172.31.16.139',
    '192.168.1.1',
    '100.64.0.1',
    '127.0.0.1',
    '169.254.169.254',
    '224.0.0.1',
    '0.0.0.0',
    '255.255.255.255',
    '203.0.113.12',
    '52.95.128.179',
    '::',
    '::1',
    'fd00::1',
    'fe80::1',
    'ff02::1',
    '2001:db8::1',
    '::ffff:10.0.0.1',
    '64:ff9b::8.8.8.8',
    '3fff::1',
    '1.2.3',
    '1.2.3.256',
    'not-an-ip'
  ),
  fc.array(hextet, { minLength: 8, maxLength: 8 }).map((h) => h.join(':')),
  rangeAddressArb
);

/** Decimal digits up to 2^64 - 1 and beyond, and `-`. */
const bigDigitsArb = fc.oneof(
  fc.constantFrom(
    '0',
    '9007199254740993',
    '9223372036854775807',
    '9223372036854775808',
    '18446744073709551615',
    '99999999999999999999'
  ),
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map(String)
);

const intArb = (max: number) =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constant('-') },
    { weight: 6, arbitrary: fc.integer({ min: 0, max }).map(String) },
    { weight: 1, arbitrary: bigDigitsArb }
  );

const timeArb = fc.oneof(
  fc.constant('-'),
  fc.integer({ min: 1_400_000_000, max: 1_900_000_000 }).map(String),
  fc.integer({ min: 0, max: 2 ** 31 }).map(String),
  fc.constantFrom(
    '0',
    '951782400',
    '4107542400',
    '253402300799',
    '253402300800',
    '8640000000000',
    '8640000000001',
    '1432917027000'
  ),
  fc.integer({ min: 0, max: 2 ** 40 }).map(String),
  bigDigitsArb
);

const textArb = fc.oneof(
  fc.constant('-'),
  fc.stringMatching(/^[!-~]{1,12}$/).filter((s) => s !== '-'),
  fc.constantFrom('eni-1235b8ca123456789', 'a"b', 'c\\d', 'café', 'ünï')
);

/** A value generator per field name; catalogue type for the rest. */
function valueArb(name: string, type: string): fc.Arbitrary<string> {
  switch (name) {
    case 'srcaddr':
    case 'dstaddr':
    case 'pkt-srcaddr':
    case 'pkt-dstaddr':
      return addressArb;
    case 'srcport':
    case 'dstport':
      return fc.oneof(intArb(70_000), fc.constantFrom('0', '8', '11', '128'));
    case 'protocol':
      return fc.oneof(
        intArb(300),
        fc.constantFrom('1', '6', '17', '58', '132', '61', '255', '253')
      );
    case 'start':
    case 'end':
      return timeArb;
    case 'tcp-flags':
      return intArb(300);
    case 'traffic-path':
      return intArb(10);
    case 'action':
      return fc.constantFrom('ACCEPT', 'REJECT', '-', 'DROP');
    case 'log-status':
      return fc.constantFrom('OK', 'NODATA', 'SKIPDATA', '-', 'PARTIAL');
    case 'flow-direction':
      return fc.constantFrom('ingress', 'egress', '-', 'sideways');
    case 'type':
      return fc.constantFrom('IPv4', 'IPv6', 'EFA', '-');
    case 'interface-id':
      return fc.constantFrom('eni-1235b8ca123456789', '-', 'eni-0f');
    case 'tgw-attachment-id':
      return fc.constantFrom('tgw-attach-1', '-');
    default:
      return type === 'int' ? intArb(100_000) : textArb;
  }
}

/** Lines for one format. */
function linesArb(format: FlowLogFormat): fc.Arbitrary<string[]> {
  const line = fc
    .tuple(...format.fields.map((field) => valueArb(field.name, field.type)))
    .map((values) => values.join(' '));
  return fc.array(line, { minLength: 1, maxLength: 8 });
}

const internalCidrs = DEFAULT_INTERNAL_CIDRS;
const ipRanges = parseIpRanges(sample, 'sample');
const oracleRanges = oracle.parseIpRanges(sample, 'sample');

/** The local enrichers whose inputs the format has. */
function applicableEnrichers(format: FlowLogFormat): string[] {
  return LOCAL_ENRICHERS.filter((name) => {
    try {
      createEnrichers([name], format, { internalCidrs, ipRanges });
      return true;
    } catch {
      return false;
    }
  });
}

/** Both implementations' output for the lines, or undefined if refused. */
function render(
  outputFormat: string,
  formatText: string,
  names: readonly string[],
  seed: number,
  lines: readonly string[]
): { ours: string[]; reference: string[] } | undefined {
  const format = parseFormat(formatText);
  let serializer: ReturnType<typeof createSerializer>;
  try {
    serializer = createSerializer(outputFormat, format);
  } catch {
    return undefined; // OCSF needs time and address fields
  }
  const reference = oracle.oracleSerializer(outputFormat, format);
  const context = { internalCidrs, ipRanges, communityIdSeed: seed };
  const enrichers = createEnrichers(names, format, context);
  const references = oracle.oracleEnrichers(names, format, {
    ...context,
    ipRanges: oracleRanges,
  });
  const plan = planScan(format);
  const line = new FlowLogLine(format);
  const enrichment = new LineEnrichment(8);
  const out = new ByteWriter(16);
  const referenceOut = new oracle.ByteWriter(16);
  for (const text of lines) {
    const bytes = Buffer.from(text, 'utf8');
    if (scanLine(bytes, 0, bytes.length, plan, line) !== undefined) continue;
    const refused = serializer.refuse?.(line);
    expect(refused).toBe(reference.refuse?.(line));
    if (refused !== undefined) continue;
    enrichment.reset();
    for (const enricher of enrichers) enricher.enrich(line, enrichment);
    serializer.write(line, enrichment, out);
    const object: oracle.Enrichment = {};
    for (const enricher of references) enricher.enrich(line, object);
    reference.write(line, object, referenceOut);
  }
  return {
    ours: out.toBuffer().toString('utf8').split('\n'),
    reference: referenceOut.toBuffer().toString('utf8').split('\n'),
  };
}

const caseArb = formatArb.chain((formatText) => {
  const format = parseFormat(formatText);
  return fc.record({
    formatText: fc.constant(formatText),
    output: fc.constantFrom('ocsf', 'ecs', 'json'),
    names: fc.shuffledSubarray(applicableEnrichers(format)),
    seed: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })),
    lines: linesArb(format),
  });
});

describe('byte writers against the reference implementation', () => {
  it('write the same bytes for every output format, enricher set and line', () => {
    fc.assert(
      fc.property(caseArb, ({ formatText, output, names, seed, lines }) => {
        // Act
        const result = render(output, formatText, names, seed, lines);

        // Assess
        if (result === undefined) return;
        expect(result.ours).toEqual(result.reference);
      }),
      { numRuns: 400 }
    );
  });

  it('writes the same bytes with every local enricher on the fixed formats', () => {
    for (const formatText of FIXED_FORMATS) {
      const format = parseFormat(formatText);
      const names = applicableEnrichers(format);
      fc.assert(
        fc.property(
          fc.constantFrom('ocsf', 'ecs', 'json'),
          linesArb(format),
          (output, lines) => {
            // Act
            const result = render(output, formatText, names, 0, lines);

            // Assess
            if (result === undefined) return;
            expect(result.ours).toEqual(result.reference);
          }
        ),
        { numRuns: 150 }
      );
    }
  });

  it('writes the same tcp flag names for every tcp-flags value', () => {
    // Prepare
    const formatText = '${srcaddr} ${dstaddr} ${start} ${tcp-flags}';
    const lines = Array.from(
      { length: 300 },
      (_, flags) => `10.0.0.1 10.0.0.2 1418530010 ${flags}`
    );

    for (const output of ['ocsf', 'ecs', 'json']) {
      // Act
      const result = render(output, formatText, ['tcp_flags'], 0, lines);

      // Assess
      expect(result?.ours).toEqual(result?.reference);
    }
  });
});
