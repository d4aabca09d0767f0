/**
 * Splits a FILTER expression into tokens, each with its 1-based column.
 * Runs once, at cold start.
 */
import { filterError } from './errors.ts';

/** Token kinds. */
const TOKEN = {
  /** A bare word: field name, keyword, CIDR or unquoted value. */
  WORD: 'word',
  /** A bare run of ASCII digits. */
  NUMBER: 'number',
  /** A quoted string, quotes removed and escapes resolved. */
  STRING: 'string',
  /** `=`, `!=`, `<`, `<=`, `>` or `>=`. */
  OPERATOR: 'operator',
  OPEN: '(',
  CLOSE: ')',
  COMMA: ',',
  /** End of input: always the last token. */
  END: 'end',
} as const;

type TokenKind = (typeof TOKEN)[keyof typeof TOKEN];

/** Reserved words, matched case-insensitively. */
const KEYWORDS = ['and', 'or', 'not', 'in', 'is', 'absent', 'present'] as const;

type Keyword = (typeof KEYWORDS)[number];

/** One token of an expression. */
interface Token {
  readonly kind: TokenKind;
  /** The token's text; for strings, the value between the quotes. */
  readonly text: string;
  /** 1-based character column where the token starts. */
  readonly column: number;
  /** The lower-cased keyword when a WORD is one. */
  readonly keyword: Keyword | undefined;
}

const KEYWORD_SET: ReadonlySet<string> = new Set(KEYWORDS);

function isBlank(c: number): boolean {
  // space, \t, \n, \r
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** Characters that end a bare word: blanks, `(`, `)`, `,`, quotes, `=!<>`. */
function endsWord(c: number): boolean {
  return (
    isBlank(c) ||
    c === 0x28 || // (
    c === 0x29 || // )
    c === 0x2c || // ,
    c === 0x27 || // '
    c === 0x22 || // "
    c === 0x3d || // =
    c === 0x21 || // !
    c === 0x3c || // <
    c === 0x3e // >
  );
}

function isDigits(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

function token(kind: TokenKind, text: string, at: number): Token {
  return { kind, text, column: at + 1, keyword: undefined };
}

/** Reads a quoted string at `at`; a backslash escapes the next character. */
function readString(source: string, at: number): [Token, number] {
  const quote = source[at]!;
  let value = '';
  let i = at + 1;
  while (i < source.length) {
    const c = source[i]!;
    if (c === quote) return [token(TOKEN.STRING, value, at), i + 1];
    if (c === '\\' && i + 1 < source.length) i++;
    value += source[i]!;
    i++;
  }
  throw filterError(
    'FILTER_SYNTAX',
    at + 1,
    `expected a closing ${quote} for the string that starts here, found end of input`
  );
}

/**
 * Operators other languages have, and what FILTER writes instead: a typed
 * habit gets its fix rather than a parse error two tokens later.
 */
const OPERATOR_SLIPS: Readonly<Record<string, string>> = {
  '==': "'=' (action = REJECT)",
  '===': "'=' (action = REJECT)",
  '!==': "'!=' (action != REJECT)",
  '<>': "'!=' (action != REJECT)",
  '=>': "'>=' (bytes >= 1000)",
  '=<': "'<=' (bytes <= 1000)",
  '=!': "'!=' (action != REJECT)",
};

/** The longest run of operator characters at `at`, for slip messages. */
function operatorRun(source: string, at: number): string {
  let end = at;
  while (end < source.length && '=!<>'.includes(source[end]!)) end++;
  return source.slice(at, end);
}

function readOperator(source: string, at: number): [Token, number] {
  const run = operatorRun(source, at);
  const instead = OPERATOR_SLIPS[run];
  if (instead !== undefined) {
    throw filterError(
      'FILTER_SYNTAX',
      at + 1,
      `'${run}' is not a FILTER operator; write ${instead}`
    );
  }
  const c = source[at]!;
  const next = source[at + 1];
  if (c === '=') return [token(TOKEN.OPERATOR, '=', at), at + 1];
  if (next === '=') return [token(TOKEN.OPERATOR, `${c}=`, at), at + 2];
  if (c === '!') {
    throw filterError(
      'FILTER_SYNTAX',
      at + 1,
      "expected '!=', found '!' (to negate a condition write 'not')"
    );
  }
  return [token(TOKEN.OPERATOR, c, at), at + 1];
}

/** Words other languages use as operators, and FILTER's own. */
const WORD_SLIPS: Readonly<Record<string, string>> = {
  '&&': "'and'",
  '&': "'and'",
  '||': "'or'",
  '|': "'or'",
};

/** Typographic quotes and the backtick: not FILTER quotes. */
const FANCY_QUOTES = /[\u2018\u2019\u201c\u201d`]/;

/** Refuses a bare word that is a habit from another language. */
function checkWordSlip(text: string, at: number): void {
  const instead = WORD_SLIPS[text];
  if (instead !== undefined) {
    throw filterError(
      'FILTER_SYNTAX',
      at + 1,
      `'${text}' is not a FILTER operator; write ${instead}`
    );
  }
  if (text.startsWith('[') || text.endsWith(']')) {
    throw filterError(
      'FILTER_SYNTAX',
      at + 1,
      `'${text}': brackets are not FILTER syntax; write a list in parentheses after 'in': dstport in (22, 3389)`
    );
  }
  const quote = FANCY_QUOTES.exec(text);
  if (quote !== null) {
    throw filterError(
      'FILTER_SYNTAX',
      at + 1 + quote.index,
      `'${quote[0]}' is not a FILTER quote; quote values with ' or " (action = 'REJECT')`
    );
  }
}

function readWord(source: string, at: number): [Token, number] {
  let i = at;
  while (i < source.length && !endsWord(source.charCodeAt(i))) i++;
  const text = source.slice(at, i);
  if (isDigits(text)) return [token(TOKEN.NUMBER, text, at), i];
  checkWordSlip(text, at);
  const lower = text.toLowerCase();
  const keyword = KEYWORD_SET.has(lower) ? (lower as Keyword) : undefined;
  return [{ kind: TOKEN.WORD, text, column: at + 1, keyword }, i];
}

function readToken(source: string, at: number): [Token, number] {
  const c = source[at]!;
  if (c === '(') return [token(TOKEN.OPEN, c, at), at + 1];
  if (c === ')') return [token(TOKEN.CLOSE, c, at), at + 1];
  if (c === ',') return [token(TOKEN.COMMA, c, at), at + 1];
  if (c === "'" || c === '"') return readString(source, at);
  if ('=!<>'.includes(c)) return readOperator(source, at);
  return readWord(source, at);
}

/**
 * Tokenizes an expression. O(length).
 *
 * @throws FilterError (FILTER_SYNTAX) on an unterminated string, a lone `!`,
 *   or an operator habit from another language (`==`, `&&`, `[22, 3389]`,
 *   typographic quotes), naming what FILTER writes instead
 * @example tokenize('action = REJECT').map((t) => t.text) // ['action', '=', 'REJECT', '']
 */
function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    if (isBlank(source.charCodeAt(i))) {
      i++;
      continue;
    }
    const [next, end] = readToken(source, i);
    tokens.push(next);
    i = end;
  }
  tokens.push(token(TOKEN.END, '', source.length));
  return tokens;
}

/**
 * How an error message names a token: `end of input`, `number 22`,
 * `string 'x'` or the quoted text.
 */
function describeToken(found: Token): string {
  if (found.kind === TOKEN.END) return 'end of input';
  if (found.kind === TOKEN.NUMBER) return `number ${found.text}`;
  if (found.kind === TOKEN.STRING) return `string '${found.text}'`;
  return `'${found.text}'`;
}

export type { Keyword, Token, TokenKind };
export { describeToken, KEYWORDS, TOKEN, tokenize };
