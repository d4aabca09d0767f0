// The fuzzer's oracle: an independent, deliberately simple reading of what a
// Firehose record should become, written from AWS's documentation and the
// project's documented contract (docs/configuration.md "What each record
// becomes" and "Parsing rules"), sharing no code with shared/.
//
// It is slow on purpose (strings, split, JSON.parse, BigInt): it must be
// obviously right, not fast. Sources:
// - field names and types: "Available fields", VPC flow log records,
//   https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html
//   and Transit Gateway flow log records,
//   https://docs.aws.amazon.com/vpc/latest/tgw/tgw-flow-logs.html
//   (the Parquet column types: INT_32 / INT_64 are the integer fields);
// - CloudWatch Logs subscription envelopes (gzip, messageType DATA_MESSAGE /
//   CONTROL_MESSAGE, logEvents[].message),
//   https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html
// - Firehose record data is standard base64 (RFC 4648 section 4),
//   https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html
import { gunzipSync } from 'node:zlib';

/** The integer fields of AWS's field tables (Parquet INT_32 / INT_64). */
const INTEGER_FIELDS = new Set([
  'version',
  'srcport',
  'dstport',
  'protocol',
  'packets',
  'bytes',
  'start',
  'end',
  'tcp-flags',
  'traffic-path',
  'packets-lost-no-route',
  'packets-lost-blackhole',
  'packets-lost-mtu-exceeded',
  'packets-lost-ttl-expired',
]);

const MAX_U64 = (1n << 64n) - 1n;
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A LogFormat as the reference reads it: `${a} ${b}` → names, output keys
 * (`-` → `_`), and which are integers. Unknown names are strings.
 */
function referenceFormat(logFormat) {
  const names = logFormat
    .trim()
    .split(/ +/)
    .map((token) => token.slice(2, -1));
  return {
    names,
    keys: names.map((name) => name.replaceAll('-', '_')),
    integer: names.map((name) => INTEGER_FIELDS.has(name)),
    header: names.join(' '),
  };
}

/**
 * Why a record fails, as a small class name (not the core's codes). Not an
 * Error: a stack trace per malformed record would dominate the run time.
 */
class Fail {
  constructor(message) {
    this.message = message;
  }
}

function fail(why) {
  throw new Fail(why);
}

/** Strict UTF-8 text of bytes, or a failure. */
function utf8(bytes, why) {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    return fail(why);
  }
}

/**
 * Decodes a Firehose `data` string. Standard base64 only; a missing `=`
 * padding or non-zero trailing bits are tolerated by some decoders, so the
 * record may then also fail (ambiguous, noted in `loose`).
 */
function decodeData(data, loose) {
  if (typeof data !== 'string') fail('data not a string');
  const match = /^([A-Za-z0-9+/]*)(={0,2})$/.exec(data);
  if (match === null) fail('base64 alphabet');
  const body = match[1];
  const padding = match[2].length;
  if (padding > 0 && data.length % 4 !== 0) fail('base64 padding');
  if (body.length % 4 === 1) fail('base64 length');
  if (padding === 0 && body.length % 4 !== 0) loose.push('unpadded base64');
  const bytes = Buffer.from(data, 'base64');
  if (bytes.toString('base64').replace(/=+$/, '') !== body) {
    loose.push('non-canonical base64');
  }
  return bytes;
}

/**
 * Index of the first byte that is not JSON whitespace. A CR or LF before
 * the `{` of an envelope is legal JSON that CloudWatch never writes: a
 * parser that looks only past spaces and tabs reads lines instead, so the
 * record may then fail (noted in `loose`).
 */
function firstNonBlank(bytes, loose) {
  let i = 0;
  let newline = false;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b === 0x0d || b === 0x0a) newline = true;
    else if (b !== 0x20 && b !== 0x09) break;
    i++;
  }
  if (newline && bytes[i] === 0x7b) loose.push('newline before envelope');
  return i;
}

/** The JSON values of text holding one or more concatenated values. */
function splitJsonValues(text) {
  const values = [];
  let i = 0;
  const ws = (c) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
  while (true) {
    while (i < text.length && ws(text[i])) i++;
    if (i === text.length) break;
    if (text[i] !== '{') return undefined;
    let depth = 0;
    let inString = false;
    let j = i;
    for (; j < text.length; j++) {
      const c = text[j];
      if (inString) {
        if (c === '\\') j++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) break;
      }
    }
    if (j >= text.length) return undefined;
    try {
      values.push(JSON.parse(text.slice(i, j + 1)));
    } catch {
      return undefined;
    }
    i = j + 1;
  }
  return values;
}

/**
 * True when some object of the (valid) JSON text repeats a key. RFC 8259
 * section 4 leaves the meaning of repeated names open (JSON.parse keeps the
 * last), so a record with them may also fail.
 */
function hasDuplicateKeys(text) {
  const stack = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{') stack.push(new Set());
    else if (c === '[') stack.push(null);
    else if (c === '}' || c === ']') stack.pop();
    else if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const raw = text.slice(i, j + 1);
      let k = j + 1;
      while (' \t\r\n'.includes(text[k] ?? 'x')) k++;
      const keys = stack[stack.length - 1];
      if (text[k] === ':' && keys) {
        const key = JSON.parse(raw);
        if (keys.has(key)) return true;
        keys.add(key);
      }
      i = j;
    }
  }
  return false;
}

function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * True when logEvents is an array of objects with a string message. A
 * control message's events are never delivered, so whether their shape is
 * checked is open: a reader may fail the record.
 */
function wellFormedEvents(events) {
  return (
    Array.isArray(events) &&
    events.every((e) => isObject(e) && typeof e.message === 'string')
  );
}

/** Messages of CloudWatch Logs envelopes; control messages give none. */
function envelopeMessages(values, loose) {
  const messages = [];
  for (const envelope of values) {
    if (!isObject(envelope)) fail('envelope not an object');
    if (envelope.messageType === 'CONTROL_MESSAGE') {
      if (!wellFormedEvents(envelope.logEvents)) {
        loose.push('control message with malformed logEvents');
      }
      continue;
    }
    if (envelope.messageType !== 'DATA_MESSAGE') fail('envelope messageType');
    if (!Array.isArray(envelope.logEvents)) fail('envelope logEvents');
    for (const event of envelope.logEvents) {
      if (!isObject(event) || typeof event.message !== 'string') {
        fail('log event message');
      }
      if (!event.message.isWellFormed()) fail('lone surrogate');
      messages.push(event.message);
    }
  }
  return messages;
}

/**
 * The plain-JSON form of envelopes (a record already decompressed): one or
 * more JSON objects, the first with a `messageType`. Undefined otherwise.
 */
function plainEnvelopes(bytes, loose) {
  if (bytes[firstNonBlank(bytes, loose)] !== 0x7b) return undefined;
  let text;
  try {
    text = STRICT_UTF8.decode(bytes);
  } catch {
    return undefined;
  }
  const values = splitJsonValues(text);
  if (values === undefined || values.length === 0) return undefined;
  if (!Object.hasOwn(values[0], 'messageType')) return undefined;
  if (hasDuplicateKeys(text)) loose.push('repeated JSON key');
  return values;
}

/** Reads the fields of one trimmed, non-empty line. */
function parseLine(text, format, state) {
  if (text === format.header) return;
  const tokens = text.split(/[ \t]+/);
  if (tokens.join(' ') === format.header) {
    state.loose.push('header with other spacing');
    return;
  }
  if (tokens.length !== format.names.length) fail('field count');
  const entries = [];
  for (let f = 0; f < tokens.length; f++) {
    const token = tokens[f];
    if (token === '-') continue;
    if (format.integer[f]) {
      if (!/^[0-9]+$/.test(token)) fail('integer digits');
      const value = BigInt(token);
      if (value > MAX_U64) fail('integer past 2^64-1');
      entries.push([format.keys[f], value]);
    } else {
      entries.push([format.keys[f], token]);
    }
  }
  state.lines++;
  if (state.filter !== undefined && !state.filter(entries)) return;
  state.kept.push(entries);
}

/** Splits bytes into lines (LF, one CR before it dropped) and reads them. */
function readText(bytes, format, state, allowWrapper) {
  let from = 0;
  while (from <= bytes.length) {
    let end = bytes.indexOf(0x0a, from);
    if (end < 0) end = bytes.length;
    let stop = end;
    if (stop > from && bytes[stop - 1] === 0x0d) stop--;
    let a = from;
    let b = stop;
    while (a < b && (bytes[a] === 0x20 || bytes[a] === 0x09)) a++;
    while (b > a && (bytes[b - 1] === 0x20 || bytes[b - 1] === 0x09)) b--;
    if (a < b) readLine(bytes.subarray(a, b), format, state, allowWrapper);
    from = end + 1;
  }
}

function readLine(line, format, state, allowWrapper) {
  const text = utf8(line, 'invalid UTF-8');
  if (!allowWrapper || text[0] !== '{') {
    parseLine(text, format, state);
    return;
  }
  let wrapper;
  try {
    wrapper = JSON.parse(text);
  } catch {
    fail('wrapper not JSON');
  }
  if (!isObject(wrapper) || typeof wrapper.message !== 'string') {
    fail('wrapper without string message');
  }
  if (hasDuplicateKeys(text)) state.loose.push('repeated JSON key');
  if (!wrapper.message.isWellFormed()) fail('lone surrogate');
  readText(Buffer.from(wrapper.message, 'utf8'), format, state, false);
}

function readEnvelopes(values, format, state) {
  for (const message of envelopeMessages(values, state.loose)) {
    readText(Buffer.from(message, 'utf8'), format, state, true);
  }
}

function readGzip(bytes, format, state, maxInflated) {
  let inflated;
  try {
    inflated = gunzipSync(bytes, { maxOutputLength: maxInflated });
  } catch (error) {
    if (error.code === 'ERR_BUFFER_TOO_LARGE') {
      state.inflated = maxInflated + 1;
      fail('gzip past MAX_DECOMPRESSED_BYTES');
    }
    fail('gzip');
  }
  state.inflated = inflated.length;
  if (inflated[firstNonBlank(inflated, state.loose)] !== 0x7b) {
    readText(inflated, format, state, true);
    return;
  }
  const text = utf8(inflated, 'envelope UTF-8');
  const values = splitJsonValues(text);
  if (values === undefined) fail('envelope JSON');
  if (hasDuplicateKeys(text)) state.loose.push('repeated JSON key');
  readEnvelopes(values, format, state);
}

/**
 * What one record's `data` should become.
 *
 * @param data - the record's base64 `data`
 * @param format - from {@link referenceFormat}
 * @param options - `maxInflated` (MAX_DECOMPRESSED_BYTES), `filter`
 *   (entries → keep?) or undefined
 * @returns `{ status, kept, why, loose, inflated }`: status `Ok` (kept holds
 *   the expected lines as [key, string | bigint] entries), `Dropped` or
 *   `ProcessingFailed` (why says which rule); `loose` lists ambiguities under
 *   which a `ProcessingFailed` answer is also acceptable
 */
function referenceRecord(data, format, options) {
  const state = {
    kept: [],
    lines: 0,
    loose: [],
    inflated: 0,
    filter: options.filter,
  };
  try {
    const bytes = decodeData(data, state.loose);
    if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
      readGzip(bytes, format, state, options.maxInflated);
    } else {
      const envelopes = plainEnvelopes(bytes, state.loose);
      if (envelopes !== undefined) readEnvelopes(envelopes, format, state);
      else readText(bytes, format, state, true);
    }
  } catch (error) {
    if (!(error instanceof Fail)) throw error;
    return {
      status: 'ProcessingFailed',
      kept: [],
      why: error.message,
      loose: state.loose,
      inflated: state.inflated,
    };
  }
  return {
    status: state.kept.length > 0 ? 'Ok' : 'Dropped',
    kept: state.kept,
    why: state.kept.length > 0 ? '' : 'no deliverable line',
    loose: state.loose,
    inflated: state.inflated,
  };
}

/** Serialised size of the expected lines (to judge budget overflow). */
function expectedBytes(kept) {
  let n = 0;
  for (const entries of kept) {
    n += 3;
    for (const [key, value] of entries) {
      n +=
        key.length +
        4 +
        (typeof value === 'bigint'
          ? value.toString().length
          : JSON.stringify(value).length);
    }
  }
  return n;
}

export { expectedBytes, referenceFormat, referenceRecord, splitJsonValues };
