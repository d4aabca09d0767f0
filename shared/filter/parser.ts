/**
 * Recursive-descent parser for FILTER expressions: tokens to a syntax tree.
 * Runs once, at cold start. Grammar (EBNF) in docs/filter.md.
 */
import type { CompareOperator, FieldRef, FilterNode, Literal } from './ast.ts';
import { FilterError, filterError } from './errors.ts';
import type { Keyword, Token } from './lexer.ts';
import { describeToken, TOKEN, tokenize } from './lexer.ts';

/** Longest accepted expression, in characters. */
const MAX_FILTER_CHARS = 4096;
/** Deepest accepted nesting of `(` groups and `not`s. */
const MAX_FILTER_DEPTH = 64;

/** Parser limits; defaults are MAX_FILTER_CHARS and MAX_FILTER_DEPTH. */
interface FilterLimits {
  readonly maxChars: number;
  readonly maxDepth: number;
}

const DEFAULT_LIMITS: FilterLimits = Object.freeze({
  maxChars: MAX_FILTER_CHARS,
  maxDepth: MAX_FILTER_DEPTH,
});

/** Operator words of other languages, and what FILTER writes instead. */
const OPERATOR_WORDS: Readonly<Record<string, string>> = {
  eq: "'='",
  ne: "'!='",
  lt: "'<'",
  le: "'<='",
  gt: "'>'",
  ge: "'>='",
  like: "'=' or 'in': FILTER compares whole values",
  contains: "'=' or 'in': FILTER compares whole values",
  between: "'field >= a and field <= b'",
};

/** Words users write after `is` for an absent value. */
const ABSENT_WORDS: ReadonlySet<string> = new Set([
  'missing',
  'null',
  'none',
  'nil',
  'empty',
  '-',
]);

/** What to write instead of `field is <state>`. */
function isHint(field: string, state: Token): string {
  if (state.keyword === 'not') {
    return `'${field} is not absent' is '${field} is present'`;
  }
  if (ABSENT_WORDS.has(state.text.toLowerCase())) {
    return `write '${field} is absent'`;
  }
  return `to compare a value write '${field} = ${state.text}'`;
}

/** Holds the token stream and the current nesting depth. */
class Parser {
  private readonly tokens: readonly Token[];
  private readonly maxDepth: number;
  private position = 0;
  private depth = 0;
  /** The field of the last predicate, for hints. */
  private lastField = 'dstport';

  constructor(tokens: readonly Token[], maxDepth: number) {
    this.tokens = tokens;
    this.maxDepth = maxDepth;
  }

  /** expression = or-expr, end of input. */
  parseAll(): FilterNode {
    const node = this.parseOr();
    const rest = this.peek();
    if (rest.kind === TOKEN.COMMA) {
      throw this.expected(
        "'and', 'or' or end of input",
        rest,
        ` (for several values write '${this.lastField} in (a, b)')`
      );
    }
    if (rest.kind !== TOKEN.END) {
      throw this.expected("'and', 'or' or end of input", rest);
    }
    return node;
  }

  private peek(): Token {
    return this.tokens[this.position]!;
  }

  private next(): Token {
    const current = this.tokens[this.position]!;
    if (current.kind !== TOKEN.END) this.position++;
    return current;
  }

  private isKeyword(word: Keyword): boolean {
    return this.peek().keyword === word;
  }

  private expected(what: string, found: Token, hint = ''): FilterError {
    return filterError(
      'FILTER_SYNTAX',
      found.column,
      `expected ${what}, found ${describeToken(found)}${hint}`
    );
  }

  private parseOr(): FilterNode {
    const items = [this.parseAnd()];
    while (this.isKeyword('or')) {
      this.next();
      items.push(this.parseAnd());
    }
    return items.length === 1 ? items[0]! : { kind: 'or', items };
  }

  private parseAnd(): FilterNode {
    const items = [this.parseUnary()];
    while (this.isKeyword('and')) {
      this.next();
      items.push(this.parseUnary());
    }
    return items.length === 1 ? items[0]! : { kind: 'and', items };
  }

  private enter(at: Token): void {
    this.depth++;
    if (this.depth > this.maxDepth) {
      throw filterError(
        'FILTER_LIMIT',
        at.column,
        `nesting depth ${this.depth} > ${this.maxDepth} allowed (parentheses and 'not')`
      );
    }
  }

  /** unary = "not", unary | primary. */
  private parseUnary(): FilterNode {
    const current = this.peek();
    if (current.keyword !== 'not') return this.parsePrimary();
    this.enter(current);
    this.next();
    const item = this.parseUnary();
    this.depth--;
    return { kind: 'not', item };
  }

  /** primary = "(", or-expr, ")" | predicate. */
  private parsePrimary(): FilterNode {
    const current = this.next();
    if (current.kind === TOKEN.OPEN) {
      this.enter(current);
      const node = this.parseOr();
      const close = this.next();
      if (close.kind !== TOKEN.CLOSE) {
        throw this.expected(
          `')' to close the '(' at column ${current.column}`,
          close
        );
      }
      this.depth--;
      return node;
    }
    if (current.kind === TOKEN.NUMBER || current.kind === TOKEN.STRING) {
      const field = this.lastField;
      throw this.expected(
        "a field name, 'not' or '('",
        current,
        ` (each condition names its field: '${field} = ${current.text}', or write '${field} in (a, b)')`
      );
    }
    if (current.kind !== TOKEN.WORD || current.keyword !== undefined) {
      throw this.expected("a field name, 'not' or '('", current);
    }
    return this.parsePredicate({ name: current.text, column: current.column });
  }

  /** predicate = field, (operator value | ["not"] "in" values | "is" state). */
  private parsePredicate(field: FieldRef): FilterNode {
    this.lastField = field.name;
    const current = this.next();
    if (current.kind === TOKEN.OPERATOR) {
      const value = this.parseValue(`after '${current.text}'`);
      return {
        kind: 'compare',
        field,
        operator: current.text as CompareOperator,
        operatorColumn: current.column,
        value,
      };
    }
    if (current.keyword === 'in') return this.parseIn(field, false);
    if (current.keyword === 'not') {
      const inWord = this.next();
      if (inWord.keyword !== 'in')
        throw this.expected("'in' after 'not'", inWord);
      return this.parseIn(field, true);
    }
    if (current.keyword === 'is') return this.parseIs(field);
    const instead = OPERATOR_WORDS[current.text.toLowerCase()];
    throw this.expected(
      `an operator (=, !=, <, <=, >, >=, in, not in, is) after '${field.name}'`,
      current,
      instead === undefined ? '' : ` (write ${instead})`
    );
  }

  private parseIs(field: FieldRef): FilterNode {
    const state = this.next();
    if (state.keyword !== 'absent' && state.keyword !== 'present') {
      const hint = ` (${isHint(field.name, state)})`;
      throw this.expected("'absent' or 'present' after 'is'", state, hint);
    }
    return { kind: 'presence', field, present: state.keyword === 'present' };
  }

  /** values = value | "(", value, {",", value}, ")". */
  private parseIn(field: FieldRef, negated: boolean): FilterNode {
    const where = negated ? "'not in" : "'in";
    if (this.peek().kind !== TOKEN.OPEN) {
      return {
        kind: 'in',
        field,
        negated,
        values: [this.parseValue(`after ${where}'`)],
      };
    }
    const open = this.next();
    const values = [this.parseValue(`after ${where} ('`)];
    for (;;) {
      const separator = this.next();
      if (separator.kind === TOKEN.CLOSE) break;
      if (separator.kind !== TOKEN.COMMA) {
        throw this.expected(
          `',' or ')' to close the list opened at column ${open.column}`,
          separator
        );
      }
      values.push(this.parseValue("after ','"));
    }
    return { kind: 'in', field, negated, values };
  }

  /** value = number | string | word (not a keyword). */
  private parseValue(where: string): Literal {
    const current = this.next();
    const { kind, text, column } = current;
    if (kind === TOKEN.NUMBER || kind === TOKEN.STRING) {
      return { kind, text, column };
    }
    if (kind === TOKEN.WORD && current.keyword === undefined) {
      return { kind: 'word', text, column };
    }
    const hint =
      current.keyword === undefined ? '' : ' (a keyword: quote it as a value)';
    throw filterError(
      'FILTER_SYNTAX',
      column,
      `expected a value ${where}, found ${describeToken(current)}${hint}`
    );
  }
}

/**
 * Parses an expression into a syntax tree (fields and values unchecked).
 *
 * @returns undefined for an empty or blank expression
 * @throws FilterError (FILTER_SYNTAX, FILTER_LIMIT) naming the column
 * @example parseFilter('action = REJECT') // { kind: 'compare', … }
 */
function parseFilter(
  expression: string,
  limits: Partial<FilterLimits> = {}
): FilterNode | undefined {
  const { maxChars, maxDepth } = { ...DEFAULT_LIMITS, ...limits };
  if (expression.length > maxChars) {
    throw new FilterError(
      'FILTER_LIMIT',
      `FILTER: ${expression.length} characters > ${maxChars} allowed`
    );
  }
  const tokens = tokenize(expression);
  if (tokens.length === 1) return undefined;
  return new Parser(tokens, maxDepth).parseAll();
}

export type { FilterLimits };
export { MAX_FILTER_CHARS, MAX_FILTER_DEPTH, parseFilter };
