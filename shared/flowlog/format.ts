/**
 * Parses a flow log's LogFormat (`${version} ${account-id} …`) into the
 * ordered field list that drives the scanner. Runs once, at cold start.
 */
import { FlowLogError } from './errors.ts';
import type { FieldType } from './fields.ts';
import { FIELDS_BY_NAME, outputKeyOf } from './fields.ts';

/** AWS allows at most this many characters in a LogFormat. */
const MAX_FORMAT_CHARS = 4096;

/** One field of a parsed format, at its position in the line. */
interface FormatField {
  /** LogFormat name: `log-status`. */
  readonly name: string;
  /** JSON output key: `log_status`. */
  readonly key: string;
  readonly type: FieldType;
  /** False for a `${name}` not in the catalogue: kept as a string. */
  readonly known: boolean;
}

/** A parsed LogFormat: the fields in line order. */
interface FlowLogFormat {
  /** The LogFormat text as given. */
  readonly text: string;
  readonly fields: readonly FormatField[];
  /** Names not in the catalogue, accepted as string fields. */
  readonly unknownFields: readonly string[];
  /** Position of a field by LogFormat name or output key; -1 if absent. */
  readonly positions: ReadonlyMap<string, number>;
}

/** `a-z`, `0-9` and `-`: the characters of AWS field names. */
function isFieldName(name: string): boolean {
  if (name.length === 0 || name.length > 64) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const isLower = c >= 0x61 && c <= 0x7a; // a-z
    const isDigit = c >= 0x30 && c <= 0x39; // 0-9
    if (!isLower && !isDigit && c !== 0x2d /* - */) return false;
  }
  return true;
}

function describeToken(token: string, index: number, column: number): string {
  return `token ${index + 1} "${token}" (column ${column})`;
}

function tokenError(
  setting: string,
  token: string,
  index: number,
  column: number,
  expected: string
): FlowLogError {
  return new FlowLogError(
    'FLOWLOG_FORMAT_TOKEN',
    `${setting}: ${describeToken(token, index, column)} ${expected}`
  );
}

/** True for ASCII digits. */
function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/**
 * True when `a` becomes `b` by exactly one edit (an insertion, deletion or
 * substitution of one character, or a swap of two adjacent characters: the
 * optimal string alignment distance is 1) and that edit is not a digit.
 * `log-stauts` is one edit from `log-status`; `asg-tag-3` is not a near
 * miss of `asg-tag-2`, as AWS numbers related fields. O(length).
 *
 * @example isOneEditApart('log-stauts', 'log-status') // true
 */
function isOneEditApart(a: string, b: string): boolean {
  if (a === b || Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    const rest = i + 1;
    if (a.slice(rest) === b.slice(rest)) {
      return !isDigit(a[i]) && !isDigit(b[i]);
    }
    return (
      a[i] === b[rest] && a[rest] === b[i] && a.slice(i + 2) === b.slice(i + 2)
    );
  }
  const [longer, shorter] = a.length > b.length ? [a, b] : [b, a];
  return longer.slice(i + 1) === shorter.slice(i) && !isDigit(longer[i]);
}

/**
 * The first of `candidates` one edit from `name` (see {@link isOneEditApart}),
 * for "did you mean" hints. O(candidates × length).
 *
 * @example nearMissOf('dst-port', ['srcport', 'dstport']) // 'dstport'
 */
function nearMissOf(
  name: string,
  candidates: Iterable<string>
): string | undefined {
  for (const candidate of candidates) {
    if (isOneEditApart(name, candidate)) return candidate;
  }
  return undefined;
}

function fieldOf(name: string): FormatField {
  const known = FIELDS_BY_NAME.get(name);
  if (known) {
    return { name, key: known.key, type: known.type, known: true };
  }
  return { name, key: outputKeyOf(name), type: 'string', known: false };
}

function buildFormat(text: string, names: readonly string[]): FlowLogFormat {
  const fields = names.map(fieldOf);
  const positions = new Map<string, number>();
  fields.forEach((field, index) => {
    positions.set(field.name, index);
    positions.set(field.key, index);
  });
  return Object.freeze({
    text,
    fields: Object.freeze(fields),
    unknownFields: Object.freeze(
      fields.filter((f) => !f.known).map((f) => f.name)
    ),
    positions,
  });
}

/** Splits on runs of whitespace, keeping each token's 1-based column. */
function tokenize(text: string): Array<{ token: string; column: number }> {
  const tokens: Array<{ token: string; column: number }> = [];
  const pattern = /\S+/g;
  for (const match of text.matchAll(pattern)) {
    tokens.push({ token: match[0], column: match.index + 1 });
  }
  return tokens;
}

function checkLength(text: string, setting: string): void {
  if (text.length > MAX_FORMAT_CHARS) {
    throw new FlowLogError(
      'FLOWLOG_FORMAT_TOO_LONG',
      `${setting}: ${text.length} characters > ${MAX_FORMAT_CHARS} allowed`
    );
  }
}

function collectNames(
  tokens: Array<{ token: string; column: number }>,
  setting: string,
  unwrap: (token: string) => string | undefined,
  expected: string
): string[] {
  if (tokens.length === 0) {
    throw new FlowLogError(
      'FLOWLOG_FORMAT_EMPTY',
      `${setting}: the format is empty; give at least one field, e.g. '\${version} \${account-id}'`
    );
  }
  const seen = new Set<string>();
  return tokens.map(({ token, column }, index) => {
    const name = unwrap(token);
    if (name === undefined || !isFieldName(name)) {
      const hint = name?.includes('_')
        ? ` (AWS field names use '-': '${name.replaceAll('_', '-')}')`
        : '';
      throw tokenError(setting, token, index, column, `${expected}${hint}`);
    }
    if (seen.has(name)) {
      throw new FlowLogError(
        'FLOWLOG_FORMAT_DUPLICATE',
        `${setting}: ${describeToken(token, index, column)} repeats field '${name}'`
      );
    }
    seen.add(name);
    return name;
  });
}

function unwrapPlaceholder(token: string): string | undefined {
  if (token.startsWith('${') && token.endsWith('}')) {
    return token.slice(2, -1);
  }
  return undefined;
}

/**
 * Refuses an unknown name one edit from a documented field (`log-stauts`):
 * kept, it would become a new string key and the field it meant would be
 * missing from every line without a word.
 */
function checkNearMisses(
  tokens: Array<{ token: string; column: number }>,
  names: readonly string[],
  setting: string
): void {
  names.forEach((name, index) => {
    if (FIELDS_BY_NAME.has(name)) return;
    const meant = nearMissOf(name, FIELDS_BY_NAME.keys());
    if (meant === undefined) return;
    const { token, column } = tokens[index]!;
    throw new FlowLogError(
      'FLOWLOG_FORMAT_NEAR_MISS',
      `${setting}: ${describeToken(token, index, column)} is not a documented field; did you mean '\${${meant}}'? (an unknown field one edit from a documented one is refused as a typo)`
    );
  });
}

/**
 * Parses a LogFormat exactly as given to AWS: `${field}` tokens separated by
 * spaces, any order, any subset, unknown names kept as string fields unless
 * one edit from a documented field (a typo).
 *
 * @param text - the LogFormat, e.g. the value of FLOW_LOG_FORMAT
 * @param setting - the setting's name, used in error messages
 * @throws FlowLogError naming the bad token and its position
 * @example parseFormat('${version} ${account-id}').fields[1].key // 'account_id'
 */
function parseFormat(text: string, setting = 'FLOW_LOG_FORMAT'): FlowLogFormat {
  checkLength(text, setting);
  const tokens = tokenize(text);
  const names = collectNames(
    tokens,
    setting,
    unwrapPlaceholder,
    "is not a '${field-name}' token (lower-case letters, digits and '-')"
  );
  checkNearMisses(tokens, names, setting);
  return buildFormat(text.trim(), names);
}

/**
 * Reads the header line AWS writes at the top of flow-log files in S3
 * (`version account-id interface-id …`) as a format.
 *
 * @example formatFromHeader('version account-id').text // '${version} ${account-id}'
 */
function formatFromHeader(
  header: string,
  setting = 'flow-log file header'
): FlowLogFormat {
  checkLength(header, setting);
  const names = collectNames(
    tokenize(header),
    setting,
    (token) => token,
    "is not a field name (lower-case letters, digits and '-')"
  );
  return buildFormat(names.map((n) => `\${${n}}`).join(' '), names);
}

/**
 * Position of a field in the format by LogFormat name or output key.
 *
 * @returns the field's index, or -1 when the format lacks it
 * @example fieldIndex(format, 'log_status') // 13 for the v2 default format
 */
function fieldIndex(format: FlowLogFormat, nameOrKey: string): number {
  return format.positions.get(nameOrKey) ?? -1;
}

export type { FlowLogFormat, FormatField };
export {
  fieldIndex,
  formatFromHeader,
  isOneEditApart,
  MAX_FORMAT_CHARS,
  nearMissOf,
  parseFormat,
};
