/**
 * Reads what the function logs, so that the summary can say why records
 * failed. The handler writes one JSON object per `console` call (Powertools
 * Logger): its summary line carries the batch counters (`malformed`: failed
 * lines by reason) and each malformed-record sample its `recordId`,
 * `reason` and `excerpt`. The tap keeps those and passes every other log at
 * or above the level the user asked for (POWERTOOLS_LOG_LEVEL, default
 * WARN) to stderr.
 *
 * What the core could offer instead: the reason of every ProcessingFailed
 * record in the BatchOutcome (not only five samples), so that tools need not
 * parse logs.
 */

/** Powertools log levels, least severe first. */
const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL'];

/** Failed lines by reason, as the handler's summary line reports them. */
type ReasonCounts = Record<string, number>;

/** A malformed record the handler logged. */
interface FailureSample {
  readonly recordId: string;
  readonly reason: string;
  readonly excerpt: string;
}

/** What the function logged during one invocation. */
interface InvocationLog {
  /** The summary line's counters, when it was logged. */
  counters: Record<string, unknown> | undefined;
  malformed: ReasonCounts;
  samples: FailureSample[];
}

type Write = typeof process.stdout.write;

/** Keys every Powertools log line has: left out when a line is shown. */
const STANDARD_KEYS = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'sampling_rate',
  'xray_trace_id',
  'cold_start',
  'function_arn',
  'function_memory_size',
  'function_name',
  'function_request_id',
]);

/** `function WARN: <message> {"key":value,…}`: one readable line. */
function describe(entry: Record<string, unknown>): string {
  const extra = Object.fromEntries(
    Object.entries(entry).filter(([key]) => !STANDARD_KEYS.has(key))
  );
  const details =
    Object.keys(extra).length === 0 ? '' : ` ${JSON.stringify(extra)}`;
  return `function ${String(entry.level)}: ${String(entry.message)}${details}`;
}

function levelIndex(level: string | undefined): number {
  const index = LEVELS.indexOf((level ?? '').toUpperCase());
  return index < 0 ? LEVELS.length : index;
}

function asSample(entry: Record<string, unknown>): FailureSample | undefined {
  const { recordId, reason, excerpt } = entry;
  if (typeof recordId !== 'string' || typeof reason !== 'string') {
    return undefined;
  }
  return {
    recordId,
    reason,
    excerpt: typeof excerpt === 'string' ? excerpt : '',
  };
}

function asCounts(value: unknown): ReasonCounts | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const counts: ReasonCounts = {};
  for (const [reason, n] of Object.entries(value)) {
    if (typeof n === 'number') counts[reason] = n;
  }
  return counts;
}

/**
 * Intercepts process.stdout/stderr writes of the function's logs.
 *
 * @example
 * const tap = new FunctionLogTap('WARN', writeStderr); tap.install();
 * tap.begin(); await handler(event, ctx); const log = tap.end();
 */
class FunctionLogTap {
  private readonly shown: number;
  private readonly passTo: (text: string) => void;
  private current: InvocationLog = FunctionLogTap.empty();
  /** Log lines shown so far, by message: repeats past the first are hidden. */
  private readonly seen = new Map<string, number>();

  /**
   * @param level - least severe level shown to the user
   * @param passTo - where shown logs and any other output go
   */
  constructor(level: string, passTo: (text: string) => void) {
    this.shown = levelIndex(level);
    this.passTo = passTo;
  }

  private static empty(): InvocationLog {
    return { counters: undefined, malformed: {}, samples: [] };
  }

  /** Routes both streams through the tap; returns the original stdout write. */
  install(): (text: string) => boolean {
    const stdout = process.stdout.write.bind(process.stdout);
    const tap = (chunk: unknown, ...rest: unknown[]): boolean => {
      if (typeof chunk === 'string' && this.consume(chunk)) return true;
      if (typeof chunk === 'string' || Buffer.isBuffer(chunk)) {
        this.passTo(chunk.toString());
      }
      const done = rest.find((arg) => typeof arg === 'function');
      if (done !== undefined) (done as () => void)();
      return true;
    };
    process.stdout.write = tap as Write;
    const stderr = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: unknown, ...rest: unknown[]) =>
      typeof chunk === 'string' && this.consume(chunk)
        ? true
        : stderr(chunk as string, ...(rest as []))) as Write;
    return (text: string) => stdout(text);
  }

  /** Starts collecting one invocation's log. */
  begin(): void {
    this.current = FunctionLogTap.empty();
  }

  /** What the invocation since begin() logged. */
  end(): InvocationLog {
    const log = this.current;
    this.current = FunctionLogTap.empty();
    return log;
  }

  /** True when `chunk` was a function log entry, kept or hidden. */
  private consume(chunk: string): boolean {
    if (!chunk.startsWith('{')) return false;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(chunk) as Record<string, unknown>;
    } catch {
      return false;
    }
    if (typeof entry.level !== 'string') return false;
    const sample = asSample(entry);
    const counts = asCounts(entry.malformed);
    if (sample !== undefined) this.current.samples.push(sample);
    else if (counts !== undefined) {
      this.current.counters = entry;
      this.current.malformed = counts;
    } else if (levelIndex(entry.level) >= this.shown) {
      this.show(entry);
    }
    return true;
  }

  /** Shows a log line once per message; each batch would repeat it. */
  private show(entry: Record<string, unknown>): void {
    const message = String(entry.message);
    const times = (this.seen.get(message) ?? 0) + 1;
    this.seen.set(message, times);
    if (times === 1) this.passTo(`${describe(entry)}\n`);
  }

  /** One line per repeated log message hidden, for the end of the run. */
  hiddenRepeats(): string[] {
    return [...this.seen]
      .filter(([, times]) => times > 1)
      .map(
        ([message, times]) =>
          `(the function logged '${message}' ${times} times; shown once)`
      );
  }
}

export type { FailureSample, InvocationLog, ReasonCounts };
export { FunctionLogTap, LEVELS };
