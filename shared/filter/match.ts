/**
 * Leaf predicates of a compiled FILTER: byte-level comparisons of one field
 * against literals prepared at compile time. Nothing here allocates per line.
 *
 * Every leaf answers false when its field is absent (`-`), `!=` and `not in`
 * included, as SQL comparisons with NULL do.
 */
import { FIELD_KIND, type FlowLogLine } from '../flowlog/line.ts';
import type { CidrSet } from '../net/ip.ts';
import type { CompareOperator } from './ast.ts';
import type { LinePredicate } from './types.ts';

const ABSENT = FIELD_KIND.ABSENT;

/**
 * Orders canonical unsigned digits `bytes[start, end)` against `digits`
 * (also canonical): by length, then byte by byte. Exact at any size.
 *
 * @returns negative, zero or positive, as `field - literal`
 */
function compareDigits(
  bytes: Uint8Array,
  start: number,
  end: number,
  digits: Uint8Array
): number {
  const length = end - start;
  if (length !== digits.length) return length - digits.length;
  for (let k = 0; k < length; k++) {
    const diff = bytes[start + k]! - digits[k]!;
    if (diff !== 0) return diff;
  }
  return 0;
}

/** True when `bytes[start, end)` equals `literal` byte for byte. */
function bytesEqual(
  bytes: Uint8Array,
  start: number,
  end: number,
  literal: Uint8Array
): boolean {
  if (end - start !== literal.length) return false;
  for (let k = 0; k < literal.length; k++) {
    if (bytes[start + k] !== literal[k]) return false;
  }
  return true;
}

/** Tests `compareDigits`' result for one operator. */
const ORDER_TESTS: Readonly<
  Record<CompareOperator, (order: number) => boolean>
> = {
  '=': (order) => order === 0,
  '!=': (order) => order !== 0,
  '<': (order) => order < 0,
  '<=': (order) => order <= 0,
  '>': (order) => order > 0,
  '>=': (order) => order >= 0,
};

/**
 * `field <op> literal` on an integer field, compared as exact unsigned
 * integers of any width.
 *
 * @param digits - the literal's canonical digits (no leading zeros)
 * @example integerCompare(9, '>', Buffer.from('1000000'))
 */
function integerCompare(
  index: number,
  operator: CompareOperator,
  digits: Uint8Array
): LinePredicate {
  const test = ORDER_TESTS[operator];
  return (line: FlowLogLine) =>
    line.kinds[index] !== ABSENT &&
    test(
      compareDigits(line.bytes, line.starts[index]!, line.ends[index]!, digits)
    );
}

/**
 * `field = literal` (or `!=` when `negated`) on a string field, byte for byte.
 *
 * @example stringEquals(12, Buffer.from('REJECT'), false)
 */
function stringEquals(
  index: number,
  literal: Uint8Array,
  negated: boolean
): LinePredicate {
  return (line: FlowLogLine) =>
    line.kinds[index] !== ABSENT &&
    bytesEqual(line.bytes, line.starts[index]!, line.ends[index]!, literal) !==
      negated;
}

/** True when the field's bytes equal one of `literals`. */
function equalsAny(
  line: FlowLogLine,
  index: number,
  literals: readonly Uint8Array[]
): boolean {
  const start = line.starts[index]!;
  const end = line.ends[index]!;
  for (const literal of literals) {
    if (bytesEqual(line.bytes, start, end, literal)) return true;
  }
  return false;
}

/**
 * `field in (…)` (or `not in` when `negated`): exact values compared byte for
 * byte (canonical digits for integer fields), then CIDR networks, if any.
 * O(values) per line.
 *
 * @example memberOf(3, [], cidrMatcher, false) // srcaddr in 10.0.0.0/8
 */
function memberOf(
  index: number,
  literals: readonly Uint8Array[],
  networks: CidrSet | undefined,
  negated: boolean
): LinePredicate {
  return (line: FlowLogLine) => {
    if (line.kinds[index] === ABSENT) return false;
    const found =
      equalsAny(line, index, literals) ||
      networks?.containsText(
        line.bytes,
        line.starts[index]!,
        line.ends[index]!
      ) === true;
    return found !== negated;
  };
}

/**
 * `field is present` / `field is absent`.
 *
 * @example presence(16, false) // instance-id is absent
 */
function presence(index: number, present: boolean): LinePredicate {
  return (line: FlowLogLine) => (line.kinds[index] !== ABSENT) === present;
}

export {
  bytesEqual,
  compareDigits,
  integerCompare,
  memberOf,
  presence,
  stringEquals,
};
