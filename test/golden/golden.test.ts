/**
 * Golden tests: every documented example line of the AWS flow-log guide (and
 * a made-up Transit Gateway default-format pair) through every OUTPUT_FORMAT.
 * Inputs are test/golden/input/<case>.log, whose first line is
 * `# format: <LogFormat>`; expectations are test/golden/<format>/<case>.ndjson,
 * derived independently from the tables in docs/output-formats.md.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFormat } from '../../shared/flowlog/format.ts';
import { FlowLogLine } from '../../shared/flowlog/line.ts';
import { planScan, scanLine } from '../../shared/flowlog/scan.ts';
import { ByteWriter } from '../../shared/output/byte-writer.ts';
import { createSerializer, OUTPUT_FORMATS } from '../../shared/output/index.ts';

const GOLDEN = import.meta.dirname;

/**
 * JSON.parse rounds integers past 2^53; quoting long digit runs first makes
 * the comparison exact for 64-bit counters on both sides.
 */
function parseExact(text: string): unknown {
  return JSON.parse(text.replace(/([:[,])(\d{16,})(?=[,\]}])/g, '$1"$2"'));
}
const FORMAT_PREFIX = '# format: ';

const cases = readdirSync(join(GOLDEN, 'input'))
  .filter((name) => name.endsWith('.log'))
  .map((name) => name.slice(0, -'.log'.length))
  .sort();

function readCase(name: string): { format: string; lines: string[] } {
  const [header = '', ...lines] = readFileSync(
    join(GOLDEN, 'input', `${name}.log`),
    'utf8'
  )
    .split('\n')
    .filter((text) => text.length > 0);
  expect(header.startsWith(FORMAT_PREFIX)).toBe(true);
  return { format: header.slice(FORMAT_PREFIX.length), lines };
}

function transform(outputFormat: string, name: string): string[] {
  const { format: text, lines } = readCase(name);
  const format = parseFormat(text);
  const plan = planScan(format);
  const line = new FlowLogLine(format);
  const serializer = createSerializer(outputFormat, format);
  const out = new ByteWriter(256);
  for (const input of lines) {
    const bytes = Buffer.from(input, 'utf8');
    expect(scanLine(bytes, 0, bytes.length, plan, line)).toBeUndefined();
    serializer.write(line, {}, out);
  }
  return out.toBuffer().toString('utf8').split('\n').slice(0, -1);
}

describe('golden outputs', () => {
  it('has cases for every documented example group', () => {
    // Assess
    expect(cases).toEqual([
      'default-format',
      'nat-gateway',
      'tcp-flag-sequence',
      'tgw-default-format',
      'transit-gateway-vpc',
      'v5-service-path-direction',
    ]);
  });

  for (const outputFormat of OUTPUT_FORMATS) {
    for (const name of cases) {
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
