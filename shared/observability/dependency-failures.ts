/**
 * Failures of the function's AWS dependencies (EC2 for ENRICH=eni, S3 or
 * HTTPS for the ip-ranges, Firehose or Kinesis for re-ingestion): each one is
 * counted, and logged with the error's name and text once per dependency and
 * error name per window, so a dependency that fails on every batch writes
 * one line a minute, not one per call.
 */
import { logger } from './logger.ts';

/** The AWS dependencies, as named in logs and in `DependencyFailure_<name>`. */
const DEPENDENCY = {
  EC2: 'EC2',
  S3: 'S3',
  IP_RANGES_URL: 'IpRangesUrl',
  FIREHOSE: 'Firehose',
  KINESIS: 'Kinesis',
} as const;

/** One of {@link DEPENDENCY}. */
type Dependency = (typeof DEPENDENCY)[keyof typeof DEPENDENCY];

/** What one failure is about. */
interface DependencyFailure {
  readonly dependency: Dependency;
  /** The API call or URL: `DescribeNetworkInterfaces`, `GetObject s3://b/k`. */
  readonly operation: string;
  /** What the function does about it, for the reader of the log. */
  readonly consequence: string;
  readonly error: unknown;
}

/** Default window between two log lines of the same failure: 60 s. */
const DEFAULT_WINDOW_MS = 60_000;

/** `name` and `message` (with its cause's) of anything thrown; the HTTP status when the SDK gives one. */
function errorFields(error: unknown): {
  errorName: string;
  errorMessage: string;
  httpStatusCode?: number;
} {
  if (error instanceof Error) {
    const status = (error as { $metadata?: { httpStatusCode?: unknown } })
      .$metadata?.httpStatusCode;
    // fetch says only "fetch failed"; the reason (ECONNREFUSED, a TLS or
    // DNS error) is its cause.
    const cause = error.cause instanceof Error ? error.cause.message : '';
    return {
      errorName: error.name,
      errorMessage: cause === '' ? error.message : `${error.message}: ${cause}`,
      ...(typeof status === 'number' ? { httpStatusCode: status } : {}),
    };
  }
  return { errorName: typeof error, errorMessage: String(error) };
}

/**
 * Counts and logs dependency failures. The log line (level ERROR) is
 * `AWS dependency failed` with `dependency`, `operation`, `errorName`,
 * `errorMessage`, `httpStatusCode` (when known), `consequence` and
 * `repeats` (failures of the same kind not logged since the last line).
 *
 * @example
 * failures.report({ dependency: 'EC2', operation: 'DescribeNetworkInterfaces', consequence: 'lines stay un-enriched', error });
 * metrics.addMetric('DependencyFailure_EC2', 'Count', failures.take().EC2 ?? 0);
 */
class DependencyFailures {
  private readonly windowMs: number;
  private readonly now: () => number;
  /** Per `dependency errorName`: when it was last logged, repeats since. */
  private readonly logged = new Map<string, { at: number; repeats: number }>();
  private counts: Partial<Record<Dependency, number>> = {};

  constructor(options: { windowMs?: number; now?: () => number } = {}) {
    this.windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
    this.now = options.now ?? Date.now;
  }

  /** Counts one failure; logs it unless the same kind was logged within the window. */
  report(failure: DependencyFailure): void {
    const { dependency } = failure;
    this.counts[dependency] = (this.counts[dependency] ?? 0) + 1;
    const fields = errorFields(failure.error);
    const kind = `${dependency} ${fields.errorName}`;
    const now = this.now();
    const last = this.logged.get(kind);
    if (last !== undefined && now - last.at < this.windowMs) {
      last.repeats++;
      return;
    }
    this.logged.set(kind, { at: now, repeats: 0 });
    logger.error('AWS dependency failed', {
      dependency,
      operation: failure.operation,
      ...fields,
      consequence: failure.consequence,
      repeats: last?.repeats ?? 0,
    });
  }

  /** Failures per dependency since the last call; resets the counts. */
  take(): Partial<Record<Dependency, number>> {
    const counts = this.counts;
    this.counts = {};
    return counts;
  }
}

/** The function's one reporter, shared by every AWS adapter. */
const dependencyFailures = new DependencyFailures();

export type { Dependency, DependencyFailure };
export {
  DEFAULT_WINDOW_MS,
  DEPENDENCY,
  DependencyFailures,
  dependencyFailures,
  errorFields,
};
