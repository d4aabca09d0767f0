/**
 * Firehose's S3 prefix expressions: `!{timestamp:<java pattern>}`,
 * `!{partitionKeyFromLambda:key}`, `!{firehose:error-output-type}` and
 * `!{firehose:random-string}`, compiled once and evaluated per object.
 */
import { randomBytes } from 'node:crypto';

/** One piece of a compiled prefix. */
type PrefixPart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'timestamp'; readonly pattern: readonly TimeToken[] }
  | { readonly kind: 'key'; readonly name: string }
  | { readonly kind: 'error-output-type' }
  | { readonly kind: 'random-string' };

/** A Java DateTimeFormatter letter run (`yyyy`, `MM`…) or literal text. */
type TimeToken = { readonly letter: string; readonly width: number } | string;

/** A compiled prefix. */
interface PrefixTemplate {
  readonly text: string;
  readonly parts: readonly PrefixPart[];
  /** True when the prefix holds at least one `!{…}` expression. */
  readonly hasExpressions: boolean;
  readonly keys: readonly string[];
  readonly hasErrorType: boolean;
}

/** What an evaluation needs: the oldest record's arrival and its keys. */
interface PrefixContext {
  readonly time: number;
  readonly keys?: Readonly<Record<string, string>> | undefined;
  readonly errorType?: string | undefined;
}

/** Pattern letters the replay evaluates: year, month, day, hour, min, sec. */
const TIME_LETTERS = 'yMdHms';

/** A refused prefix expression: `setting` names the option or parameter. */
class PrefixError extends Error {
  readonly code = 'PREFIX_INVALID';
  readonly setting: string;

  constructor(setting: string, message: string) {
    super(`${setting}: ${message}`);
    this.name = 'PrefixError';
    this.setting = setting;
  }
}

function usage(setting: string, message: string): PrefixError {
  return new PrefixError(setting, message);
}

/** Splits a DateTimeFormatter pattern into letter runs and quoted text. */
function compileTime(pattern: string, setting: string): TimeToken[] {
  const tokens: TimeToken[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "'") {
      const close = pattern.indexOf("'", i + 1);
      if (close < 0) throw usage(setting, `unclosed quote in '${pattern}'`);
      tokens.push(close === i + 1 ? "'" : pattern.slice(i + 1, close));
      i = close + 1;
    } else if (/[A-Za-z]/.test(c)) {
      if (!TIME_LETTERS.includes(c)) {
        throw usage(
          setting,
          `timestamp letter '${c}' in '${pattern}' is not supported; allowed: y M d H m s and 'quoted text'`
        );
      }
      let end = i;
      while (pattern[end] === c) end++;
      tokens.push({ letter: c, width: end - i });
      i = end;
    } else {
      tokens.push(c);
      i++;
    }
  }
  return tokens;
}

function compileExpression(body: string, setting: string): PrefixPart {
  const colon = body.indexOf(':');
  const namespace = body.slice(0, colon);
  const value = body.slice(colon + 1);
  if (colon > 0 && namespace === 'timestamp' && value !== '') {
    return { kind: 'timestamp', pattern: compileTime(value, setting) };
  }
  if (colon > 0 && namespace === 'partitionKeyFromLambda' && value !== '') {
    return { kind: 'key', name: value };
  }
  if (body === 'firehose:error-output-type') {
    return { kind: 'error-output-type' };
  }
  if (body === 'firehose:random-string') return { kind: 'random-string' };
  throw usage(
    setting,
    `'!{${body}}' is not supported; allowed: !{timestamp:yyyy…}, !{partitionKeyFromLambda:key}, !{firehose:error-output-type}, !{firehose:random-string}`
  );
}

/**
 * Compiles a prefix as given to `--prefix` or `--error-prefix`.
 *
 * @throws PrefixError naming the option and the bad expression
 * @example compilePrefix('logs/!{timestamp:yyyy}/', '--prefix').keys // []
 */
function compilePrefix(text: string, setting: string): PrefixTemplate {
  const parts: PrefixPart[] = [];
  let from = 0;
  for (;;) {
    const open = text.indexOf('!{', from);
    if (open < 0) break;
    const close = text.indexOf('}', open);
    if (close < 0) throw usage(setting, `unclosed '!{' in '${text}'`);
    if (open > from) parts.push({ kind: 'text', text: text.slice(from, open) });
    parts.push(compileExpression(text.slice(open + 2, close), setting));
    from = close + 1;
  }
  if (from < text.length) parts.push({ kind: 'text', text: text.slice(from) });
  const keys = parts.flatMap((p) => (p.kind === 'key' ? [p.name] : []));
  return {
    text,
    parts,
    hasExpressions: parts.some((p) => p.kind !== 'text'),
    keys,
    hasErrorType: parts.some((p) => p.kind === 'error-output-type'),
  };
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

function formatTimeToken(token: TimeToken, date: Date): string {
  if (typeof token === 'string') return token;
  const { letter, width } = token;
  if (letter === 'y') {
    const year = date.getUTCFullYear();
    return width === 2 ? pad(year % 100, 2) : pad(year, width);
  }
  const values: Record<string, number> = {
    M: date.getUTCMonth() + 1,
    d: date.getUTCDate(),
    H: date.getUTCHours(),
    m: date.getUTCMinutes(),
    s: date.getUTCSeconds(),
  };
  return pad(values[letter]!, width);
}

/**
 * Formats an instant with a compiled DateTimeFormatter pattern, in UTC.
 *
 * @example formatTime([{ letter: 'y', width: 4 }], 0) // '1970'
 */
function formatTime(pattern: readonly TimeToken[], time: number): string {
  const date = new Date(time);
  return pattern.map((token) => formatTimeToken(token, date)).join('');
}

/** Firehose's random-string: 11 characters of letters and digits. */
function randomString(): string {
  return randomBytes(16)
    .toString('base64url')
    .replace(/[-_]/g, '0')
    .slice(0, 11);
}

/**
 * Evaluates a prefix for one object.
 *
 * @returns the prefix, or `{ missingKey }` when a record lacks a key
 * @example evaluatePrefix(compilePrefix('!{timestamp:HH}/', 'p'), { time: 0 })
 */
function evaluatePrefix(
  template: PrefixTemplate,
  context: PrefixContext
): string | { missingKey: string } {
  let out = '';
  for (const part of template.parts) {
    if (part.kind === 'text') out += part.text;
    else if (part.kind === 'timestamp') {
      out += formatTime(part.pattern, context.time);
    } else if (part.kind === 'key') {
      const value = context.keys?.[part.name];
      if (value === undefined || value === '') return { missingKey: part.name };
      out += value;
    } else if (part.kind === 'error-output-type') {
      out += context.errorType ?? '';
    } else out += randomString();
  }
  return out;
}

/** The default time folders, `YYYY/MM/DD/HH/`, in UTC. */
const DEFAULT_TIME_PREFIX = compilePrefix(
  '!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/!{timestamp:HH}/',
  'default prefix'
);

export type { PrefixContext, PrefixPart, PrefixTemplate, TimeToken };
export {
  compilePrefix,
  DEFAULT_TIME_PREFIX,
  evaluatePrefix,
  formatTime,
  PrefixError,
};
