/**
 * FILTER literals checked against what their field can hold: a value outside
 * a field's documented set (`action = reject`) or an integer no value of the
 * field can be (`dstport = 99999999999999999999999`) would make the filter
 * silently drop every line, so it is refused at cold start. The sets and
 * ranges are shared/flowlog/values.ts's (docs/fields.md).
 */
import type { FormatField } from '../flowlog/format.ts';
import { integerRangeOf, valueSetOf } from '../flowlog/values.ts';
import type { CompareOperator, Literal } from './ast.ts';
import { filterError } from './errors.ts';

/** How an integer literal is used: a comparison, or a list member. */
type IntegerUse = CompareOperator | 'in';

/** The documented value equal to `text` but for case, if any. */
function sameButCase(
  values: readonly string[],
  text: string
): string | undefined {
  const lower = text.toLowerCase();
  return values.find((value) => value.toLowerCase() === lower);
}

/** True when every documented value is written in upper case. */
function allUpperCase(values: readonly string[]): boolean {
  return values.every((value) => value === value.toUpperCase());
}

/**
 * Refuses a string literal its field never holds. A closed set admits only
 * its documented values; an open set (AWS service names, which grow with
 * ip-ranges.json) refuses only a value that differs from AWS's spelling by
 * case. O(documented values).
 *
 * @throws FilterError FILTER_VALUE naming the value, the field, the allowed
 *   values and, when only the case differs, the value meant
 * @example checkDocumentedValue(actionField, literal) // throws for 'reject'
 */
function checkDocumentedValue(field: FormatField, value: Literal): void {
  const set = valueSetOf(field.name);
  if (set === undefined || set.values.includes(value.text)) return;
  const upper = value.text.toUpperCase();
  let meant = sameButCase(set.values, value.text);
  if (!set.closed) {
    if (
      meant === undefined &&
      (!allUpperCase(set.values) || value.text === upper)
    ) {
      return;
    }
    meant ??= upper;
  }
  const expected = set.closed
    ? `expected one of: ${set.values.join(', ')}`
    : `AWS writes its names in upper case, e.g. ${set.values.slice(0, 3).join(', ')}`;
  const hint =
    meant === undefined ? '' : ` (values are case-sensitive: '${meant}')`;
  throw filterError(
    'FILTER_VALUE',
    value.column,
    `'${value.text}' is not a value of '${field.name}'; ${expected}${hint}`
  );
}

/** `1, 2, …` of a closed set of integers, or undefined. */
function integerSetOf(field: FormatField): readonly string[] | undefined {
  const set = valueSetOf(field.name);
  return set?.closed === true ? set.values : undefined;
}

/**
 * Refuses an integer literal no value of the field can equal, or a
 * comparison no value can satisfy: out of the field's range (a port is 0 to
 * 65535, any field at most 2^64 - 1), not in a closed set (`traffic-path`
 * 1 to 8) for `=`, `!=` and `in`, or `> max` / `< min`. O(set size).
 *
 * @param digits - the literal's canonical digits (no leading zeros)
 * @throws FilterError FILTER_VALUE naming the field, the value and the range
 * @example checkIntegerValue(dstportField, '=', '99999999999999999999999', 11)
 */
function checkIntegerValue(
  field: FormatField,
  use: IntegerUse,
  digits: string,
  column: number
): void {
  const name = field.name;
  const set = integerSetOf(field);
  const exact = use === '=' || use === '!=' || use === 'in';
  if (exact && set !== undefined && !set.includes(digits)) {
    throw filterError(
      'FILTER_VALUE',
      column,
      `${digits} is not a value of '${name}'; expected one of: ${set.join(', ')}`
    );
  }
  const range = integerRangeOf(name);
  const value = BigInt(digits);
  if (value < range.min || value > range.max) {
    throw filterError(
      'FILTER_VALUE',
      column,
      `'${name}' cannot hold ${digits}: it is ${range.why}, ${range.min} to ${range.max}`
    );
  }
  const never =
    (use === '>' && value === range.max) ||
    (use === '<' && value === range.min);
  if (never) {
    const bound =
      use === '>' ? `at most ${range.max}` : `at least ${range.min}`;
    throw filterError(
      'FILTER_VALUE',
      column,
      `'${name} ${use} ${digits}' is never true: '${name}' is ${bound}`
    );
  }
}

export type { IntegerUse };
export { checkDocumentedValue, checkIntegerValue };
