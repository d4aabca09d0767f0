/**
 * Errors of the FILTER expression language. Every one is thrown at cold start
 * by `compileFilter`; a compiled predicate never throws.
 */

/** Why a FILTER expression was refused. */
type FilterErrorCode =
  /** Not a well-formed expression: a missing value, operator or `)`. */
  | 'FILTER_SYNTAX'
  /** A field that FLOW_LOG_FORMAT does not hold. */
  | 'FILTER_UNKNOWN_FIELD'
  /** A value or operator that does not fit the field's type. */
  | 'FILTER_TYPE'
  /**
   * A value its field never holds: a documented value in the wrong case,
   * or an integer out of the field's range (docs/fields.md). A value merely
   * outside the documented set is accepted with a warning.
   */
  | 'FILTER_VALUE'
  /** A CIDR literal that is not a valid IPv4 or IPv6 network. */
  | 'FILTER_CIDR'
  /** The expression is longer or deeper than allowed. */
  | 'FILTER_LIMIT';

/** A refused FILTER expression: stable code, message naming the column. */
class FilterError extends Error {
  readonly code: FilterErrorCode;
  /** 1-based character column of the offending token, when there is one. */
  readonly column: number | undefined;

  constructor(code: FilterErrorCode, message: string, column?: number) {
    super(message);
    this.name = 'FilterError';
    this.code = code;
    this.column = column;
  }
}

/**
 * Builds a FilterError whose message reads `FILTER: column N: <detail>`.
 *
 * @example throw filterError('FILTER_SYNTAX', 8, "expected a value after '='");
 */
function filterError(
  code: FilterErrorCode,
  column: number,
  detail: string
): FilterError {
  return new FilterError(code, `FILTER: column ${column}: ${detail}`, column);
}

export type { FilterErrorCode };
export { FilterError, filterError };
