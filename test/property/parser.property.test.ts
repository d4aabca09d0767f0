// Properties of the scanner and the batch transform, against a plain
// reference parser written with split and BigInt.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { transformBatch } from '../../shared/firehose/batch.ts';
import { FIELD_CATALOGUE } from '../../shared/flowlog/fields.ts';
import { jsonTransformer, transformText } from '../helpers/pipeline.ts';

const MAX_UINT64 = (1n << 64n) - 1n;

/** A format: distinct catalogue fields (and maybe an unknown one) in any order. */
const formatArb = fc
  .uniqueArray(fc.constantFrom(...FIELD_CATALOGUE), {
    minLength: 1,
    maxLength: 20,
    selector: (field) => field.name,
  })
  .chain((fields) =>
    fc.boolean().map((withUnknown) =>
      withUnknown
        ? [
            ...fields,
            {
              name: 'future-field',
              key: 'future_field',
              type: 'string' as const,
              version: 0,
            },
          ]
        : fields
    )
  );

const blankArb = fc.stringMatching(/^[ \t]{1,3}$/);
const stringValueArb = fc.oneof(
  fc.constant('-'),
  fc.stringMatching(/^[!-~]{1,12}$/),
  fc
    .string({ unit: 'grapheme', minLength: 1, maxLength: 6 })
    .filter((s) => !/[\s]/u.test(s))
);
const integerValueArb = fc.oneof(
  fc.constant('-'),
  fc.bigInt({ min: 0n, max: MAX_UINT64 }).map(String),
  fc
    .tuple(fc.integer({ min: 1, max: 3 }), fc.bigInt({ min: 0n, max: 999n }))
    .map(([zeros, n]) => '0'.repeat(zeros) + String(n))
);

/** The reference: split on runs of blanks, build the JSON text by hand. */
function referenceJson(
  fields: ReadonlyArray<{ key: string; type: string }>,
  line: string
): string {
  const tokens = line.trim().split(/[ \t]+/);
  const parts: string[] = [];
  fields.forEach((field, i) => {
    const token = tokens[i]!;
    if (token === '-') return;
    const value =
      field.type === 'int' ? BigInt(token).toString() : JSON.stringify(token);
    parts.push(`${JSON.stringify(field.key)}:${value}`);
  });
  return `{${parts.join(',')}}`;
}

// A line that starts with '{' is read as the {"message":…} wrapper, by design.
const lineCaseArb = formatArb.chain((fields) =>
  fc
    .tuple(
      fc.tuple(
        ...fields.map((f) =>
          f.type === 'int' ? integerValueArb : stringValueArb
        )
      ),
      fc.array(blankArb, {
        minLength: fields.length + 1,
        maxLength: fields.length + 1,
      })
    )
    .map(([values, blanks]) => ({
      fields,
      line:
        values.map((v, i) => (i === 0 ? '' : blanks[i]) + v).join('') +
        (blanks[0]!.length > 2 ? blanks[0] : ''),
    }))
    .filter(({ line }) => !line.startsWith('{'))
);

const formatText = (fields: ReadonlyArray<{ name: string }>) =>
  fields.map((f) => `\${${f.name}}`).join(' ');

describe('scanner against the reference parser', () => {
  it('writes exactly the reference JSON for any format and valid line', () => {
    fc.assert(
      fc.property(lineCaseArb, ({ fields, line }) => {
        const result = transformText(jsonTransformer(formatText(fields)), line);
        const expected = referenceJson(fields, line);
        if (expected === '{}') {
          expect(result.status).toBe('Ok');
        }
        expect(result.lines).toEqual([expected]);
      }),
      { numRuns: 300 }
    );
  });

  it('fails a line with one field too many or too few', () => {
    fc.assert(
      fc.property(lineCaseArb, fc.boolean(), ({ fields, line }, extra) => {
        const tokens = line.trim().split(/[ \t]+/);
        const changed = extra ? [...tokens, 'x'] : tokens.slice(0, -1);
        const result = transformText(
          jsonTransformer(formatText(fields)),
          changed.join(' ')
        );
        if (changed.length === 0) {
          expect(result.status).toBe('Dropped');
        } else {
          expect(result.status).toBe('ProcessingFailed');
          expect(result.reason).toBe(
            extra ? 'too_many_fields' : 'too_few_fields'
          );
        }
      }),
      { numRuns: 200 }
    );
  });
});

describe('batch invariants', () => {
  const transformer = jsonTransformer(
    '${version} ${account-id} ${bytes} ${action}'
  );

  it('never throws on arbitrary bytes and answers each recordId once, in order', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc
              .uint8Array({ maxLength: 200 })
              .map((b) => Buffer.from(b).toString('base64')),
            fc.string({ maxLength: 40 }),
            fc
              .tuple(
                fc.nat(9),
                fc.string({ maxLength: 10 }),
                fc.bigInt({ min: 0n, max: 1n << 70n })
              )
              .map(([v, a, n]) =>
                Buffer.from(`${v} ${a} ${n} ACCEPT`).toString('base64')
              )
          ),
          { maxLength: 30 }
        ),
        (datas) => {
          const event = {
            records: datas.map((data, i) => ({
              recordId: `r${i}`,
              approximateArrivalTimestamp: 0,
              data,
            })),
          };
          const { response, counters } = transformBatch(event, transformer);
          expect(response.records.map((r) => r.recordId)).toEqual(
            event.records.map((r) => r.recordId)
          );
          expect(counters.ok + counters.dropped + counters.failed).toBe(
            datas.length
          );
          for (const record of response.records) {
            expect(['Ok', 'Dropped', 'ProcessingFailed']).toContain(
              record.result
            );
            expect(typeof record.data).toBe('string');
          }
        }
      ),
      { numRuns: 300 }
    );
  });
});
