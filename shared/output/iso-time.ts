/**
 * Unix seconds as the JSON string `"YYYY-MM-DDTHH:MM:SSZ"` (RFC 3339, UTC,
 * whole seconds), written as bytes from integer arithmetic: no Date, no
 * string. Used for ECS `@timestamp`/`event.start`/`event.end` and the `time`
 * enricher's `start_time`/`end_time`.
 */
import type { ByteWriter } from './byte-writer.ts';

/** 9999-12-31T23:59:59Z: the last second with a four-digit year. */
const MAX_ISO_SECONDS = 253_402_300_799;

/** Bytes of `"YYYY-MM-DDTHH:MM:SSZ"`, quotes included. */
const ISO_JSON_BYTES = 22;

const SECONDS_PER_DAY = 86_400;

/** `0`, 0x30 */
const DIGIT_0 = 0x30;

/** Writes `value` (0-99) as two digits at `at`. */
function put2(target: Uint8Array, at: number, value: number): void {
  const tens = (value / 10) | 0;
  target[at] = DIGIT_0 + tens;
  target[at + 1] = DIGIT_0 + value - tens * 10;
}

/**
 * Writes `"YYYY-MM-DD` of a day count since 1970-01-01 at `at`, by H.
 * Hinnant's days-from-civil inverse (proleptic Gregorian, as Date uses;
 * https://howardhinnant.github.io/date_algorithms.html#civil_from_days).
 */
function putDate(target: Uint8Array, at: number, days: number): void {
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
  const century = (year / 100) | 0;
  target[at] = 0x22; // "
  put2(target, at + 1, century);
  put2(target, at + 3, year - century * 100);
  target[at + 5] = 0x2d; // -
  put2(target, at + 6, month);
  target[at + 8] = 0x2d; // -
  put2(target, at + 9, day);
}

/**
 * Writes the 22 bytes of `"YYYY-MM-DDTHH:MM:SSZ"` for `seconds` (an integer
 * 0 to {@link MAX_ISO_SECONDS}) at `target[at]`.
 *
 * @example writeIsoJson(1418530010, buf, 0) // buf: "2014-12-14T04:06:50Z"
 */
function writeIsoJson(target: Uint8Array, at: number, seconds: number): void {
  const days = Math.floor(seconds / SECONDS_PER_DAY);
  putDate(target, at, days);
  putTime(target, at, seconds - days * SECONDS_PER_DAY);
}

/** Writes `THH:MM:SSZ"` of `rest` seconds into the day at `target[at + 11]`. */
function putTime(target: Uint8Array, at: number, rest: number): void {
  const hours = (rest / 3600) | 0;
  const minutes = ((rest - hours * 3600) / 60) | 0;
  target[at + 11] = 0x54; // T
  put2(target, at + 12, hours);
  target[at + 14] = 0x3a; // :
  put2(target, at + 15, minutes);
  target[at + 17] = 0x3a; // :
  put2(target, at + 18, rest - hours * 3600 - minutes * 60);
  target[at + 20] = 0x5a; // Z
  target[at + 21] = 0x22; // "
}

/**
 * Writes ISO JSON strings, remembering the last second and day written: the
 * lines of one batch mostly share their `start` and `end`, and their day.
 */
class IsoSecondsWriter {
  private seconds = -1;
  private days = -1;
  private readonly bytes = Buffer.alloc(ISO_JSON_BYTES);

  /** Appends `"YYYY-MM-DDTHH:MM:SSZ"` for `seconds` (0 to {@link MAX_ISO_SECONDS}). */
  write(out: ByteWriter, seconds: number): void {
    if (seconds !== this.seconds) {
      const days = Math.floor(seconds / SECONDS_PER_DAY);
      if (days !== this.days) {
        putDate(this.bytes, 0, days);
        this.days = days;
      }
      putTime(this.bytes, 0, seconds - days * SECONDS_PER_DAY);
      this.seconds = seconds;
    }
    out.copy(this.bytes, 0, ISO_JSON_BYTES);
  }
}

export { IsoSecondsWriter, MAX_ISO_SECONDS, writeIsoJson };
