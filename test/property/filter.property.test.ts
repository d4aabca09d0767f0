import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileFilter } from '../../shared/filter/compile.ts';
import { FilterError } from '../../shared/filter/errors.ts';
import type { LinePredicate } from '../../shared/filter/types.ts';
import { VPC_DEFAULT_FORMAT } from '../../shared/flowlog/fields.ts';
import { parseFormat } from '../../shared/flowlog/format.ts';
import { FlowLogLine } from '../../shared/flowlog/line.ts';
import { planScan, scanLine } from '../../shared/flowlog/scan.ts';

// A plain model of a default-format line, evaluated by a reference written
// without the filter's code: BigInt for integers, string equality for text,
// bigint shifts for CIDRs.

const FORMAT = parseFormat(VPC_DEFAULT_FORMAT);
const PLAN = planScan(FORMAT);

const INT_FIELDS = ['srcport', 'dstport', 'protocol', 'packets', 'bytes'];
type IntField = (typeof INT_FIELDS)[number];

interface Address {
  readonly text: string;
  readonly family: 4 | 6;
  readonly value: bigint;
}

interface LineModel {
  readonly interfaceId: string;
  readonly srcaddr: Address | undefined;
  readonly dstaddr: Address | undefined;
  readonly ints: Readonly<Record<IntField, bigint | undefined>>;
  readonly action: string | undefined;
  readonly logStatus: string;
}

/** An expression's text and what the reference says it means. */
interface Expr {
  readonly text: string;
  readonly holds: (line: LineModel) => boolean;
}

const MAX_UINT64 = 2n ** 64n - 1n;

const uint64 = fc.oneof(
  fc.bigInt({ min: 0n, max: 12n }),
  fc.bigInt({ min: 0n, max: 65535n }),
  fc.bigInt({ min: MAX_UINT64 - 3n, max: MAX_UINT64 }),
  fc.bigInt({ min: 0n, max: MAX_UINT64 })
);

function toIpv4Text(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join('.');
}

/** RFC 5952-ish text: the longest run of two or more zero groups as `::`. */
function toIpv6Text(value: bigint): string {
  const groups = [7n, 6n, 5n, 4n, 3n, 2n, 1n, 0n].map(
    (k) => (value >> (16n * k)) & 0xffffn
  );
  let best = [-1, 0];
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && groups[j] === 0n) j++;
    if (j - i > best[1]! && j - i >= 2) best = [i, j - i];
  }
  const hex = groups.map((g) => g.toString(16));
  if (best[0]! < 0) return hex.join(':');
  const head = hex.slice(0, best[0]).join(':');
  const tail = hex.slice(best[0]! + best[1]!).join(':');
  return `${head}::${tail}`;
}

const ipv4 = fc
  .tuple(
    fc.constantFrom(10n, 172n, 192n),
    fc.constantFrom(0n, 31n, 168n, 255n),
    fc.bigInt({ min: 0n, max: 255n }),
    fc.bigInt({ min: 0n, max: 255n })
  )
  .map(([a, b, c, d]): Address => {
    const value = (a << 24n) | (b << 16n) | (c << 8n) | d;
    return { text: toIpv4Text(value), family: 4, value };
  });

const group = fc.oneof(
  fc.constantFrom(0n, 1n, 0xffffn),
  fc.bigInt({ min: 0n, max: 0xffffn })
);

const ipv6 = fc
  .tuple(
    fc.constantFrom(0x2001n, 0xfd00n),
    fc.array(group, { minLength: 7, maxLength: 7 })
  )
  .map(([first, rest]): Address => {
    const value = [first, ...rest].reduce((acc, g) => (acc << 16n) | g, 0n);
    return { text: toIpv6Text(value), family: 6, value };
  });

const address = fc.oneof(ipv4, ipv6);

const lineModel: fc.Arbitrary<LineModel> = fc.record({
  interfaceId: fc.constantFrom('eni-1', 'eni-2'),
  srcaddr: fc.option(address, { nil: undefined }),
  dstaddr: fc.option(address, { nil: undefined }),
  ints: fc.record(
    Object.fromEntries(
      INT_FIELDS.map((name) => [name, fc.option(uint64, { nil: undefined })])
    ) as Record<IntField, fc.Arbitrary<bigint | undefined>>
  ),
  action: fc.option(fc.constantFrom('ACCEPT', 'REJECT'), { nil: undefined }),
  logStatus: fc.constantFrom('OK', 'NODATA', 'SKIPDATA'),
});

/** The same model with every optional field present. */
const presentLineModel = lineModel.filter(
  (m) =>
    m.srcaddr !== undefined &&
    m.dstaddr !== undefined &&
    m.action !== undefined &&
    INT_FIELDS.every((name) => m.ints[name] !== undefined)
);

function renderLine(m: LineModel): string {
  const text = (v: { toString(): string } | undefined) =>
    v === undefined ? '-' : v.toString();
  const { srcport, dstport, protocol, packets, bytes } = m.ints;
  return [
    '2 123456789010',
    m.interfaceId,
    m.srcaddr?.text ?? '-',
    m.dstaddr?.text ?? '-',
    ...[srcport, dstport, protocol, packets, bytes].map(text),
    '1418530010 1418530070',
    m.action ?? '-',
    m.logStatus,
  ].join(' ');
}

const OPERATORS: Record<string, (a: bigint, b: bigint) => boolean> = {
  '=': (a, b) => a === b,
  '!=': (a, b) => a !== b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

/** The largest literal FILTER accepts per field (docs/fields.md). */
const LITERAL_MAX: Readonly<Record<IntField, bigint>> = {
  srcport: 65535n,
  dstport: 65535n,
  protocol: 255n,
  packets: MAX_UINT64,
  bytes: MAX_UINT64,
};

/** A literal the field can hold; lines may still hold any 64-bit value. */
const literalOf = (field: IntField) =>
  uint64.map((value) => value % (LITERAL_MAX[field]! + 1n));

const integerLeaf: fc.Arbitrary<Expr> = fc
  .constantFrom(...INT_FIELDS)
  .chain((field) =>
    fc.tuple(
      fc.constant(field),
      fc.constantFrom(...Object.keys(OPERATORS)),
      literalOf(field),
      fc.constantFrom('', '0', '000')
    )
  )
  // `> max` and `< 0` can never hold and are refused at compile time.
  .filter(
    ([field, op, literal]) =>
      !(op === '>' && literal === LITERAL_MAX[field]) &&
      !(op === '<' && literal === 0n)
  )
  .map(([field, op, literal, zeros]) => ({
    text: `${field} ${op} ${zeros}${literal}`,
    holds: (m) => {
      const value = m.ints[field];
      return value !== undefined && OPERATORS[op]!(value, literal);
    },
  }));

const actionLeaf: fc.Arbitrary<Expr> = fc
  .tuple(
    fc.constantFrom('=', '!='),
    fc.constantFrom('ACCEPT', 'REJECT'),
    fc.constantFrom('', "'", '"')
  )
  .map(([op, value, quote]) => ({
    text: `action ${op} ${quote}${value}${quote}`,
    holds: (m) =>
      m.action !== undefined && (m.action === value) === (op === '='),
  }));

const statusLeaf: fc.Arbitrary<Expr> = fc
  .tuple(
    fc.constantFrom('log-status', 'log_status'),
    fc.boolean(),
    fc.subarray(['OK', 'NODATA', 'SKIPDATA'], { minLength: 1 })
  )
  .map(([field, negated, values]) => ({
    text: `${field} ${negated ? 'not in' : 'in'} (${values.join(', ')})`,
    holds: (m) => values.includes(m.logStatus) !== negated,
  }));

interface Network {
  readonly text: string;
  readonly family: 4 | 6;
  readonly prefix: bigint;
  readonly bits: bigint;
}

const network: fc.Arbitrary<Network> = fc
  .oneof(
    fc.tuple(ipv4, fc.bigInt({ min: 0n, max: 32n })),
    fc.tuple(ipv6, fc.bigInt({ min: 0n, max: 128n }))
  )
  .map(([base, prefix]) => {
    const width = base.family === 4 ? 32n : 128n;
    const bits = (base.value >> (width - prefix)) << (width - prefix);
    const text = base.family === 4 ? toIpv4Text(bits) : toIpv6Text(bits);
    return { text: `${text}/${prefix}`, family: base.family, prefix, bits };
  });

function inNetwork(a: Address, n: Network): boolean {
  if (a.family !== n.family) return false;
  const shift = (a.family === 4 ? 32n : 128n) - n.prefix;
  return a.value >> shift === n.bits >> shift;
}

const addressLeaf: fc.Arbitrary<Expr> = fc
  .tuple(
    fc.constantFrom('srcaddr', 'dstaddr'),
    fc.boolean(),
    fc.array(network, { maxLength: 3 }),
    fc.array(address, { maxLength: 2 })
  )
  .filter(([, , nets, exact]) => nets.length + exact.length > 0)
  .map(([field, negated, nets, exact]) => ({
    text: `${field} ${negated ? 'not in' : 'in'} (${[...nets, ...exact].map((x) => x.text).join(', ')})`,
    holds: (m) => {
      const a = field === 'srcaddr' ? m.srcaddr : m.dstaddr;
      if (a === undefined) return false;
      const found =
        exact.some((e) => e.text === a.text) ||
        nets.some((n) => inNetwork(a, n));
      return found !== negated;
    },
  }));

const presenceLeaf: fc.Arbitrary<Expr> = fc
  .tuple(fc.constantFrom('srcaddr', 'bytes', 'action'), fc.boolean())
  .map(([field, present]) => ({
    text: `${field} is ${present ? 'present' : 'ABSENT'}`,
    holds: (m) => {
      const value =
        field === 'srcaddr'
          ? m.srcaddr
          : field === 'bytes'
            ? m.ints.bytes
            : m.action;
      return (value !== undefined) === present;
    },
  }));

const keyword = (word: string) =>
  fc.constantFrom(
    word,
    word.toUpperCase(),
    word[0]!.toUpperCase() + word.slice(1)
  );

const expression: fc.Arbitrary<Expr> = fc.letrec<{ expr: Expr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    integerLeaf,
    actionLeaf,
    statusLeaf,
    addressLeaf,
    presenceLeaf,
    fc.tuple(tie('expr'), keyword('and'), tie('expr')).map(([a, k, b]) => ({
      text: `(${a.text}) ${k} (${b.text})`,
      holds: (m: LineModel) => a.holds(m) && b.holds(m),
    })),
    fc.tuple(tie('expr'), keyword('or'), tie('expr')).map(([a, k, b]) => ({
      text: `(${a.text}) ${k} (${b.text})`,
      holds: (m: LineModel) => a.holds(m) || b.holds(m),
    })),
    fc.tuple(keyword('not'), tie('expr')).map(([k, a]) => ({
      text: `${k} (${a.text})`,
      holds: (m: LineModel) => !a.holds(m),
    }))
  ),
})).expr;

/** Runs a compiled predicate over a rendered model line. */
function evaluate(predicate: LinePredicate, m: LineModel): boolean {
  const line = new FlowLogLine(FORMAT);
  const bytes = Buffer.from(renderLine(m), 'latin1');
  const malformed = scanLine(bytes, 0, bytes.length, PLAN, line);
  if (malformed !== undefined) throw new Error(`bad model line: ${malformed}`);
  return predicate(line);
}

function compiled(text: string): LinePredicate {
  const predicate = compileFilter(text, FORMAT);
  if (predicate === undefined) throw new Error(`no predicate for ${text}`);
  return predicate;
}

describe('compileFilter properties', () => {
  it('agrees with the reference evaluator on random lines and expressions', () => {
    fc.assert(
      fc.property(
        expression,
        fc.array(lineModel, { minLength: 1, maxLength: 8 }),
        (expr, lines) => {
          // Act
          const predicate = compiled(expr.text);
          const actual = lines.map((m) => evaluate(predicate, m));

          // Assess
          expect(actual).toEqual(lines.map((m) => expr.holds(m)));
        }
      ),
      { numRuns: 500 }
    );
  });

  it('makes not (e) the negation of e on lines with every field present', () => {
    fc.assert(
      fc.property(expression, presentLineModel, (expr, m) => {
        // Prepare
        const positive = compiled(expr.text);
        const negative = compiled(`not (${expr.text})`);

        // Act
        const both = [evaluate(positive, m), evaluate(negative, m)];

        // Assess
        expect(both[1]).toBe(!both[0]);
      }),
      { numRuns: 300 }
    );
  });

  it('throws nothing but FilterError on random input', () => {
    const fragment = fc.oneof(
      fc.string({ maxLength: 6 }),
      fc.constantFrom(
        'srcaddr',
        'bytes',
        'action',
        'log_status',
        'nope',
        '(',
        ')',
        ',',
        '=',
        '!=',
        '<',
        '>=',
        '!',
        'in',
        'not',
        'is',
        'and',
        'OR',
        'absent',
        "'x",
        '"y"',
        '10.0.0.0/8',
        'fd00::/8',
        '1.2.3.4/99',
        '::',
        '-',
        '0',
        '18446744073709551616',
        'REJECT'
      )
    );
    const text = fc.oneof(
      fc.string({ maxLength: 40, unit: 'binary' }),
      fc.array(fragment, { maxLength: 12 }).map((parts) => parts.join(' '))
    );
    fc.assert(
      fc.property(text, (source) => {
        // Act
        let thrown: unknown;
        try {
          compileFilter(source, FORMAT);
        } catch (error) {
          thrown = error;
        }

        // Assess
        if (thrown !== undefined) {
          expect(thrown).toBeInstanceOf(FilterError);
          expect((thrown as FilterError).message).toMatch(/^FILTER: /);
        }
      }),
      { numRuns: 2000 }
    );
  });
});
