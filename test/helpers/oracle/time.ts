/**
 * ENRICH=time: `start` and `end` (Unix seconds) as ISO 8601 UTC timestamps,
 * and the interval's length.
 */
import {
  type FlowLogFormat,
  fieldIndex,
} from '../../../shared/flowlog/format.ts';
import type { FlowLogLine } from '../../../shared/flowlog/line.ts';
import type { Enricher, Enrichment } from './types.ts';

/** The largest Unix second a JavaScript Date holds (ECMA-262: 8.64e15 ms). */
const MAX_DATE_SECONDS = 8.64e12;

/**
 * Unix seconds as `YYYY-MM-DDTHH:mm:ssZ`, or undefined past Date's range.
 *
 * @example isoSeconds(1418530010) // '2014-12-14T04:06:50Z'
 */
function isoSeconds(seconds: number): string | undefined {
  if (seconds > MAX_DATE_SECONDS) return undefined;
  if (seconds > MAX_FAST_SECONDS) {
    // Years past 9999 print as +0YYYYY-…: no RFC 3339 (§5.6 four-digit
    // date-fullyear) form, so no key (changed with the typed-values fix).
    const text = new Date(seconds * 1000).toISOString();
    return /^\d{4}-/.test(text) ? `${text.slice(0, -5)}Z` : undefined;
  }
  const days = Math.floor(seconds / 86_400);
  const rest = seconds - days * 86_400;
  const hms = rest % 3600;
  return `${civilDate(days)}T${pad2((rest - hms) / 3600)}:${pad2(Math.floor(hms / 60))}:${pad2(hms % 60)}Z`;
}

/** Two-digit strings 00-59, so formatting a time makes no temporary strings. */
const TWO_DIGITS = Array.from({ length: 60 }, (_, n) =>
  String(n).padStart(2, '0')
);

function pad2(n: number): string {
  return TWO_DIGITS[n]!;
}

/** 9999-12-31T23:59:59Z: above it Date's extended-year form is used. */
const MAX_FAST_SECONDS = 253_402_300_799;

/**
 * `YYYY-MM-DD` of a day count since 1970-01-01, by H. Hinnant's
 * days-from-civil inverse (proleptic Gregorian, as Date uses). Two to three
 * times faster than Date#toISOString, which dominated this enricher.
 */
function civilDate(days: number): string {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe -
      Math.floor(doe / 1460) +
      Math.floor(doe / 36_524) -
      Math.floor(doe / 146_096)) /
      365
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;
}

/**
 * Adds `start_time` and `end_time` (ISO 8601 strings, UTC, whole seconds) and
 * `duration_seconds` (number, `end - start`, only when both are present and
 * `end >= start`). Needs `start` or `end`. O(1) per line (two Date formats).
 */
class TimeEnricher implements Enricher {
  readonly name = 'time';
  private readonly start: number;
  private readonly end: number;

  constructor(format: FlowLogFormat) {
    this.start = fieldIndex(format, 'start');
    this.end = fieldIndex(format, 'end');
  }

  enrich(line: FlowLogLine, into: Enrichment): void {
    const start = line.integer(this.start);
    const end = line.integer(this.end);
    const startTime = start === undefined ? undefined : isoSeconds(start);
    const endTime = end === undefined ? undefined : isoSeconds(end);
    if (startTime !== undefined) into.start_time = startTime;
    if (endTime !== undefined) into.end_time = endTime;
    if (start !== undefined && end !== undefined && end >= start) {
      into.duration_seconds = end - start;
    }
  }
}

export { isoSeconds, TimeEnricher };
