/**
 * Where ENRICH=aws_service gets AWS's ip-ranges.json: by default AWS's
 * published URL over HTTPS; IP_RANGES_S3_URI for a function without internet
 * access; IP_RANGES_URL for tests and offline runs (a local HTTP server or a
 * file). Every read has a timeout and a size cap and is streamed: nothing
 * larger than the cap is ever held. {@link IpRangesProvider} loads at cold
 * start, refreshes after a TTL in warm containers, and on failure keeps the
 * records flowing with the last good table (or none), logs, counts and
 * retries after a backoff.
 */
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { EnrichError } from '../enrich/errors.ts';
import { IpRangeTable, parseIpRanges } from '../enrich/ip-ranges.ts';
import {
  DEPENDENCY,
  type DependencyFailures,
  dependencyFailures,
} from '../observability/dependency-failures.ts';
import { logger } from '../observability/logger.ts';
import { beforeDeadline } from './deadline.ts';

/**
 * AWS's published ranges, the default source. Documented at
 * https://docs.aws.amazon.com/vpc/latest/userguide/aws-ip-ranges.html
 */
const AWS_IP_RANGES_URL = 'https://ip-ranges.amazonaws.com/ip-ranges.json';

/**
 * Largest document read: 8 MiB. The published file is about 1-2 MB; a
 * larger answer is refused before it is parsed.
 */
const MAX_IP_RANGES_BYTES = 8 * 1024 * 1024;

/**
 * Longest one load may take: 5 s, half of Lambda's 10 s init phase, so a
 * hung endpoint cannot fail the cold start
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html).
 */
const LOAD_TIMEOUT_MS = 5_000;

/** First retry after a failed load: 60 s, doubling to {@link MAX_BACKOFF_MS}. */
const FIRST_BACKOFF_MS = 60_000;

/** Longest wait between two attempts after failures: 1 h. */
const MAX_BACKOFF_MS = 3_600_000;

/** A parsed ip-ranges location. */
type IpRangesLocation =
  | { readonly kind: 's3'; readonly bucket: string; readonly key: string }
  | { readonly kind: 'url'; readonly url: string }
  | { readonly kind: 'file'; readonly path: string };

/**
 * Splits `s3://bucket/key`.
 *
 * @throws EnrichError ENRICH_BAD_IP_RANGES naming the setting and value
 * @example parseS3Uri('s3://my-bucket/ip-ranges.json') // { bucket: 'my-bucket', key: 'ip-ranges.json' }
 */
function parseS3Uri(
  uri: string,
  setting = 'IP_RANGES_S3_URI'
): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri.trim());
  if (match === null) {
    throw new EnrichError(
      'ENRICH_BAD_IP_RANGES',
      `${setting}: '${uri}' is not an S3 URI; expected s3://bucket/key`
    );
  }
  return { bucket: match[1]!, key: match[2]! };
}

/** The location's text as logs name it. */
function describeLocation(location: IpRangesLocation): string {
  switch (location.kind) {
    case 's3':
      return `s3://${location.bucket}/${location.key}`;
    case 'url':
      return location.url;
    case 'file':
      return `file://${location.path}`;
  }
}

/**
 * The location for the settings: IP_RANGES_S3_URI when set, else
 * IP_RANGES_URL (default {@link AWS_IP_RANGES_URL}); `file:` URLs read a
 * local file.
 *
 * @example locationOf(undefined, undefined) // { kind: 'url', url: 'https://ip-ranges.amazonaws.com/ip-ranges.json' }
 */
function locationOf(
  s3Uri: string | undefined,
  url: string | undefined
): IpRangesLocation {
  if (s3Uri !== undefined) return { kind: 's3', ...parseS3Uri(s3Uri) };
  const text = url ?? AWS_IP_RANGES_URL;
  if (text.startsWith('file:')) {
    return { kind: 'file', path: fileURLToPath(text) };
  }
  return { kind: 'url', url: text };
}

/** A load error naming the source. */
function loadError(source: string, detail: string): EnrichError {
  return new EnrichError('ENRICH_BAD_IP_RANGES', `${source}: ${detail}`);
}

/** Refuses a declared size over the cap before reading anything. */
function checkSize(source: string, bytes: number | undefined): void {
  if (bytes !== undefined && bytes > MAX_IP_RANGES_BYTES) {
    throw loadError(
      source,
      `${bytes} bytes is over the ${MAX_IP_RANGES_BYTES}-byte cap of an ip-ranges document`
    );
  }
}

/** Reads a body stream, refusing it as soon as it passes the cap. */
async function readCapped(
  source: string,
  chunks: AsyncIterable<Uint8Array>
): Promise<string> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of chunks) {
    total += chunk.byteLength;
    checkSize(source, total);
    parts.push(chunk);
  }
  return Buffer.concat(parts, total).toString('utf8');
}

/** GET over HTTP(S) with the runtime's fetch. */
async function readUrl(url: string, signal: AbortSignal): Promise<string> {
  const response = await fetch(url, { signal });
  if (!response.ok || response.body === null) {
    const error = new Error(
      `GET ${url} answered HTTP ${response.status} ${response.statusText}`
    );
    error.name = `HTTP${response.status}`;
    throw error;
  }
  const length = response.headers.get('content-length');
  checkSize(url, length === null ? undefined : Number(length));
  return readCapped(url, response.body);
}

/** GetObject with the function's S3 client. */
async function readS3(
  client: S3Client,
  location: { bucket: string; key: string },
  signal: AbortSignal
): Promise<string> {
  const source = `s3://${location.bucket}/${location.key}`;
  const response = await client.send(
    new GetObjectCommand({ Bucket: location.bucket, Key: location.key }),
    { abortSignal: signal }
  );
  checkSize(source, response.ContentLength);
  const body = response.Body as AsyncIterable<Uint8Array> | undefined;
  if (body === undefined || !(Symbol.asyncIterator in Object(body))) {
    throw loadError(source, 'GetObject returned no readable body');
  }
  return readCapped(source, body);
}

async function readLocalFile(path: string, signal: AbortSignal) {
  checkSize(`file://${path}`, (await stat(path)).size);
  return readFile(path, { encoding: 'utf8', signal });
}

/** What a load needs besides the location. */
interface LoadOptions {
  /** Required for an `s3` location. */
  readonly s3?: () => S3Client;
  /** Epoch ms; the load stops then. */
  readonly deadline: number;
}

/**
 * Reads, parses and indexes ip-ranges.json from a location, within the
 * deadline and {@link MAX_IP_RANGES_BYTES}.
 *
 * @throws EnrichError ENRICH_BAD_IP_RANGES (too large, not JSON, wrong shape)
 *   naming the source; the transport's own error (timeout, HTTP status,
 *   AccessDenied, …) otherwise
 * @example await loadIpRanges(locationOf(undefined, undefined), { deadline: Date.now() + 5_000 })
 */
async function loadIpRanges(
  location: IpRangesLocation,
  options: LoadOptions
): Promise<IpRangeTable> {
  const source = describeLocation(location);
  const text = await beforeDeadline(
    `ip-ranges ${source}`,
    options.deadline,
    (signal) => {
      switch (location.kind) {
        case 'url':
          return readUrl(location.url, signal);
        case 'file':
          return readLocalFile(location.path, signal);
        case 's3': {
          if (options.s3 === undefined) {
            throw loadError(source, 'no S3 client');
          }
          return readS3(options.s3(), location, signal);
        }
      }
    }
  );
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw loadError(source, 'is not JSON');
  }
  return parseIpRanges(json, source);
}

/** Options of the provider. */
interface IpRangesProviderOptions {
  readonly location: IpRangesLocation;
  /** IP_RANGES_TTL_SECONDS, in ms: a loaded table is refreshed after this. */
  readonly ttlMs: number;
  readonly s3?: () => S3Client;
  readonly now?: () => number;
  readonly failures?: DependencyFailures;
  /** Replaces {@link loadIpRanges} in tests. */
  readonly load?: typeof loadIpRanges;
}

/**
 * The function's ip-ranges: one {@link IpRangeTable} whose contents are
 * replaced on each successful load, so the enricher built at cold start
 * always reads the newest. Never throws: a failed load leaves the previous
 * table (or an empty one before the first success), is logged and counted
 * through {@link DependencyFailures}, and is retried after 60 s, 120 s, …
 * up to 1 h.
 *
 * @example
 * const provider = new IpRangesProvider({ location: locationOf(undefined, undefined), ttlMs: 43_200_000 });
 * await provider.refreshIfDue(Date.now() + 5_000);
 */
class IpRangesProvider {
  /** The table the enricher reads; empty until the first load succeeds. */
  readonly table: IpRangeTable;
  readonly source: string;
  private readonly options: IpRangesProviderOptions;
  private readonly now: () => number;
  private readonly failures: DependencyFailures;
  private nextAt = 0;
  private backoffMs = FIRST_BACKOFF_MS;

  constructor(options: IpRangesProviderOptions) {
    this.options = options;
    this.source = describeLocation(options.location);
    this.table = IpRangeTable.empty(this.source);
    this.now = options.now ?? Date.now;
    this.failures = options.failures ?? dependencyFailures;
  }

  /** True once a document is loaded: lines can be enriched. */
  get available(): boolean {
    return this.table.loaded;
  }

  /**
   * Loads when no table is loaded yet and no backoff is running, or when the
   * TTL has passed; stops at `deadline` and at most {@link LOAD_TIMEOUT_MS}
   * after it starts. Never rejects.
   *
   * @returns true when a new table was loaded
   */
  async refreshIfDue(deadline: number): Promise<boolean> {
    const now = this.now();
    if (now < this.nextAt) return false;
    const load = this.options.load ?? loadIpRanges;
    try {
      const next = await load(this.options.location, {
        s3: this.options.s3,
        deadline: Math.min(deadline, now + LOAD_TIMEOUT_MS),
      });
      this.table.replaceWith(next);
      this.nextAt = this.now() + this.options.ttlMs;
      this.backoffMs = FIRST_BACKOFF_MS;
      logger.info('ip-ranges loaded for aws_service', {
        source: next.source,
        createDate: next.createDate,
        syncToken: next.syncToken,
        prefixes: next.prefixCount,
        refreshInSeconds: Math.round(this.options.ttlMs / 1000),
      });
      return true;
    } catch (error) {
      this.nextAt = this.now() + this.backoffMs;
      const kept = this.table.loaded
        ? `kept the ranges of ${this.table.createDate}`
        : 'lines go out without <field>_aws_service keys';
      this.failures.report({
        dependency:
          this.options.location.kind === 's3'
            ? DEPENDENCY.S3
            : DEPENDENCY.IP_RANGES_URL,
        operation:
          this.options.location.kind === 's3'
            ? `GetObject ${this.source}`
            : `GET ${this.source}`,
        consequence: `${kept}; next attempt in ${this.backoffMs / 1000} s`,
        error,
      });
      this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
      return false;
    }
  }
}

export type { IpRangesLocation, IpRangesProviderOptions, LoadOptions };
export {
  AWS_IP_RANGES_URL,
  FIRST_BACKOFF_MS,
  IpRangesProvider,
  LOAD_TIMEOUT_MS,
  loadIpRanges,
  locationOf,
  MAX_BACKOFF_MS,
  MAX_IP_RANGES_BYTES,
  parseS3Uri,
};
