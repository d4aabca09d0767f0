/**
 * Reading samconfig.toml without a TOML dependency: the file uses only
 * tables, comments and `key = "string" | true | false | number` lines, and
 * this reader refuses anything else.
 */

/** A TOML value of the subset samconfig.toml uses. */
type TomlValue = string | number | boolean;

/** Table path (`dev.deploy.parameters`) -> its keys. */
type TomlTables = Record<string, Record<string, TomlValue>>;

/**
 * Parses the TOML subset; top-level keys go to the table named ''.
 * Throws on a line it does not understand, naming the line.
 *
 * @example parseToml('[a.b]\nx = "1"')['a.b']!.x // '1'
 */
function parseToml(text: string): TomlTables {
  const tables: TomlTables = { '': {} };
  let current = tables['']!;
  text.split('\n').forEach((raw, index) => {
    const line = stripComment(raw).trim();
    if (line === '') return;
    const table = /^\[([A-Za-z0-9_.-]+)\]$/.exec(line);
    if (table) {
      current = tables[table[1]!] ??= {};
      return;
    }
    const entry = /^([A-Za-z0-9_-]+)\s*=\s*(.+)$/.exec(line);
    if (!entry) throw new Error(`samconfig.toml line ${index + 1}: ${raw}`);
    current[entry[1]!] = parseValue(entry[2]!, index + 1);
  });
  return tables;
}

/** The line without a `#` comment outside a string. */
function stripComment(line: string): string {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (char === '\\' && quoted) i++;
    else if (char === '"') quoted = !quoted;
    else if (char === '#' && !quoted) return line.slice(0, i);
  }
  return line;
}

function parseValue(text: string, line: number): TomlValue {
  if (text === 'true' || text === 'false') return text === 'true';
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (/^"(?:[^"\\]|\\.)*"$/.test(text)) {
    return JSON.parse(text) as string;
  }
  throw new Error(`samconfig.toml line ${line}: unsupported value ${text}`);
}

/**
 * SAM's `parameter_overrides` string as a map: `A="x y" B=z`.
 *
 * @example parseOverrides('LogLevel="DEBUG"') // { LogLevel: 'DEBUG' }
 */
function parseOverrides(text: string): Record<string, string> {
  const overrides: Record<string, string> = {};
  const pattern = /([A-Za-z0-9]+)=("(?:[^"\\]|\\.)*"|\S+)/g;
  for (const match of text.matchAll(pattern)) {
    const value = match[2]!;
    overrides[match[1]!] = value.startsWith('"')
      ? (JSON.parse(value) as string)
      : value;
  }
  if (text.replace(pattern, '').trim() !== '') {
    throw new Error(`unparsed parameter_overrides: ${text}`);
  }
  return overrides;
}

export type { TomlTables, TomlValue };
export { parseOverrides, parseToml };
