// The WebAssembly JSON kernel against its reference, the TypeScript path
// (scan.ts scanLine + json.ts JsonSerializer through the record transformer):
// for every generated record, of bare lines or of `{"message":"…"}`
// wrapped ones, both must answer the same status, reason, excerpt, line
// counts, value-audit counts and output bytes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type RecordResult,
  RecordTransformer,
} from '../../shared/firehose/record-transformer.ts';
import {
  FIELD_CATALOGUE,
  TGW_DEFAULT_FORMAT,
  VPC_DEFAULT_FORMAT,
} from '../../shared/flowlog/fields.ts';
import { parseFormat } from '../../shared/flowlog/format.ts';
import {
  auditedRangeOf,
  closedSetOf,
  isAddressField,
} from '../../shared/flowlog/values.ts';
import { JsonKernel, KERNEL_RESULT } from '../../shared/kernel/json-kernel.ts';
import { ByteWriter } from '../../shared/output/byte-writer.ts';
import { JsonSerializer } from '../../shared/output/json.ts';

const MAX_UINT64 = (1n << 64n) - 1n;

const vpcUpTo = (version: number) =>
  FIELD_CATALOGUE.filter(
    (f) =>
      f.version <= version && !/^(tgw-|resource-type|packets-lost)/.test(f.name)
  )
    .map((f) => `\${${f.name}}`)
    .join(' ');

/** The documented formats the kernel is for, plus random catalogue subsets. */
const NAMED_FORMATS = [
  VPC_DEFAULT_FORMAT,
  vpcUpTo(5), // 29 fields
  vpcUpTo(8), // 40 fields: v5 + ECS (v7) + reject-reason (v8)
  TGW_DEFAULT_FORMAT,
];

const formatTextArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NAMED_FORMATS) },
  {
    weight: 1,
    arbitrary: fc
      .uniqueArray(fc.constantFrom(...FIELD_CATALOGUE), {
        minLength: 1,
        maxLength: 12,
        selector: (f) => f.name,
      })
      .map((fields) => fields.map((f) => `\${${f.name}}`).join(' ')),
  }
);

const EDGE_INTEGERS = [
  '0',
  '00',
  '000000000000000000000000000007',
  String(MAX_UINT64),
  `0${MAX_UINT64}`,
  String(MAX_UINT64 + 1n),
  '99999999999999999999',
  '100000000000000000000',
  '1234567890123456',
  '12345678901234567',
];
const BAD_INTEGERS = ['1x', 'x', '--', '+1', '-1', '1-', '1.5', '0x10', '١'];

/** Integers the scanner accepts: the kernel writes every one. */
const validIntegerArb = fc.oneof(
  fc.bigInt({ min: 0n, max: MAX_UINT64 }).map(String),
  fc.integer({ min: 0, max: 65_535 }).map(String),
  fc.constant('-'),
  fc.constantFrom(...EDGE_INTEGERS.slice(0, 5))
);
/** Strings with nothing to escape, ASCII: the kernel writes every one. */
const plainStringArb = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[!#-[\]-z|}~]{1,20}$/) },
  { weight: 1, arbitrary: fc.constantFrom('-', 'eni-1235b8ca123456789', '-x') }
);

const integerArb = fc.oneof(
  { weight: 2, arbitrary: fc.bigInt({ min: 0n, max: MAX_UINT64 }).map(String) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 65_535 }).map(String) },
  { weight: 1, arbitrary: fc.constant('-') },
  { weight: 1, arbitrary: fc.constantFrom(...EDGE_INTEGERS) },
  { weight: 1, arbitrary: fc.constantFrom(...BAD_INTEGERS) }
);

const stringArb = fc.oneof(
  // Printable ASCII but `"`, `\` and `{`: the kernel's own case.
  { weight: 4, arbitrary: fc.stringMatching(/^[!#-[\]-z|}~]{1,20}$/) },
  { weight: 1, arbitrary: fc.stringMatching(/^[!-~]{1,20}$/) },
  { weight: 1, arbitrary: fc.constant('-') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'eni-1235b8ca123456789',
      '2001:db8::1',
      'a"b',
      'a\\b',
      '{x}',
      'é',
      '\u2028',
      '\u0001',
      '\u007f',
      '-x',
      '--'
    ),
  },
  {
    weight: 1,
    arbitrary: fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 4 })
      .filter((s) => !/[\s]/u.test(s)),
  }
);

const blankArb = fc.stringMatching(/^[ \t]{1,3}$/);

/**
 * A field the value audit checks against a documented range (srcport,
 * dstport: 0 to 65535; protocol, tcp-flags: 0 to 255; values.ts): mostly in
 * range, sometimes `0`-led or at the maximum, sometimes above it (by one,
 * with as many digits, or anything up to 2^64 - 1), which the audit counts
 * and the kernel leaves to the TypeScript path.
 */
function rangeValueArb(
  max: bigint,
  clean: boolean,
  aboveWeight: number,
  any: fc.Arbitrary<string>
): fc.Arbitrary<string> {
  const inRange = fc.bigInt({ min: 0n, max }).map(String);
  const sameLength = 10n ** BigInt(String(max).length) - 1n;
  const above = fc.oneof(
    fc.constantFrom(String(max + 1n), `0${max + 1n}`, `${max}0`),
    fc.bigInt({ min: max + 1n, max: sameLength }).map(String),
    fc.bigInt({ min: max + 1n, max: MAX_UINT64 }).map(String)
  );
  return fc.oneof(
    {
      weight: 20,
      arbitrary: fc.oneof(
        inRange,
        inRange.map((v) => `0${v}`),
        fc.constantFrom('-', String(max), `0${max}`)
      ),
    },
    { weight: aboveWeight, arbitrary: above },
    { weight: clean ? 0 : 4, arbitrary: any }
  );
}

/** Addresses parseIp takes (docs/fields.md): the kernel writes each one. */
const validAddressArb = fc.oneof(
  fc.ipV4(),
  fc.ipV6(),
  fc.constantFrom(
    '-',
    '172.31.16.139',
    '2001:db8:1234:a100:8d6e:3477:df66:f105',
    '::',
    '::1',
    'fe80::1',
    '1::',
    '::ffff:10.0.0.1',
    '1:2:3:4:5:6:1.2.3.4',
    'ABCD:ef01::9'
  )
);
/**
 * Text in an address field that is no IPv4/IPv6 address: the audit counts
 * it and the kernel leaves the record to the TypeScript path.
 */
const invalidAddressArb = fc.oneof(
  fc.constantFrom(
    '999.1.1.1',
    'not-an-ip',
    '1.2.3.4/8',
    '010.0.0.1',
    '1.2.3',
    '1.2.3.4.5',
    '256.0.0.1',
    '1..2.3',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
    ':::',
    ':1::2',
    '1::2::3',
    '12345::',
    'g::1',
    '1:',
    '::1.2.3',
    '::01.2.3.4',
    '1:2:3:4:5:6:7:1.2.3.4',
    'x'
  ),
  fc
    .ipV4Extended()
    .filter((v) => !/^(\d|[1-9]\d+)(\.(\d|[1-9]\d+)){3}$/.test(v))
);

/** An address field's value: mostly an address, sometimes none. */
function addressArb(
  clean: boolean,
  any: fc.Arbitrary<string>
): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 12, arbitrary: validAddressArb },
    { weight: clean ? 0 : 3, arbitrary: invalidAddressArb },
    { weight: clean ? 0 : 1, arbitrary: any }
  );
}

/** One line of a format: its values, maybe one field too few or too many. */
function valueArb(
  field: { name: string; type: string },
  clean: boolean,
  aboveWeight: number
): fc.Arbitrary<string> {
  const any =
    field.type === 'int'
      ? clean
        ? validIntegerArb
        : integerArb
      : clean
        ? plainStringArb
        : stringArb;
  if (field.type !== 'int' && isAddressField(field.name))
    return addressArb(clean, any);
  const range = field.type === 'int' ? auditedRangeOf(field.name) : undefined;
  if (range !== undefined)
    return rangeValueArb(range.max, clean, aboveWeight, any);
  const documented = closedSetOf(field.name)?.values;
  if (documented === undefined) return any;
  // A field the value audit checks: mostly documented values (and `0`-led
  // integers of them), sometimes others, which the audit counts.
  const led = documented.map((v) => (/^\d+$/.test(v) ? `0${v}` : v));
  return fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom('-', ...documented, ...led) },
    { weight: clean ? 0 : 2, arbitrary: any }
  );
}

function lineArb(
  fields: ReadonlyArray<{ name: string; type: string }>,
  header: string,
  clean: boolean,
  aboveWeight: number
): fc.Arbitrary<string> {
  const types = fields.map((f) => f.type);
  const values = fc.tuple(
    ...fields.map((f) => valueArb(f, clean, aboveWeight))
  );
  return fc.oneof(
    {
      weight: 12,
      arbitrary: fc
        .tuple(
          values,
          fc.array(blankArb, {
            minLength: types.length + 1,
            maxLength: types.length + 1,
          }),
          fc.boolean(),
          fc.boolean()
        )
        .map(([vs, blanks, lead, trail]) => {
          let text = lead ? blanks[0]! : '';
          vs.forEach((v, i) => {
            text += (i > 0 ? blanks[i]! : '') + v;
          });
          return text + (trail ? blanks[types.length]! : '');
        }),
    },
    {
      weight: clean ? 0 : 1,
      arbitrary: values.map((vs) => vs.slice(0, -1).join(' ')),
    },
    {
      weight: clean ? 0 : 1,
      arbitrary: values.map((vs) => `${vs.join(' ')} extra`),
    },
    // A field added or dropped mid-line: later values shift onto fields of
    // another type, so a value may fail before the count is known (the
    // count is the reason: docs/configuration.md).
    {
      weight: clean ? 0 : 1,
      arbitrary: fc
        .tuple(values, fc.nat(types.length), fc.constantFrom('x', '1', '-'))
        .map(([vs, at, extra]) =>
          [...vs.slice(0, at), extra, ...vs.slice(at)].join(' ')
        ),
    },
    {
      weight: clean ? 0 : 1,
      arbitrary: fc
        .tuple(values, fc.nat(Math.max(types.length - 1, 0)))
        .map(([vs, at]) => [...vs.slice(0, at), ...vs.slice(at + 1)].join(' ')),
    },
    { weight: 1, arbitrary: fc.constantFrom('', '   ', '\t') },
    { weight: clean ? 0 : 1, arbitrary: fc.constant(header) }
  );
}

/**
 * A record: lines joined by LF or CR LF, maybe a final terminator. Half are
 * clean (every line the kernel's case), half draw malformed lines, bad
 * integers, bytes to escape, non-ASCII and header lines too. One clean
 * record in ten, and the others, also draw values above a documented range
 * (`srcport` 65536): Ok lines the kernel leaves to the value audit.
 */
const caseArb = fc
  .tuple(formatTextArb, fc.boolean(), fc.integer({ min: 0, max: 9 }))
  .chain(([formatText, clean, draw]) => {
    const format = parseFormat(formatText);
    const header = format.fields.map((f) => f.name).join(' ');
    const aboveWeight = clean && draw > 0 ? 0 : 4;
    return fc.record({
      formatText: fc.constant(formatText),
      clean: fc.constant(clean),
      lines: fc.array(lineArb(format.fields, header, clean, aboveWeight), {
        minLength: 1,
        maxLength: 6,
      }),
      separators: fc.array(fc.constantFrom('\n', '\r\n', '\n\n', ' \r\n'), {
        minLength: 6,
        maxLength: 6,
      }),
      last: clean
        ? fc.constantFrom('', '\n', '\r\n')
        : fc.constantFrom('', '\n', '\r\n', '\r'),
    });
  });

/**
 * How a line is wrapped: direct delivery's exact `{"message":"…"}` (JSON
 * escapes where the line needs them), with blanks around the closing brace,
 * or a variant the kernel must leave to the TypeScript path: other keys,
 * blanks in the prefix, raw tabs and control bytes, escapes of plain bytes,
 * truncated or overlong wrappers, a message holding several lines.
 */
const WRAPPINGS: ReadonlyArray<(line: string) => string> = [
  (line) => `{"message":${JSON.stringify(line)}}`,
  (line) => `{"message":${JSON.stringify(line)}} `,
  (line) => `{"message":${JSON.stringify(line)} \t} \t`,
  (line) => `  {"message":${JSON.stringify(line)}}`,
  (line) => `{"message":"${line}"}`, // raw: quotes, backslashes, controls
  (line) => `{"message":${JSON.stringify(line).replace(/ /g, '\\u0020')}}`,
  (line) => `{"message":${JSON.stringify(line).replace(/ /, '\\t')}}`,
  (line) => `{"message":${JSON.stringify(line).replace(/-/, '\\/')}}`,
  (line) => `{"message":${JSON.stringify(`${line}\n${line}`)}}`,
  (line) => `{"message":${JSON.stringify(line)},"x":1}`,
  (line) => `{"x":"1","message":${JSON.stringify(line)}}`,
  (line) => `{ "message" : ${JSON.stringify(line)} }`,
  (line) => `{"message":${JSON.stringify(line)}}x`,
  (line) => `{"message":${JSON.stringify(line)}}}`,
  (line) => `{"message":${JSON.stringify(line)}`,
  (line) => `{"message":${JSON.stringify(line).slice(0, -1)}`,
  (line) => `{"message":${JSON.stringify(line).slice(0, 6)}`,
  () => '{"message":""}',
  () => '{"message":"}',
  () => '{"message":"',
  () => '{"mess',
  () => '{',
  () => '{"message":1}',
  () => '{"messageType":"DATA_MESSAGE"}',
];

/** An index into {@link WRAPPINGS}: -1 bare; half the time not exact. */
const wrappingArb = fc.oneof(
  { weight: 1, arbitrary: fc.constant(-1) },
  { weight: 3, arbitrary: fc.constantFrom(0, 1, 2, 3) },
  {
    weight: 4,
    arbitrary: fc.integer({ min: 4, max: WRAPPINGS.length - 1 }),
  }
);

/**
 * A record of `{"message":"…"}` lines (and some bare ones): as
 * {@link caseArb}, each line wrapped by a {@link WRAPPINGS} entry. A clean
 * record is wrapped either only the ways the kernel writes itself (tabs made
 * spaces: a tab is `\t` in JSON, an escape the kernel leaves to TypeScript)
 * or any way, so that the kernel's own lines meet every framing it must
 * refuse; other records are wrapped any way.
 */
const wrappedCaseArb = caseArb
  .chain((c) => fc.record({ c: fc.constant(c), plain: fc.boolean() }))
  .chain(({ c, plain }) =>
    fc
      .array(plain && c.clean ? fc.constantFrom(-1, 0, 1, 2, 3) : wrappingArb, {
        minLength: c.lines.length,
        maxLength: c.lines.length,
      })
      .map((wrappings) => ({
        ...c,
        lines: c.lines.map((line, i) => {
          const w = wrappings[i]!;
          if (w < 0) return line;
          return WRAPPINGS[w]!(plain ? line.replace(/\t/g, ' ') : line);
        }),
      }))
  );

function recordOf(c: {
  lines: string[];
  separators: string[];
  last: string;
}): Buffer {
  let text = '';
  c.lines.forEach((line, i) => {
    text += (i > 0 ? c.separators[i - 1]! : '') + line;
  });
  return Buffer.from(text + c.last, 'utf8');
}

const transformers = new Map<string, [RecordTransformer, RecordTransformer]>();

/** The TypeScript-only and the kernel transformer of a format (cached). */
function pair(formatText: string, maxOutputBytes?: number) {
  const key = `${formatText}|${maxOutputBytes}`;
  let found = transformers.get(key);
  if (found === undefined) {
    const format = parseFormat(formatText);
    const make = (jsonKernel: boolean) =>
      new RecordTransformer(
        {
          format,
          filter: undefined,
          enrichers: [],
          serializer: new JsonSerializer(format),
          jsonKernel,
        },
        { maxDecompressedBytes: 1 << 20, maxOutputBytes }
      );
    found = [make(false), make(true)];
    transformers.set(key, found);
  }
  return found;
}

function outcome(t: RecordTransformer, bytes: Buffer) {
  return {
    ...outcomeOf(t.transform(bytes)),
    output: t.output.toBuffer().toString('latin1'),
  };
}

/** A result as plain values (its audit copied: it is the transformer's). */
function outcomeOf({
  status,
  audit,
  reason,
  excerpt,
  lines,
  kept,
  key,
}: RecordResult) {
  return {
    audit: {
      fields: audit.fields,
      dirty: audit.dirty,
      counts: [...audit.counts],
      samples: [...audit.samples],
      failedFieldCount: audit.failedFieldCount,
    },
    status,
    reason,
    excerpt,
    lines,
    kept,
    key,
  };
}

/** True when a record's audit counted an address field. */
function addressCounted({ audit }: ReturnType<typeof outcome>): boolean {
  return audit.fields.some(
    (field, check) => audit.counts[check]! > 0 && isAddressField(field)
  );
}

/** True when a record's audit counted a field above its range. */
function rangeCounted({ audit }: ReturnType<typeof outcome>): boolean {
  return audit.fields.some(
    (field, check) =>
      audit.counts[check]! > 0 && auditedRangeOf(field) !== undefined
  );
}

/**
 * True when a line's field count differs from the format's and one of the
 * fields it has fails as an integer first: the case where the count, not
 * the value, is the reason. Judged from the text alone (a `{"message":…}`
 * wrapper's message), not by the code under test.
 */
function wrongCountWithBadValue(
  text: string,
  fields: ReadonlyArray<{ type: string }>
): boolean {
  let line = text;
  if (line.trimStart().startsWith('{')) {
    try {
      const message = JSON.parse(line).message;
      if (typeof message !== 'string') return false;
      line = message;
    } catch {
      return false;
    }
  }
  const values = line.split(/[ \t]+/).filter((v) => v !== '');
  if (values.length === 0 || values.length === fields.length) return false;
  return values.some(
    (v, i) => fields[i]?.type === 'int' && v !== '-' && !/^\d+$/.test(v)
  );
}

const REASON_OF_RESULT: Record<number, string> = {
  [KERNEL_RESULT.TOO_FEW_FIELDS]: 'too_few_fields',
  [KERNEL_RESULT.TOO_MANY_FIELDS]: 'too_many_fields',
  [KERNEL_RESULT.BAD_INTEGER]: 'bad_integer',
  [KERNEL_RESULT.INTEGER_OVERFLOW]: 'integer_overflow',
};

const kernels = new Map<string, JsonKernel>();

describe.each([
  ['bare lines', caseArb],
  ['{"message":"…"} wrapped lines', wrappedCaseArb],
])('JSON kernel vs the TypeScript path, records of %s', (_, recordArb) => {
  /** Kernel results seen, by code (≥ 0 counted as 0): the test's own reach. */
  const seen = new Map<number, number>();

  it('gives byte-identical records and identical results', () => {
    /** Ok records whose lines the audit counted above a range. */
    let aboveRange = 0;
    /** Records failed on a count whose lines had a value failing first. */
    let countOverValue = 0;
    /** Ok records whose lines the audit counted as no address. */
    let noAddress = 0;
    fc.assert(
      fc.property(recordArb, (c) => {
        // Prepare
        const bytes = recordOf(c);
        const [reference, withKernel] = pair(c.formatText);
        // Act
        const expected = outcome(reference, bytes);
        const actual = outcome(withKernel, bytes);
        // Assess
        expect(actual).toEqual(expected);
        if (expected.status === 'Ok' && rangeCounted(expected)) aboveRange++;
        if (expected.status === 'Ok' && addressCounted(expected)) noAddress++;
        const fields = parseFormat(c.formatText).fields;
        if (
          /^too_(few|many)_fields$/.test(expected.reason ?? '') &&
          c.lines.some((line) => wrongCountWithBadValue(line, fields))
        ) {
          countOverValue++;
        }
      }),
      { numRuns: 2000 }
    );
    // Text that is no address reached both paths and was counted.
    expect(noAddress).toBeGreaterThan(5);
    // Lines of a wrong count with a failing value reached both paths.
    expect(countOverValue).toBeGreaterThan(25);
    // Values above a documented range reached both paths and were counted.
    expect(aboveRange).toBeGreaterThan(25);
  });

  it('writes what the TypeScript path writes, or fails for the same reason', () => {
    fc.assert(
      fc.property(recordArb, (c) => {
        // Prepare
        const bytes = recordOf(c);
        let kernel = kernels.get(c.formatText);
        if (kernel === undefined) {
          kernel = JsonKernel.create(parseFormat(c.formatText))!;
          kernels.set(c.formatText, kernel);
        }
        const writer = new ByteWriter(16);
        // Act
        const result = kernel.transform(bytes, writer);
        const code = Math.min(result, 0);
        seen.set(code, (seen.get(code) ?? 0) + 1);
        const expected = outcome(pair(c.formatText)[0], bytes);
        // Assess
        if (result >= 0) {
          expect(expected.status).toBe('Ok');
          expect(writer.toBuffer().toString('latin1')).toBe(expected.output);
          expect(kernel.lines).toBe(expected.lines);
        } else if (result in REASON_OF_RESULT) {
          expect(expected.reason).toBe(REASON_OF_RESULT[result]);
        } else {
          expect([KERNEL_RESULT.UNSUPPORTED, KERNEL_RESULT.NO_LINES]).toContain(
            result
          );
        }
      }),
      { numRuns: 2000 }
    );
    // The kernel itself wrote a fair share of records (each malformed
    // reason has its own example in test/unit/kernel/json-kernel.test.ts).
    expect(seen.get(0) ?? 0).toBeGreaterThan(400);
  });

  it('gives in one batch call what the TypeScript path gives record by record', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(recordArb, fc.boolean()), {
          minLength: 1,
          maxLength: 12,
        }),
        fc.option(fc.integer({ min: 1, max: 600 }), { nil: undefined }),
        fc.integer({ min: 0, max: 12 }),
        (cases, cap, splitAt) => {
          // Prepare: one format per batch (the first record's), records
          // next to each other in one arena; some not decodable (start -1).
          const formatText = cases[0]![0].formatText;
          const records = cases
            .filter(([c]) => c.formatText === formatText)
            .map(([c, decodable]) => ({ bytes: recordOf(c), decodable }));
          const arena = Buffer.concat(records.map((r) => r.bytes));
          const starts = new Int32Array(records.length);
          const ends = new Int32Array(records.length);
          let at = 0;
          records.forEach((r, i) => {
            starts[i] = r.decodable ? at : -1;
            at += r.bytes.length;
            ends[i] = at;
          });
          const [reference, withKernel] = pair(formatText, cap);
          // Act
          const expected = records.map((r) =>
            r.decodable ? outcome(reference, r.bytes) : undefined
          );
          withKernel.output.reset();
          // Two runs, as plan.ts cuts them: [0, split) and [split, n).
          const split = Math.min(splitAt, records.length);
          const actual = records.map((r, i) => {
            if (i === 0 || i === split) {
              const count =
                i === 0 ? split || records.length : records.length - split;
              withKernel.transformBatch(arena, starts, ends, i, count);
            }
            if (!r.decodable) return undefined;
            const before = withKernel.output.length;
            const result = withKernel.transformAt(i, r.bytes);
            const output =
              result.kernelOutput?.subarray(
                result.outputStart,
                result.outputEnd
              ) ??
              withKernel.output.buffer.subarray(
                before,
                withKernel.output.length
              );
            return {
              ...outcomeOf(result),
              output: output.toString('latin1'),
            };
          });
          // Assess
          expect(actual).toEqual(expected);
        }
      ),
      { numRuns: 500 }
    );
  });

  it('leaves records past the output cap to the TypeScript path', () => {
    fc.assert(
      fc.property(recordArb, fc.integer({ min: 1, max: 600 }), (c, cap) => {
        const bytes = recordOf(c);
        const [reference, withKernel] = pair(c.formatText, cap);
        expect(outcome(withKernel, bytes)).toEqual(outcome(reference, bytes));
      }),
      { numRuns: 300 }
    );
  });
});
