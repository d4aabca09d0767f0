/**
 * Input readers: flow-log files as AWS writes them to S3 (gzip, header line),
 * plain text, stdin and saved Firehose events. Text is streamed line by line
 * with backpressure, so a file of any size replays in bounded memory.
 */
import { createReadStream } from 'node:fs';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { FIELDS_BY_NAME } from '../../shared/flowlog/fields.ts';
import type { FlowLogFormat } from '../../shared/flowlog/format.ts';
import { formatFromHeader } from '../../shared/flowlog/format.ts';
import { ReplayError } from './errors.ts';

/** Firehose refuses records over 1,000 KiB: no flow-log line is longer. */
const MAX_LINE_CHARS = 1_024_000;

/** File names a directory argument contributes. */
const INPUT_EXTENSIONS = ['.log.gz', '.log', '.gz', '.txt', '.json'];

/** One input to replay: a path (`-` is stdin) and its size on disk. */
interface InputFile {
  readonly path: string;
  /** Bytes on disk; undefined for stdin. */
  readonly size: number | undefined;
  /** Found in a directory argument rather than named on the command line. */
  readonly listed: boolean;
}

/** A saved Firehose event's records, replayed as they are. */
interface EventInput {
  readonly kind: 'event';
  readonly records: ReadonlyArray<{
    data: string;
    arrival: number | undefined;
  }>;
}

/** How messages name an input: `stdin` or the path as given. */
function displayName(path: string): string {
  return path === '-' ? 'stdin' : path;
}

function inputError(path: string, message: string): ReplayError {
  const name = path === '-' ? 'stdin' : `'${path}'`;
  return new ReplayError('REPLAY_INPUT', `${name}: ${message}`);
}

async function expandOne(path: string, listed: boolean): Promise<InputFile[]> {
  if (path === '-') return [{ path, size: undefined, listed }];
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw inputError(
      path,
      code === 'ENOENT' ? 'no such file or directory' : (error as Error).message
    );
  }
  if (!info.isDirectory()) return [{ path, size: Number(info.size), listed }];
  const names = (await readdir(path, { recursive: true })).sort();
  const files = names
    .filter((name) => INPUT_EXTENSIONS.some((ext) => name.endsWith(ext)))
    .map((name) => join(path, name));
  return (await Promise.all(files.map((file) => expandOne(file, true)))).flat();
}

/**
 * Resolves inputs, directories expanded (sorted, recursive), and checks that
 * every file exists before any work starts.
 *
 * @throws ReplayError (REPLAY_INPUT) naming the first missing input
 */
async function expandInputs(inputs: readonly string[]): Promise<InputFile[]> {
  const files: InputFile[] = [];
  for (const input of inputs) files.push(...(await expandOne(input, false)));
  return files;
}

async function isGzipFile(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/** Raw bytes counted, gunzipped when they start with gzip's magic number. */
async function openText(
  path: string,
  onBytes: (bytes: number) => void
): Promise<Readable> {
  const raw = path === '-' ? process.stdin : createReadStream(path);
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      onBytes(chunk.length);
      done(null, chunk);
    },
  });
  const gzip = path !== '-' && (await isGzipFile(path));
  const streams = gzip ? [raw, counter, createGunzip()] : [raw, counter];
  // pipeline destroys every stage on error, so the reader's loop throws.
  const text = pipeline(streams, () => {}) as unknown as Readable;
  text.setEncoding('utf8');
  return text;
}

/** One non-blank line of a text input and its 1-based line number. */
interface NumberedLine {
  readonly text: string;
  readonly number: number;
}

/** The error for a stream failure after `lines` lines, naming the input. */
function readError(path: string, lines: number, error: unknown): ReplayError {
  if (error instanceof ReplayError) return error;
  const { code, message } = error as { code?: string; message: string };
  const where = `after line ${lines.toLocaleString('en-US')}`;
  const what = code?.startsWith('Z_')
    ? `is corrupt or truncated gzip ${where}`
    : `cannot be read ${where}`;
  return inputError(path, `${what}: ${message}`);
}

/**
 * Non-blank lines with their line numbers (blank lines counted), CR before
 * LF removed. A line longer than MAX_LINE_CHARS, a corrupt or truncated gzip
 * stream and a read error throw a ReplayError naming the input and the line.
 */
async function* splitLines(
  text: AsyncIterable<string>,
  path: string
): AsyncGenerator<NumberedLine> {
  let carry = '';
  let number = 0;
  try {
    for await (const chunk of text) {
      const data = carry + chunk;
      let from = 0;
      for (
        let nl = data.indexOf('\n');
        nl >= 0;
        nl = data.indexOf('\n', from)
      ) {
        number++;
        const end = nl > from && data[nl - 1] === '\r' ? nl - 1 : nl;
        if (end - from > MAX_LINE_CHARS) throw tooLong(path, number);
        if (end > from && data.slice(from, end).trim() !== '') {
          yield { text: data.slice(from, end), number };
        }
        from = nl + 1;
      }
      carry = data.slice(from);
      if (carry.length > MAX_LINE_CHARS) throw tooLong(path, number + 1);
    }
  } catch (error) {
    throw readError(path, number, error);
  }
  if (carry.trim() !== '') {
    const text = carry.endsWith('\r') ? carry.slice(0, -1) : carry;
    yield { text, number: number + 1 };
  }
}

function tooLong(path: string, line: number): ReplayError {
  return inputError(
    path,
    `line ${line.toLocaleString('en-US')} is longer than ${MAX_LINE_CHARS.toLocaleString('en-US')} characters; Firehose refuses records over 1,000 KiB, so no flow-log line is that long (is this a flow-log file?)`
  );
}

/** First character of a line that may be a header: a lowercase letter. */
function mayBeHeader(line: string): boolean {
  const first = line.charCodeAt(0);
  return first >= 0x61 && first <= 0x7a; // a-z
}

/**
 * A header names fields (`version account-id …`), at least one known: the
 * line AWS writes at the top of each S3 file. O(line length).
 */
function looksLikeHeader(line: string): boolean {
  if (!mayBeHeader(line.trimStart())) return false;
  const tokens = line.trim().split(/\s+/);
  return (
    tokens.every((token) => /^[a-z0-9-]+$/.test(token)) &&
    tokens.some((token) => FIELDS_BY_NAME.has(token))
  );
}

/**
 * The format a header line declares.
 *
 * @throws ReplayError (REPLAY_INPUT) naming the input and line
 */
function headerFormat(path: string, line: NumberedLine): FlowLogFormat {
  try {
    return formatFromHeader(
      line.text.trim(),
      `${displayName(path)} line ${line.number} header`
    );
  } catch (error) {
    throw inputError(path, `line ${line.number}: ${(error as Error).message}`);
  }
}

/**
 * Opens a text input as numbered, non-blank lines. Header lines stay in the
 * stream: the reader decides what they switch (see looksLikeHeader).
 *
 * @throws ReplayError (REPLAY_INPUT) when the input cannot be opened
 */
async function openLines(
  path: string,
  onBytes: (bytes: number) => void
): Promise<AsyncGenerator<NumberedLine>> {
  let text: Readable;
  try {
    text = await openText(path, onBytes);
  } catch (error) {
    throw inputError(path, `cannot be opened: ${(error as Error).message}`);
  }
  return splitLines(text, path);
}

/**
 * The format a file's first line declares, undefined without a header; reads
 * only the first chunk. Used to check every input's settings up front.
 *
 * @throws ReplayError (REPLAY_INPUT) when the file cannot be read
 */
async function peekFormat(path: string): Promise<FlowLogFormat | undefined> {
  const lines = await openLines(path, () => {});
  try {
    const first = await lines.next();
    if (first.done === true || !looksLikeHeader(first.value.text)) {
      return undefined;
    }
    return headerFormat(path, first.value);
  } finally {
    await lines.return(undefined);
  }
}

/**
 * Reads a saved Firehose event (a `.json` file with a records array).
 *
 * @throws ReplayError (REPLAY_INPUT) when it is not such an event
 */
async function readEvent(path: string): Promise<EventInput> {
  let event: unknown;
  try {
    event = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw inputError(
      path,
      `is not a JSON Firehose event: ${(error as Error).message}`
    );
  }
  const records = (event as { records?: unknown } | null)?.records;
  if (!Array.isArray(records)) {
    throw inputError(path, "is not a Firehose event: no 'records' array");
  }
  return {
    kind: 'event',
    records: records.map((record: unknown, index) => {
      const { data, approximateArrivalTimestamp: arrival } = (record ?? {}) as {
        data?: unknown;
        approximateArrivalTimestamp?: unknown;
      };
      if (typeof data !== 'string') {
        throw inputError(path, `records[${index}].data is not a string`);
      }
      return {
        data,
        arrival: typeof arrival === 'number' ? arrival : undefined,
      };
    }),
  };
}

/** True for inputs read as saved Firehose events. */
function isEventFile(path: string): boolean {
  return path.toLowerCase().endsWith('.json');
}

export type { EventInput, InputFile, NumberedLine };
export {
  displayName,
  expandInputs,
  headerFormat,
  isEventFile,
  looksLikeHeader,
  openLines,
  peekFormat,
  readEvent,
  splitLines,
};
