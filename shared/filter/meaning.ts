/**
 * FILTER literals checked against what their field can hold. A value that
 * differs from a documented one only by case (`action = reject`) or an
 * integer the field's type cannot hold (`dstport = 99999999999999999999999`)
 * would make the filter silently drop every line, so it is refused at cold
 * start. A value outside a documented set (`reject-reason = EC`,
 * `traffic-path = 9`) is accepted with a warning: AWS adds values to its
 * fields, and the data path keeps such lines (the value audit counts them),
 * so the filter must be able to select them. The sets and ranges are
 * shared/flowlog/values.ts's (docs/fields.md).
 */
import type { FormatField } from '../flowlog/format.ts';
import {
  FIELD_RANGES,
  type FieldRange,
  MAX_UINT64,
  SOURCE,
  valueSetOf,
} from '../flowlog/values.ts';
import type { CompareOperator, Literal } from './ast.ts';
import { filterError } from './errors.ts';

/** How an integer literal is used: a comparison, or a list member. */
type IntegerUse = CompareOperator | 'in';

/** Receives a cold-start warning: the message names FILTER and the column. */
type FilterWarn = (message: string) => void;

/**
 * The warning for a literal outside its field's documented set.
 *
 * @example "FILTER: column 17: 'EC' is not a documented value of 'reject-reason' (documented: BPA; https://…); accepted, as AWS may add values"
 */
function undocumentedWarning(
  column: number,
  text: string,
  name: string,
  values: readonly string[],
  source: string
): string {
  return `FILTER: column ${column}: '${text}' is not a documented value of '${name}' (documented: ${values.join(', ')}; ${source}); accepted, as AWS may add values: the filter matches lines holding it as written`;
}

/**
 * The integers a field's type can hold: its documented width (a port is 0
 * to 65535), else 0 to 2^64 - 1. A documented set (`traffic-path` 1 to 8)
 * does not narrow it: AWS may add values.
 */
function typeRangeOf(name: string): FieldRange {
  return (
    FIELD_RANGES.get(name) ?? {
      field: name,
      min: 0n,
      max: MAX_UINT64,
      why: 'an unsigned 64-bit integer',
      source: SOURCE.VPC_FIELDS,
    }
  );
}

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
 * Checks a string literal against its field's documented values. A value
 * that differs from a documented one only by case is refused (values are
 * case-sensitive); an open set (AWS service names, which grow with
 * ip-ranges.json) also refuses a lower-case name. Any other value outside a
 * closed set is accepted with a warning. O(documented values).
 *
 * @throws FilterError FILTER_VALUE naming the value, the field, the allowed
 *   values and the value meant
 * @example checkDocumentedValue(actionField, literal, warn) // throws for 'reject'
 */
function checkDocumentedValue(
  field: FormatField,
  value: Literal,
  warn: FilterWarn
): void {
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
  } else if (meant === undefined) {
    warn(
      undocumentedWarning(
        value.column,
        value.text,
        field.name,
        set.values,
        set.source
      )
    );
    return;
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
 * Refuses an integer literal the field's type cannot hold, or a comparison
 * no value can satisfy: out of the field's range (a port is 0 to 65535, any
 * field at most 2^64 - 1), or `> max` / `< min`. A value outside a closed
 * set (`traffic-path = 9`) for `=`, `!=` and `in` is accepted with a
 * warning. O(set size).
 *
 * @param digits - the literal's canonical digits (no leading zeros)
 * @throws FilterError FILTER_VALUE naming the field, the value and the range
 * @example checkIntegerValue(dstportField, '=', '99999999999999999999999', 11, warn)
 */
function checkIntegerValue(
  field: FormatField,
  use: IntegerUse,
  digits: string,
  column: number,
  warn: FilterWarn
): void {
  const name = field.name;
  const range = typeRangeOf(name);
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
  const set = integerSetOf(field);
  const exact = use === '=' || use === '!=' || use === 'in';
  if (exact && set !== undefined && !set.includes(digits)) {
    const source = valueSetOf(name)?.source ?? SOURCE.VPC_FIELDS;
    warn(undocumentedWarning(column, digits, name, set, source));
  }
}

export type { FilterWarn, IntegerUse };
export { checkDocumentedValue, checkIntegerValue };
