import { describe, expect, it } from 'vitest';
import { MALFORMED } from '../../../shared/flowlog/errors.ts';
import { VPC_DEFAULT_FORMAT } from '../../../shared/flowlog/fields.ts';
import { parseFormat } from '../../../shared/flowlog/format.ts';
import { FIELD_KIND, FlowLogLine } from '../../../shared/flowlog/line.ts';
import { planScan, scanLine } from '../../../shared/flowlog/scan.ts';

const FORMAT = parseFormat('${account-id} ${bytes} ${action}');

function scan(text: string | Buffer) {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const line = new FlowLogLine(FORMAT);
  const reason = scanLine(bytes, 0, bytes.length, planScan(FORMAT), line);
  return { reason, line };
}

describe('scanLine', () => {
  it('keeps every digit of the largest unsigned 64-bit value', () => {
    const { reason, line } = scan('1 18446744073709551615 ACCEPT');
    expect(reason).toBeUndefined();
    expect(line.integerText(1)).toBe('18446744073709551615');
    expect(line.toObject().bytes).toBe(18446744073709551615n);
  });

  it('refuses 2^64 as an overflow', () => {
    expect(scan('1 18446744073709551616 ACCEPT').reason).toBe(
      MALFORMED.INTEGER_OVERFLOW
    );
  });

  it('refuses 21 digits even with a small value after leading zeros stripped', () => {
    expect(scan('1 100000000000000000000 ACCEPT').reason).toBe(
      MALFORMED.INTEGER_OVERFLOW
    );
  });

  it('writes integers canonically, without leading zeros', () => {
    const { line } = scan('1 000420 ACCEPT');
    expect(line.integerText(1)).toBe('420');
    expect(line.integer(1)).toBe(420);
    expect(scan('1 0000 ACCEPT').line.integerText(1)).toBe('0');
  });

  it('keeps account ids with leading zeros and unknown as strings', () => {
    expect(scan('012345678901 1 ACCEPT').line.text(0)).toBe('012345678901');
    expect(scan('unknown 1 ACCEPT').line.text(0)).toBe('unknown');
  });

  it.each([
    ['a sign', '1 -5 ACCEPT'],
    ['a decimal point', '1 1.5 ACCEPT'],
    ['letters after digits', '1 12ab ACCEPT'],
    ['a double dash', '1 -- ACCEPT'],
    ['an exponent', '1 1e3 ACCEPT'],
  ])('refuses an integer with %s', (_, text) => {
    expect(scan(text).reason).toBe(MALFORMED.BAD_INTEGER);
  });

  it('treats a lone dash as absent in both field types', () => {
    const { reason, line } = scan('- - ACCEPT');
    expect(reason).toBeUndefined();
    expect(line.has(0)).toBe(false);
    expect(line.has(1)).toBe(false);
    expect(line.text(0)).toBeUndefined();
    expect(line.integer(1)).toBeUndefined();
  });

  it('separates fields by runs of spaces and tabs, ignoring edges', () => {
    const { reason, line } = scan(' \t1  \t 2\t\tACCEPT  ');
    expect(reason).toBeUndefined();
    expect(line.toObject()).toEqual({
      account_id: '1',
      bytes: 2,
      action: 'ACCEPT',
    });
  });

  it('counts fields: too few and too many', () => {
    expect(scan('1 2').reason).toBe(MALFORMED.TOO_FEW_FIELDS);
    expect(scan('').reason).toBe(MALFORMED.TOO_FEW_FIELDS);
    expect(scan('1 2 ACCEPT extra').reason).toBe(MALFORMED.TOO_MANY_FIELDS);
  });

  it('classifies strings for JSON output', () => {
    expect(scan('a 1 ACCEPT').line.kinds[0]).toBe(FIELD_KIND.ASCII);
    expect(scan('é 1 ACCEPT').line.kinds[0]).toBe(FIELD_KIND.UTF8);
    expect(scan('a"b 1 ACCEPT').line.kinds[0]).toBe(FIELD_KIND.ESCAPE);
    expect(scan('a\\b 1 ACCEPT').line.kinds[0]).toBe(FIELD_KIND.ESCAPE);
    expect(scan('a\u0001b 1 ACCEPT').line.kinds[0]).toBe(FIELD_KIND.ESCAPE);
  });

  it('decodes UTF-8 text and refuses invalid UTF-8', () => {
    expect(scan('café 1 ACCEPT').line.text(0)).toBe('café');
    const invalid = Buffer.from([0x61, 0xff, 0x20, 0x31, 0x20, 0x41]);
    expect(scan(invalid).reason).toBe(MALFORMED.INVALID_UTF8);
    const truncated = Buffer.from([0xc3, 0x20, 0x31, 0x20, 0x41]);
    expect(scan(truncated).reason).toBe(MALFORMED.INVALID_UTF8);
  });

  it('answers undefined for a field the format lacks', () => {
    const { line } = scan('1 2 ACCEPT');
    expect(line.has(-1)).toBe(false);
    expect(line.text(-1)).toBeUndefined();
    expect(line.integer(-1)).toBeUndefined();
    expect(line.integerText(0)).toBeUndefined();
  });

  it('lists present fields in a plain object, small integers as numbers', () => {
    const { line } = scan('café 42 -');
    expect(line.toObject()).toEqual({ account_id: 'café', bytes: 42 });
  });

  it('answers a Number for integers past 15 digits', () => {
    const { line } = scan('1 9007199254740993 ACCEPT');
    expect(line.integerText(1)).toBe('9007199254740993');
    expect(line.integer(1)).toBe(Number('9007199254740993'));
    expect(line.toObject().bytes).toBe(9007199254740993n);
  });
});

describe('scanLine reasons when a field count differs from the format', () => {
  // https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-records-examples.html
  // The v2 accepted-traffic example (14 fields, the default format) and the
  // v5 example (29 fields, its own format) of that page.
  const V2_ACCEPT =
    '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
  const V5_LINE =
    '5 52.95.128.179 10.0.0.71 80 34210 6 1616729292 1616729349 IPv4 14 15044 123456789012 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b eni-1235b8ca123456789 ap-southeast-2 apse2-az3 - - ACCEPT 19 52.95.128.179 10.0.0.71 S3 - - ingress OK';
  const DEFAULT = parseFormat(VPC_DEFAULT_FORMAT);

  function reasonOf(text: string) {
    const bytes = Buffer.from(text, 'utf8');
    const line = new FlowLogLine(DEFAULT);
    return scanLine(bytes, 0, bytes.length, planScan(DEFAULT), line);
  }

  it('answers too_many_fields for a v5 line read with the default format, though field 9 is no integer', () => {
    // docs/configuration.md: a field count other than FLOW_LOG_FORMAT's is
    // too_many_fields; the line has 29 fields, the format 14.
    expect(V5_LINE.split(' ')).toHaveLength(29);
    expect(reasonOf(V5_LINE)).toBe(MALFORMED.TOO_MANY_FIELDS);
  });

  it('answers too_few_fields for a v2 line without its last two fields', () => {
    expect(reasonOf(V2_ACCEPT.replace(/ ACCEPT OK$/, ''))).toBe(
      MALFORMED.TOO_FEW_FIELDS
    );
  });

  it('answers too_few_fields for a v2 line without two middle fields, where a value fails first', () => {
    // 12 fields: `ACCEPT` lands on the integer field `start`.
    expect(reasonOf(V2_ACCEPT.replace(' 20 4249', ''))).toBe(
      MALFORMED.TOO_FEW_FIELDS
    );
  });

  it('still answers bad_integer and integer_overflow for a line of 14 fields', () => {
    expect(reasonOf(V2_ACCEPT.replace(' 20641 ', ' 20641x '))).toBe(
      MALFORMED.BAD_INTEGER
    );
    expect(reasonOf(V2_ACCEPT.replace(' 22 ', ' 18446744073709551616 '))).toBe(
      MALFORMED.INTEGER_OVERFLOW
    );
  });
});
