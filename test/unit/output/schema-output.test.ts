// Every OCSF and ECS record the embedded samples (what `npm start` replays)
// and random AWS-shaped lines produce, with every local enricher, checked
// against the OCSF 1.1.0 class 4001 schema and the ECS 8.11 fields.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FIELD_CATALOGUE,
  TGW_DEFAULT_FORMAT,
} from '../../../shared/flowlog/fields.ts';
import type { FlowLogFormat } from '../../../shared/flowlog/format.ts';
import {
  formatFromHeader,
  parseFormat,
} from '../../../shared/flowlog/format.ts';
import { FlowLogLine } from '../../../shared/flowlog/line.ts';
import { planScan, scanLine } from '../../../shared/flowlog/scan.ts';
import { ByteWriter } from '../../../shared/output/byte-writer.ts';
import { LineEnrichment } from '../../../shared/output/enrichment.ts';
import { createSerializer } from '../../../shared/output/index.ts';
import { localEnrichersFor } from '../../helpers/enrichers.ts';
import { expectValidOutput } from '../../schemas/validate.ts';

const SAMPLES = join(import.meta.dirname, '../../../samples');

/**
 * Output lines of `texts` in one OUTPUT_FORMAT; lines the format refuses
 * are left out (the transform loop answers them as malformed).
 */
function outputOf(
  outputFormat: string,
  format: FlowLogFormat,
  texts: readonly string[]
): { lines: string[]; refused: number } {
  const plan = planScan(format);
  const line = new FlowLogLine(format);
  const serializer = createSerializer(outputFormat, format);
  const enrichers = localEnrichersFor(format);
  const out = new ByteWriter(1 << 16);
  let refused = 0;
  for (const text of texts) {
    const bytes = Buffer.from(text, 'utf8');
    // A malformed line is ProcessingFailed before any serializer sees it.
    if (scanLine(bytes, 0, bytes.length, plan, line) !== undefined) continue;
    if (serializer.refuse?.(line) !== undefined) {
      refused++;
      continue;
    }
    const enrichment = new LineEnrichment();
    for (const enricher of enrichers) enricher.enrich(line, enrichment);
    serializer.write(line, enrichment, out);
  }
  const text = out.toBuffer().toString('utf8');
  return { lines: text === '' ? [] : text.slice(0, -1).split('\n'), refused };
}

const sampleFiles = readdirSync(SAMPLES)
  .filter((name) => name.endsWith('.log.gz'))
  .sort();

describe('OCSF and ECS output of the embedded samples', () => {
  it('has the three sample files npm start replays', () => {
    // Assess
    expect(sampleFiles).toHaveLength(3);
  });

  for (const outputFormat of ['ocsf', 'ecs']) {
    for (const file of sampleFiles) {
      it(`validates every ${outputFormat} record of ${file}`, () => {
        // Prepare
        const [header = '', ...texts] = gunzipSync(
          readFileSync(join(SAMPLES, file))
        )
          .toString('utf8')
          .split('\n')
          .filter((text) => text.length > 0);
        const format = formatFromHeader(header);

        // Act
        const { lines, refused } = outputOf(outputFormat, format, texts);

        // Assess
        expect(refused).toBe(0);
        expect(lines.length).toBeGreaterThan(texts.length * 0.9);
        expectValidOutput(outputFormat, lines);
      });
    }
  }
});

/** A field value as AWS writes it, by field name. */
function valueArb(name: string): fc.Arbitrary<string> {
  const ipv4 = fc.ipV4();
  // AWS writes IPv6 in RFC 5952's compressed form (at most 39 characters;
  // OCSF ip_t holds 40); the WHATWG URL parser prints that form.
  const ipv6 = fc
    .ipV6()
    .map((ip) => new URL(`http://[${ip}]`).hostname.slice(1, -1));
  const seconds = fc.integer({ min: 1_400_000_000, max: 2_000_000_000 });
  const absent = fc.constant('-');
  const or = (arb: fc.Arbitrary<string>) => fc.oneof(arb, absent);
  switch (name) {
    case 'srcaddr':
    case 'dstaddr':
    case 'pkt-srcaddr':
    case 'pkt-dstaddr':
      return or(fc.oneof(ipv4, ipv6));
    case 'srcport':
    case 'dstport':
      return or(fc.integer({ min: 0, max: 65535 }).map(String));
    case 'protocol':
      return or(fc.constantFrom('1', '6', '17', '58', '47', '132'));
    case 'start':
    case 'end':
      return seconds.map(String);
    case 'action':
      return or(fc.constantFrom('ACCEPT', 'REJECT'));
    case 'log-status':
      return fc.constantFrom('OK', 'NODATA', 'SKIPDATA');
    case 'type':
      return or(fc.constantFrom('IPv4', 'IPv6', 'EFA'));
    case 'flow-direction':
      return or(fc.constantFrom('ingress', 'egress'));
    case 'traffic-path':
      return or(fc.integer({ min: 1, max: 8 }).map(String));
    case 'tcp-flags':
      return or(fc.constantFrom('0', '1', '2', '3', '4', '18', '19'));
    case 'encryption-status':
      return or(fc.constantFrom('0', '1', '2', '3'));
    case 'account-id':
    case 'tgw-src-vpc-account-id':
    case 'tgw-dst-vpc-account-id':
      return fc.oneof(fc.stringMatching(/^\d{12}$/), fc.constant('unknown'));
    default:
      break;
  }
  const field = FIELD_CATALOGUE.find((f) => f.name === name);
  if (field?.type === 'int') {
    return or(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String));
  }
  return or(fc.stringMatching(/^[a-zA-Z0-9:/._%-]{1,24}$/));
}

/** Fields every OCSF format needs (plus log-status, for NODATA lines). */
const ESSENTIAL = ['start', 'srcaddr', 'dstaddr', 'log-status'];

/** A format with the essentials and up to 20 other catalogue fields, shuffled. */
const formatArb = fc
  .shuffledSubarray(
    FIELD_CATALOGUE.map((f) => f.name).filter((n) => !ESSENTIAL.includes(n)),
    { maxLength: 20 }
  )
  .chain((extra) => {
    const all = [...ESSENTIAL, ...extra];
    return fc.shuffledSubarray(all, { minLength: all.length });
  });

describe('OCSF and ECS output of random AWS-shaped lines', () => {
  it('validates every record, in every format of catalogue fields', () => {
    fc.assert(
      fc.property(
        formatArb.chain((names) =>
          fc.tuple(
            fc.constant(names),
            fc.array(fc.tuple(...names.map(valueArb)), {
              minLength: 1,
              maxLength: 8,
            })
          )
        ),
        ([names, rows]) => {
          // Prepare
          const format = parseFormat(names.map((n) => `\${${n}}`).join(' '));
          const texts = rows.map((row) => row.join(' '));

          // Act + Assess
          for (const outputFormat of ['ocsf', 'ecs']) {
            const { lines } = outputOf(outputFormat, format, texts);
            expectValidOutput(outputFormat, lines);
          }
        }
      ),
      { numRuns: 150 }
    );
  });

  it('validates the Transit Gateway default format', () => {
    // Prepare
    const format = parseFormat(TGW_DEFAULT_FORMAT);

    // Act + Assess
    fc.assert(
      fc.property(
        fc.array(fc.tuple(...format.fields.map((f) => valueArb(f.name))), {
          minLength: 1,
          maxLength: 5,
        }),
        (rows) => {
          const texts = rows.map((row) => row.join(' '));
          for (const outputFormat of ['ocsf', 'ecs']) {
            expectValidOutput(
              outputFormat,
              outputOf(outputFormat, format, texts).lines
            );
          }
        }
      ),
      { numRuns: 50 }
    );
  });
});
