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
}

/** A text input: its format and its non-blank lines, header excluded. */
interface LineInput {
  readonly kind: 'lines';
  readonly format: FlowLogFormat;
  readonly fromHeader: boolean;
  readonly lines: AsyncIterable<string>;
}

/** A saved Firehose event's records, replayed as they are. */
interface EventInput {
  readonly kind: 'event';
  readonly records: ReadonlyArray<{
    data: string;
    arrival: number | undefined;
  }>;
}

function inputError(path: string, message: string): ReplayError {
  const name = path === '-' ? 'stdin' : `'${path}'`;
  return new ReplayError('REPLAY_INPUT', `${name}: ${message}`);
}

async function expandOne(path: string): Promise<InputFile[]> {
  if (path === '-') return [{ path, size: undefined }];
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
  if (!info.isDirectory()) return [{ path, size: Number(info.size) }];
  const names = (await readdir(path, { recursive: true })).sort();
  const files = names
    .filter((name) => INPUT_EXTENSIONS.some((ext) => name.endsWith(ext)))
    .map((name) => join(path, name));
  return (await Promise.all(files.map(expandOne))).flat();
}

/**
 * Resolves inputs, directories expanded (sorted, recursive), and checks that
 * every file exists before any work starts.
 *
 * @throws ReplayError (REPLAY_INPUT) naming the first missing input
 */
async function expandInputs(inputs: readonly string[]): Promise<InputFile[]> {
  const files: InputFile[] = [];
  for (const input of inputs) files.push(...(await expandOne(input)));
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

/** Non-blank lines, CR before LF removed; errors name the input. */
async function* splitLines(
  text: AsyncIterable<string>,
  path: string
): AsyncGenerator<string> {
  let carry = '';
  try {
    for await (const chunk of text) {
      const data = carry + chunk;
      let from = 0;
      for (
        let nl = data.indexOf('\n');
        nl >= 0;
        nl = data.indexOf('\n', from)
      ) {
        const end = nl > from && data[nl - 1] === '\r' ? nl - 1 : nl;
        if (end > from && data.slice(from, end).trim() !== '') {
          yield data.slice(from, end);
        }
        from = nl + 1;
      }
      carry = data.slice(from);
      if (carry.length > MAX_LINE_CHARS) {
        throw inputError(
          path,
          `a line is longer than ${MAX_LINE_CHARS} characters`
        );
      }
    }
  } catch (error) {
    if (error instanceof ReplayError) throw error;
    const { code, message } = error as { code?: string; message: string };
    const what = code?.startsWith('Z_')
      ? 'is corrupt or truncated gzip'
      : 'cannot be read';
    throw inputError(path, `${what}: ${message}`);
  }
  if (carry.trim() !== '')
    yield carry.endsWith('\r') ? carry.slice(0, -1) : carry;
}

/** A header names fields (`version account-id …`), at least one known. */
function looksLikeHeader(line: string): boolean {
  const tokens = line.trim().split(/\s+/);
  return (
    tokens.every((token) => /^[a-z0-9-]+$/.test(token)) &&
    tokens.some((token) => FIELDS_BY_NAME.has(token))
  );
}

/**
 * Opens a text input. A first line of field names (the header AWS writes at
 * the top of S3 files) sets the file's format; otherwise `fallback` applies.
 *
 * @throws ReplayError (REPLAY_INPUT) when the input cannot be read
 */
async function openLines(
  path: string,
  fallback: FlowLogFormat,
  onBytes: (bytes: number) => void
): Promise<LineInput> {
  let text: Readable;
  try {
    text = await openText(path, onBytes);
  } catch (error) {
    throw inputError(path, `cannot be opened: ${(error as Error).message}`);
  }
  const iterator = splitLines(text, path);
  const first = await iterator.next();
  const header = first.done !== true && looksLikeHeader(first.value);
  let format = fallback;
  if (header) {
    try {
      format = formatFromHeader(first.value.trim(), `${path} header`);
    } catch (error) {
      throw inputError(path, (error as Error).message);
    }
  }
  async function* lines(): AsyncGenerator<string> {
    if (first.done !== true && !header) yield first.value;
    yield* iterator;
  }
  return { kind: 'lines', format, fromHeader: header, lines: lines() };
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

export type { EventInput, InputFile, LineInput };
export {
  expandInputs,
  isEventFile,
  looksLikeHeader,
  openLines,
  readEvent,
  splitLines,
};
