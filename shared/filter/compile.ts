/**
 * Compiles a FILTER expression, once at cold start, into a predicate over a
 * parsed flow-log line: fields resolved to positions, literals to bytes, CIDRs
 * to networks. No eval, no `Function`.
 */
import type { FlowLogFormat, FormatField } from '../flowlog/format.ts';
import { fieldIndex, nearMissOf } from '../flowlog/format.ts';
import { type Cidr, CidrSet } from '../net/ip.ts';
import type { FieldRef, FilterNode, Literal } from './ast.ts';
import { looksLikeCidr, parseCidr } from './cidr.ts';
import { filterError } from './errors.ts';
import { integerCompare, memberOf, presence, stringEquals } from './match.ts';
import {
  checkDocumentedValue,
  checkIntegerValue,
  type FilterWarn,
  type IntegerUse,
} from './meaning.ts';
import { type FilterLimits, parseFilter } from './parser.ts';
import type { LinePredicate } from './types.ts';

/** A field resolved against the format. */
interface ResolvedField {
  readonly index: number;
  readonly field: FormatField;
}

function resolveField(format: FlowLogFormat, ref: FieldRef): ResolvedField {
  const index = fieldIndex(format, ref.name);
  const field = format.fields[index];
  if (field !== undefined) return { index, field };
  const lower = ref.name.toLowerCase();
  const meant = nearMissOf(ref.name, format.positions.keys());
  const hint =
    lower !== ref.name && fieldIndex(format, lower) >= 0
      ? ` (field names are case-sensitive: '${lower}')`
      : meant === undefined
        ? ''
        : ` (did you mean '${meant}'?)`;
  const names = format.fields.map((f) => f.name).join(', ');
  throw filterError(
    'FILTER_UNKNOWN_FIELD',
    ref.column,
    `field '${ref.name}' is not in FLOW_LOG_FORMAT${hint}; expected one of: ${names}`
  );
}

/**
 * The canonical digits of an integer literal, or a FILTER_TYPE error (not a
 * number) or FILTER_VALUE error (a number the field never holds).
 */
function integerDigits(
  resolved: ResolvedField,
  value: Literal,
  use: IntegerUse,
  warn: FilterWarn
): Buffer {
  if (value.kind !== 'number') {
    const found = value.kind === 'string' ? 'string' : 'word';
    throw filterError(
      'FILTER_TYPE',
      value.column,
      `'${resolved.field.name}' is an integer field; expected an unsigned integer, found ${found} '${value.text}'`
    );
  }
  const canonical = value.text.replace(/^0+(?=\d)/, '');
  checkIntegerValue(resolved.field, use, canonical, value.column, warn);
  return Buffer.from(canonical, 'latin1');
}

/** Refuses number literals and `-` on a string field. */
function checkStringValue(resolved: ResolvedField, value: Literal): void {
  const name = resolved.field.name;
  if (value.kind === 'number') {
    throw filterError(
      'FILTER_TYPE',
      value.column,
      `'${name}' is a string field; expected a word or quoted string, found number ${value.text} (quote it: '${value.text}')`
    );
  }
  if (value.text === '-') {
    throw filterError(
      'FILTER_TYPE',
      value.column,
      `'-' marks an absent value and never matches; write '${name} is absent'`
    );
  }
}

function networkOf(value: Literal): Cidr {
  const cidr = parseCidr(value.text);
  if (typeof cidr === 'string') {
    throw filterError(
      'FILTER_CIDR',
      value.column,
      `invalid CIDR '${value.text}': ${cidr}; expected e.g. 10.0.0.0/8 or fd00::/8`
    );
  }
  return cidr;
}

function isCidrWord(value: Literal): boolean {
  return value.kind === 'word' && looksLikeCidr(value.text);
}

function compileCompare(
  format: FlowLogFormat,
  node: Extract<FilterNode, { kind: 'compare' }>,
  warn: FilterWarn
): LinePredicate {
  const resolved = resolveField(format, node.field);
  const { operator, value } = node;
  if (resolved.field.type === 'int') {
    return integerCompare(
      resolved.index,
      operator,
      integerDigits(resolved, value, operator, warn)
    );
  }
  const name = resolved.field.name;
  if (operator !== '=' && operator !== '!=') {
    throw filterError(
      'FILTER_TYPE',
      node.operatorColumn,
      `'${operator}' needs an integer field; '${name}' is a string field (use =, !=, in, not in)`
    );
  }
  checkStringValue(resolved, value);
  if (isCidrWord(value)) {
    const suggestion = operator === '=' ? 'in' : 'not in';
    throw filterError(
      'FILTER_TYPE',
      node.operatorColumn,
      `'${operator}' compares exact text; expected '${suggestion}' for the CIDR '${value.text}' ('${name} ${suggestion} ${value.text}')`
    );
  }
  checkDocumentedValue(resolved.field, value, warn);
  const literal = Buffer.from(value.text, 'utf8');
  return stringEquals(resolved.index, literal, operator === '!=');
}

function compileIn(
  format: FlowLogFormat,
  node: Extract<FilterNode, { kind: 'in' }>,
  warn: FilterWarn
): LinePredicate {
  const resolved = resolveField(format, node.field);
  if (resolved.field.type === 'int') {
    const digits = node.values.map((v) =>
      integerDigits(resolved, v, 'in', warn)
    );
    return memberOf(resolved.index, digits, undefined, node.negated);
  }
  const literals: Buffer[] = [];
  const networks: Cidr[] = [];
  for (const value of node.values) {
    checkStringValue(resolved, value);
    if (isCidrWord(value)) {
      networks.push(networkOf(value));
      continue;
    }
    checkDocumentedValue(resolved.field, value, warn);
    literals.push(Buffer.from(value.text, 'utf8'));
  }
  const matcher = networks.length > 0 ? new CidrSet(networks) : undefined;
  return memberOf(resolved.index, literals, matcher, node.negated);
}

function anyOf(items: readonly LinePredicate[]): LinePredicate {
  const [a, b] = items;
  if (items.length === 2 && a !== undefined && b !== undefined) {
    return (line) => a(line) || b(line);
  }
  return (line) => {
    for (const item of items) if (item(line)) return true;
    return false;
  };
}

function allOf(items: readonly LinePredicate[]): LinePredicate {
  const [a, b] = items;
  if (items.length === 2 && a !== undefined && b !== undefined) {
    return (line) => a(line) && b(line);
  }
  return (line) => {
    for (const item of items) if (!item(line)) return false;
    return true;
  };
}

/** Builds the closure tree bottom-up; every check happens here, once. */
function compileNode(
  format: FlowLogFormat,
  node: FilterNode,
  warn: FilterWarn
): LinePredicate {
  switch (node.kind) {
    case 'or':
      return anyOf(node.items.map((item) => compileNode(format, item, warn)));
    case 'and':
      return allOf(node.items.map((item) => compileNode(format, item, warn)));
    case 'not': {
      const inner = compileNode(format, node.item, warn);
      return (line) => !inner(line);
    }
    case 'compare':
      return compileCompare(format, node, warn);
    case 'in':
      return compileIn(format, node, warn);
    case 'presence':
      return presence(resolveField(format, node.field).index, node.present);
  }
}

/**
 * Compiles a FILTER expression against a flow-log format. Call once at cold
 * start; the predicate runs per line, allocates nothing and never throws.
 *
 * @param expression - the FILTER setting, e.g. `action = REJECT`
 * @param format - the parsed FLOW_LOG_FORMAT; every field named must be in it
 * @param limits - optional overrides of MAX_FILTER_CHARS / MAX_FILTER_DEPTH
 * @param warn - receives one message per literal outside its field's
 *   documented set (accepted: AWS may add values), e.g. `FILTER: column 17:
 *   'EC' is not a documented value of 'reject-reason' (documented: BPA; …)`
 * @returns the predicate (true keeps the line), or undefined for an empty or
 *   blank expression (keep every line)
 * @throws FilterError with code FILTER_SYNTAX, FILTER_UNKNOWN_FIELD,
 *   FILTER_TYPE, FILTER_VALUE (an integer its field's type cannot hold, a
 *   documented value in the wrong case: shared/flowlog/values.ts), FILTER_CIDR or FILTER_LIMIT; the message
 *   names the column
 * @example
 * const keep = compileFilter('dstport in (22, 3389) and not srcaddr in 10.0.0.0/8', format);
 * if (keep === undefined || keep(line)) write(line);
 */
function compileFilter(
  expression: string,
  format: FlowLogFormat,
  limits: Partial<FilterLimits> = {},
  warn: FilterWarn = () => {}
): LinePredicate | undefined {
  const tree = parseFilter(expression, limits);
  return tree === undefined ? undefined : compileNode(format, tree, warn);
}

export type { FilterLimits, FilterWarn };
export { compileFilter };
