/**
 * Golden tests: every documented example line of the AWS flow-log guide (and
 * a made-up Transit Gateway default-format pair) through every OUTPUT_FORMAT.
 * Inputs are test/golden/input/<case>.log, whose first line is
 * `# format: <LogFormat>`, optionally followed by `# enrich: <ENRICH>`;
 * expectations are test/golden/<format>/<case>.ndjson, derived
 * independently from the tables in docs/output-formats.md, where a line the
 * format refuses is `{"refused":"<code>"}`; or test/golden/<format>/<case>.error,
 * the cold-start message when the format cannot take the LogFormat at all.
 * Every line written is validated against the OCSF or ECS schema.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEnrichers } from '../../shared/enrich/index.ts';
import type { Enricher } from '../../shared/enrich/types.ts';
import { parseFormat } from '../../shared/flowlog/format.ts';
import { FlowLogLine } from '../../shared/flowlog/line.ts';
import { planScan, scanLine } from '../../shared/flowlog/scan.ts';
import { ByteWriter } from '../../shared/output/byte-writer.ts';
import { LineEnrichment } from '../../shared/output/enrichment.ts';
import { createSerializer, OUTPUT_FORMATS } from '../../shared/output/index.ts';
import { expectValidOutput } from '../schemas/validate.ts';

const GOLDEN = import.meta.dirname;

/**
 * JSON.parse rounds integers past 2^53; quoting long digit runs first makes
 * the comparison exact for 64-bit counters on both sides.
 */
function parseExact(text: string): unknown {
  return JSON.parse(text.replace(/([:[,])(\d{16,})(?=[,\]}])/g, '$1"$2"'));
}
const FORMAT_PREFIX = '# format: ';
const ENRICH_PREFIX = '# enrich: ';

const cases = readdirSync(join(GOLDEN, 'input'))
  .filter((name) => name.endsWith('.log'))
  .map((name) => name.slice(0, -'.log'.length))
  .sort();

interface GoldenCase {
  readonly format: string;
  readonly enrich: readonly string[];
  readonly lines: readonly string[];
}

function readCase(name: string): GoldenCase {
  const [header = '', ...rest] = readFileSync(
    join(GOLDEN, 'input', `${name}.log`),
    'utf8'
  )
    .split('\n')
    .filter((text) => text.length > 0);
  expect(header.startsWith(FORMAT_PREFIX)).toBe(true);
  const enrichLine = rest[0]?.startsWith(ENRICH_PREFIX) ? rest.shift() : '';
  return {
    format: header.slice(FORMAT_PREFIX.length),
    enrich: enrichLine!.slice(ENRICH_PREFIX.length).split(',').filter(Boolean),
    lines: rest,
  };
}

function transform(outputFormat: string, name: string): string[] {
  const { format: text, enrich, lines } = readCase(name);
  const format = parseFormat(text);
  const plan = planScan(format);
  const line = new FlowLogLine(format);
  const serializer = createSerializer(outputFormat, format);
  const enrichers: Enricher[] = createEnrichers(enrich, format, {
    internalCidrs: [],
  });
  const out = new ByteWriter(256);
  const written: string[] = [];
  for (const input of lines) {
    const bytes = Buffer.from(input, 'utf8');
    expect(scanLine(bytes, 0, bytes.length, plan, line)).toBeUndefined();
    const refused = serializer.refuse?.(line);
    if (refused !== undefined) {
      written.push(JSON.stringify({ refused }));
      continue;
    }
    const enrichment = new LineEnrichment();
    for (const enricher of enrichers) enricher.enrich(line, enrichment);
    const before = out.length;
    serializer.write(line, enrichment, out);
    written.push(out.toBuffer().toString('utf8', before, out.length - 1));
  }
  return written;
}

describe('golden outputs', () => {
  it('has cases for every documented example group', () => {
    // Assess
    expect(cases).toEqual([
      'default-format',
      'fields-v9-v11',
      'icmp-community-id',
      'millisecond-times',
      'nat-gateway',
      'tcp-flag-sequence',
      'tgw-default-format',
      'transit-gateway-vpc',
      'v5-service-path-direction',
    ]);
  });

  for (const outputFormat of OUTPUT_FORMATS) {
    for (const name of cases) {
      const errorFile = join(GOLDEN, outputFormat, `${name}.error`);
      if (existsSync(errorFile)) {
        it(`refuses the ${name} format as ${outputFormat} at cold start`, () => {
          // Prepare
          const expected = readFileSync(errorFile, 'utf8').trim();

          // Act
          const act = () => transform(outputFormat, name);

          // Assess
          expect(act).toThrow(expected);
        });
        continue;
      }
      it(`writes ${name} as ${outputFormat} line by line`, () => {
        // Prepare
        const expected = readFileSync(
          join(GOLDEN, outputFormat, `${name}.ndjson`),
          'utf8'
        )
          .split('\n')
          .filter((text) => text.length > 0)
          .map(parseExact);

        // Act
        const actual = transform(outputFormat, name);

        // Assess
        expectValidOutput(
          outputFormat,
          actual.filter((text) => !text.startsWith('{"refused"'))
        );
        expect(actual).toHaveLength(expected.length);
        actual.forEach((text, index) => {
          expect(parseExact(text), `line ${index + 1}`).toEqual(
            expected[index]
          );
        });
      });
    }
  }
});
