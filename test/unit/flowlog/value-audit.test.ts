import { describe, expect, it } from 'vitest';
import { transformBatch } from '../../../shared/firehose/batch.ts';
import { VPC_DEFAULT_FORMAT } from '../../../shared/flowlog/fields.ts';
import { parseFormat } from '../../../shared/flowlog/format.ts';
import { FlowLogLine } from '../../../shared/flowlog/line.ts';
import { planScan, scanLine } from '../../../shared/flowlog/scan.ts';
import {
  addAudit,
  countFields,
  ValueAudit,
} from '../../../shared/flowlog/value-audit.ts';
import { jsonTransformer } from '../../helpers/pipeline.ts';
import { firehoseEvent } from '../../helpers/render.ts';

// AWS's version-5 example records and their format, verbatim from
// https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-records-examples.html
const V5_FORMAT =
  '${version} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${start} ${end} ${type} ${packets} ${bytes} ${account-id} ${vpc-id} ${subnet-id} ${instance-id} ${interface-id} ${region} ${az-id} ${sublocation-type} ${sublocation-id} ${action} ${tcp-flags} ${pkt-srcaddr} ${pkt-dstaddr} ${pkt-src-aws-service} ${pkt-dst-aws-service} ${traffic-path} ${flow-direction} ${log-status}';
const V5_INGRESS =
  '5 52.95.128.179 10.0.0.71 80 34210 6 1616729292 1616729349 IPv4 14 15044 123456789012 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b eni-1235b8ca123456789 ap-southeast-2 apse2-az3 - - ACCEPT 19 52.95.128.179 10.0.0.71 S3 - - ingress OK';
const V5_EGRESS =
  '5 10.0.0.71 52.95.128.179 34210 80 6 1616729292 1616729349 IPv4 7 471 123456789012 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b eni-1235b8ca123456789 ap-southeast-2 apse2-az3 - - ACCEPT 3 10.0.0.71 52.95.128.179 - S3 8 egress OK';
/** The v5 format with log-status and flow-direction swapped (issue #10). */
const V5_SWAPPED = V5_FORMAT.replace(
  '${flow-direction} ${log-status}',
  '${log-status} ${flow-direction}'
);
// AWS's default-format examples (the same page).
const V2_ACCEPT =
  '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
const V2_NODATA =
  '2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA';
/**
 * The lead's regression line (V2_ACCEPT with srcport 65536, protocol 256,
 * packets 99): ports are 16-bit, 0 to 65535 (RFC 9293 section 3.1,
 * https://www.rfc-editor.org/rfc/rfc9293#section-3.1; RFC 768,
 * https://www.rfc-editor.org/rfc/rfc768), protocol numbers 8-bit, 0 to 255
 * (https://www.iana.org/assignments/protocol-numbers/protocol-numbers.xhtml).
 */
const V2_OUT_OF_RANGE =
  '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 65536 22 256 99 4249 1418530010 1418530070 ACCEPT OK';
/** srcport, dstport, protocol and tcp-flags, in that order. */
const RANGE_FORMAT = '${srcport} ${dstport} ${protocol} ${tcp-flags}';

const b64 = (text: string) => Buffer.from(text).toString('base64');

function audit(formatText: string, lines: string[]): ValueAudit {
  const format = parseFormat(formatText);
  const plan = planScan(format);
  const line = new FlowLogLine(format);
  const result = new ValueAudit(format);
  result.reset();
  for (const text of lines) {
    const bytes = Buffer.from(text);
    expect(scanLine(bytes, 0, bytes.length, plan, line)).toBeUndefined();
    result.check(line);
  }
  return result;
}

/** The checks that counted a line: field to [lines, sample]. */
function byField(result: ValueAudit) {
  return Object.fromEntries(
    result.fields
      .map((f, i) => [f, [result.counts[i], result.samples[i]]] as const)
      .filter(([, [lines]]) => lines !== 0)
  );
}

describe('ValueAudit', () => {
  it('finds nothing unexpected in the documented example records', () => {
    // Act
    const v5 = audit(V5_FORMAT, [V5_INGRESS, V5_EGRESS]);
    const v2 = audit(VPC_DEFAULT_FORMAT, [V2_ACCEPT, V2_NODATA]);
    // Assess
    expect(v5.fields).toEqual([
      'type',
      'sublocation-type',
      'action',
      'traffic-path',
      'flow-direction',
      'log-status',
      'srcport',
      'dstport',
      'protocol',
      'tcp-flags',
      'srcaddr',
      'dstaddr',
      'pkt-srcaddr',
      'pkt-dstaddr',
    ]);
    expect(v5.dirty).toBe(false);
    expect([...v5.counts]).toEqual(Array(14).fill(0));
    expect(v2.dirty).toBe(false);
  });

  it('counts log-status and flow-direction values when their order is swapped', () => {
    // Act
    const result = audit(V5_SWAPPED, [V5_INGRESS, V5_EGRESS]);
    // Assess: ingress/egress are flow-direction values, OK a log-status one
    expect(result.dirty).toBe(true);
    expect(byField(result)).toEqual({
      'log-status': [2, 'ingress'],
      'flow-direction': [2, 'OK'],
    });
  });

  it('compares case-sensitively, as AWS writes the values', () => {
    const result = audit(VPC_DEFAULT_FORMAT, [
      V2_ACCEPT.replace('ACCEPT OK', 'accept ok'),
    ]);
    expect(byField(result)).toEqual({
      action: [1, 'accept'],
      'log-status': [1, 'ok'],
    });
  });

  it('tells values of the same length, first and last byte apart', () => {
    // NXDATA shares NODATA's length, first and last byte
    const result = audit(VPC_DEFAULT_FORMAT, [
      V2_NODATA.replace('NODATA', 'NXDATA'),
    ]);
    expect(byField(result)).toEqual({ 'log-status': [1, 'NXDATA'] });
  });

  it('counts a port above 65535 and a protocol above 255, keeping the digits as the sample', () => {
    // Act
    const result = audit(VPC_DEFAULT_FORMAT, [V2_OUT_OF_RANGE]);
    // Assess
    expect(result.fields).toEqual([
      'action',
      'log-status',
      'srcport',
      'dstport',
      'protocol',
      'srcaddr',
      'dstaddr',
    ]);
    expect(byField(result)).toEqual({
      srcport: [1, '65536'],
      protocol: [1, '256'],
    });
  });

  it.each([
    // Each range's bounds (RFC 9293 section 3.1: 16-bit ports and 8 control
    // bits, of which AWS's tcp-flags is the bitwise OR,
    // https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html;
    // IANA: 8-bit protocol numbers), with leading zeros the scanner drops.
    ['0 0 0 0', {}],
    ['65535 65535 255 255', {}],
    ['065535 0065535 0255 00255', {}],
    ['9999 1 1 1', {}],
    ['- - - -', {}],
    ['65536 0 0 0', { srcport: [1, '65536'] }],
    ['0 065536 0 0', { dstport: [1, '65536'] }],
    ['99999 100000 0 0', { srcport: [1, '99999'], dstport: [1, '100000'] }],
    ['0 0 256 0', { protocol: [1, '256'] }],
    ['0 0 1000 0', { protocol: [1, '1000'] }],
    ['0 0 0 256', { 'tcp-flags': [1, '256'] }],
    ['0 18446744073709551615 0 0', { dstport: [1, '18446744073709551615'] }],
  ])('checks %s against the documented ranges', (line, expected) => {
    expect(byField(audit(RANGE_FORMAT, [line]))).toEqual(expected);
  });

  it('counts every line of a record above its range, sampling the first', () => {
    const result = audit(RANGE_FORMAT, [
      '0 70000 0 0',
      '1 2 3 4',
      '0 65536 0 0',
    ]);
    expect(byField(result)).toEqual({ dstport: [2, '70000'] });
  });

  it('clears the counts of the previous record on reset', () => {
    const result = audit(VPC_DEFAULT_FORMAT, [V2_ACCEPT.replace('OK', 'BAD')]);
    result.reset();
    expect(result.dirty).toBe(false);
    expect([...result.counts]).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(result.samples).toEqual(Array(7).fill(undefined));
  });

  it('counts the fields of a line that failed on its field count', () => {
    const result = new ValueAudit(parseFormat(VPC_DEFAULT_FORMAT));
    const bytes = Buffer.from(` ${V5_EGRESS}  `);
    result.failed(bytes, 0, bytes.length);
    expect(result.failedFieldCount).toBe(29);
    result.reset();
    expect(result.failedFieldCount).toBe(0);
    expect(countFields(Buffer.from('a\tb  c'), 0, 6)).toBe(3);
  });

  it('adds the record to the batch totals, keeping the first sample', () => {
    const totals = { unexpectedValues: {}, malformedFieldCounts: {} };
    const first = audit(VPC_DEFAULT_FORMAT, [V2_ACCEPT.replace('OK', 'FINE')]);
    addAudit(totals, first, 'r1');
    const second = audit(VPC_DEFAULT_FORMAT, [V2_ACCEPT.replace('OK', 'GOOD')]);
    addAudit(totals, second, 'r2');
    expect(totals).toEqual({
      unexpectedValues: {
        'log-status': { lines: 2, sample: 'FINE', recordId: 'r1' },
      },
      malformedFieldCounts: {},
    });
  });
});

describe('transformBatch value audit', () => {
  it('counts unexpected values per field without failing the lines', () => {
    // Prepare: 3 records of AWS's v5 examples read with a swapped format
    const transformer = jsonTransformer(V5_SWAPPED);
    const text = `${V5_INGRESS}\n${V5_EGRESS}\n`;
    const input = firehoseEvent([b64(text), b64(text), b64(V5_EGRESS)]);
    // Act
    const { response, counters } = transformBatch(input, transformer);
    // Assess
    expect(response.records.map((r) => r.result)).toEqual(['Ok', 'Ok', 'Ok']);
    expect(counters.unexpectedValues).toEqual({
      'flow-direction': { lines: 5, sample: 'OK', recordId: 'id-0' },
      'log-status': { lines: 5, sample: 'ingress', recordId: 'id-0' },
    });
  });

  it('keeps a line with srcport 65536 and protocol 256 Ok, exact, and counts both', () => {
    // Prepare
    const transformer = jsonTransformer(VPC_DEFAULT_FORMAT);
    const input = firehoseEvent([b64(V2_OUT_OF_RANGE)]);
    // Act
    const { response, counters } = transformBatch(input, transformer);
    // Assess
    expect(response.records.map((r) => r.result)).toEqual(['Ok']);
    const data = Buffer.from(response.records[0]!.data!, 'base64').toString();
    expect(JSON.parse(data)).toMatchObject({ srcport: 65536, protocol: 256 });
    expect(data).toContain('"srcport":65536,"dstport":22,"protocol":256,');
    expect(counters.unexpectedValues).toEqual({
      srcport: { lines: 1, sample: '65536', recordId: 'id-0' },
      protocol: { lines: 1, sample: '256', recordId: 'id-0' },
    });
  });

  it('records the field count of lines that fail to scan', () => {
    // Prepare: v5 lines (29 fields) read with the VPC default format (14):
    // field 9, packets, holds 'IPv4', but the count is the mistake
    // (docs/configuration.md: too_many_fields)
    const transformer = jsonTransformer(VPC_DEFAULT_FORMAT);
    const input = firehoseEvent([b64(V5_INGRESS), b64(`${V5_EGRESS}\n`)]);
    // Act
    const { counters } = transformBatch(input, transformer);
    // Assess
    expect(counters.malformed).toEqual({ too_many_fields: 2 });
    expect(counters.malformedFieldCounts).toEqual({ '29': 2 });
  });

  it('records the field count of lines with too few fields', () => {
    const transformer = jsonTransformer(V5_FORMAT);
    const input = firehoseEvent([b64(V5_EGRESS.replace(/ OK$/, ''))]);
    const { counters } = transformBatch(input, transformer);
    expect(counters.malformed).toEqual({ too_few_fields: 1 });
    expect(counters.malformedFieldCounts).toEqual({ '28': 1 });
  });
});

describe('ValueAudit addresses', () => {
  // AWS's IPv6 example of the same page (default format).
  const V2_IPV6 =
    '2 123456789010 eni-1235b8ca123456789 2001:db8:1234:a100:8d6e:3477:df66:f105 2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 6 54 8855 1477913708 1477913820 ACCEPT OK';
  const ADDRESS_FORMAT = '${srcaddr} ${dstaddr} ${pkt-srcaddr} ${pkt-dstaddr}';

  it('finds nothing unexpected in the documented IPv4, IPv6 and NODATA lines', () => {
    const result = audit(VPC_DEFAULT_FORMAT, [V2_ACCEPT, V2_IPV6, V2_NODATA]);
    expect(result.dirty).toBe(false);
    expect(audit(V5_FORMAT, [V5_INGRESS, V5_EGRESS]).dirty).toBe(false);
  });

  it.each([
    // Not dotted decimal (RFC 791: four 8-bit octets), a prefix length is
    // no address (RFC 4632 section 3.1), a leading zero reads as octal to
    // inet_aton(3) (RFC 6943 section 3.1.1), not RFC 4291 section 2.2 text.
    ['999.1.1.1'],
    ['not-an-ip'],
    ['1.2.3.4/8'],
    ['010.0.0.1'],
    ['1::2::3'],
  ])('counts %s in each of the four address fields', (value) => {
    const result = audit(ADDRESS_FORMAT, [
      `${value} 10.0.0.1 ${value} ::1`,
      `10.0.0.1 ${value} - ${value}`,
    ]);
    expect(result.fields).toEqual([
      'srcaddr',
      'dstaddr',
      'pkt-srcaddr',
      'pkt-dstaddr',
    ]);
    expect([...result.counts]).toEqual([1, 1, 1, 1]);
    expect(result.samples).toEqual([value, value, value, value]);
  });

  it('counts no absent (-) address', () => {
    expect(audit(ADDRESS_FORMAT, ['- - - -']).dirty).toBe(false);
  });
});
