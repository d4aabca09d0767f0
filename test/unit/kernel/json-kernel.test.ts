import { describe, expect, it } from 'vitest';
import { RecordTransformer } from '../../../shared/firehose/record-transformer.ts';
import {
  FIELD_CATALOGUE,
  VPC_DEFAULT_FORMAT,
} from '../../../shared/flowlog/fields.ts';
import { parseFormat } from '../../../shared/flowlog/format.ts';
import { kernelFor } from '../../../shared/kernel/hook.ts';
import {
  JsonKernel,
  KERNEL_RESULT,
} from '../../../shared/kernel/json-kernel.ts';
import { ByteWriter } from '../../../shared/output/byte-writer.ts';
import { JsonSerializer } from '../../../shared/output/json.ts';

// Examples from https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-records-examples.html
const ACCEPT =
  '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
const NODATA =
  '2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA';
// Expected values read off the documented fields (absent `-` omitted).
const ACCEPT_JSON =
  '{"version":2,"account_id":"123456789010","interface_id":"eni-1235b8ca123456789","srcaddr":"172.31.16.139","dstaddr":"172.31.16.21","srcport":20641,"dstport":22,"protocol":6,"packets":20,"bytes":4249,"start":1418530010,"end":1418530070,"action":"ACCEPT","log_status":"OK"}';
const NODATA_JSON =
  '{"version":2,"account_id":"123456789010","interface_id":"eni-1235b8ca123456789","start":1431280876,"end":1431280934,"log_status":"NODATA"}';

const format = parseFormat(VPC_DEFAULT_FORMAT);
const kernel = JsonKernel.create(format)!;

function run(text: string): { result: number; text: string } {
  const writer = new ByteWriter(16);
  const result = kernel.transform(Buffer.from(text, 'latin1'), writer);
  return { result, text: writer.toBuffer().toString('latin1') };
}

describe('JsonKernel', () => {
  it('writes the documented lines itself, exactly', () => {
    // Act
    const { result, text } = run(`${ACCEPT}\r\n\n  ${NODATA}\n`);
    // Assess
    expect(result).toBeGreaterThan(0);
    expect(text).toBe(`${ACCEPT_JSON}\n${NODATA_JSON}\n`);
    expect(kernel.lines).toBe(2);
  });

  it('writes {"message":"…"} wrapped lines as their message, exactly', () => {
    // Prepare: one line per record wrapped in JSON, as in the public sample
    // event of splunk/splunk-aws-firehose-flowlogs-processor (see
    // docs/kernel.md); blanks around the closing brace, a blank message.
    const text = `{"message":"${ACCEPT}"}\r\n{"message":"  ${NODATA} "} \t\n{"message":""}\n${ACCEPT}`;
    // Act
    const { result, text: json } = run(text);
    // Assess
    expect(result).toBeGreaterThan(0);
    expect(json).toBe(`${ACCEPT_JSON}\n${NODATA_JSON}\n${ACCEPT_JSON}\n`);
    expect(kernel.lines).toBe(3);
  });

  it('keeps all 20 digits of 2^64 - 1 and refuses 2^64', () => {
    const max = ACCEPT.replace(' 4249 ', ' 18446744073709551615 ');
    expect(run(max).text).toContain('"bytes":18446744073709551615,');
    const over = ACCEPT.replace(' 4249 ', ' 18446744073709551616 ');
    expect(run(over).result).toBe(KERNEL_RESULT.INTEGER_OVERFLOW);
  });

  it.each([
    [
      'a malformed line in a wrapper that is not exact',
      `{"message":"${ACCEPT} OK"} x`,
    ],
    ['a backslash', ACCEPT.replace('ACCEPT', 'AC\\CEPT')],
    ['a control byte', ACCEPT.replace('ACCEPT', 'AC\u0001CEPT')],
    ['a byte past ASCII', ACCEPT.replace('ACCEPT', 'AC\u00e9CEPT')],
    [
      'a {"message":…} wrapper with a JSON escape',
      JSON.stringify({ message: ACCEPT.replace(' ', '\t') }),
    ],
    ['a wrapper with another key', `{"message":"${ACCEPT}","x":1}`],
    ['a wrapper with the key second', `{"x":1,"message":"${ACCEPT}"}`],
    ['a wrapper with blanks in its prefix', `{ "message":"${ACCEPT}"}`],
    ['a truncated wrapper', `{"message":"${ACCEPT}`],
    ['a wrapper with text after it', `{"message":"${ACCEPT}"} x`],
    ['a wrapper with a raw tab', `{"message":"${ACCEPT.replace(' ', '\t')}"}`],
    ['a quote in a bare line', ACCEPT.replace('ACCEPT', 'AC"CEPT')],
    ['a brace in a bare line', ACCEPT.replace('ACCEPT', 'AC{CEPT')],
    ['a CloudWatch Logs envelope', '{"messageType":"DATA_MESSAGE"}'],
    ['a header line', `${format.fields.map((f) => f.name).join(' ')}\n`],
    ['a CR not before LF', `${ACCEPT}\r`],
    ['gzip', '\u001f\u008b\u0008'],
  ])('leaves a record with %s to the TypeScript path', (_, text) => {
    expect(run(text).result).toBe(KERNEL_RESULT.UNSUPPORTED);
  });

  it('leaves a line with an undocumented closed-set value to the value audit', () => {
    // action is ACCEPT or REJECT (https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html)
    const odd = ACCEPT.replace('ACCEPT', 'ALLOW');
    expect(run(odd).result).toBe(KERNEL_RESULT.UNSUPPORTED);
  });

  it.each([
    // Ports are 16-bit, 0 to 65535 (RFC 9293 section 3.1, RFC 768); protocol
    // numbers 8-bit, 0 to 255 (IANA Assigned Internet Protocol Numbers)
    ['srcport 65536', ACCEPT.replace(' 20641 ', ' 65536 ')],
    ['srcport 065536', ACCEPT.replace(' 20641 ', ' 065536 ')],
    ['dstport 100000', ACCEPT.replace(' 22 ', ' 100000 ')],
    ['protocol 256', ACCEPT.replace(' 22 6 ', ' 22 256 ')],
    [
      'a wrapped protocol 256',
      `{"message":"${ACCEPT.replace(' 22 6 ', ' 22 256 ')}"}`,
    ],
  ])(
    'leaves a line with %s (above its range) to the value audit',
    (_, text) => {
      expect(run(`${ACCEPT}\n${text}`).result).toBe(KERNEL_RESULT.UNSUPPORTED);
    }
  );

  it('writes the largest documented port, protocol and tcp-flags itself', () => {
    // Prepare: tcp-flags is a bitwise OR of TCP's 8 control bits
    // (https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html)
    const ranges = JsonKernel.create(
      parseFormat('${srcport} ${dstport} ${protocol} ${tcp-flags}')
    )!;
    const writer = new ByteWriter(16);
    // Act
    const result = ranges.transform(
      Buffer.from('65535 065535 255 255\n0 9999 0 0255\n'),
      writer
    );
    const over = ranges.transform(Buffer.from('0 0 0 256'), writer);
    // Assess
    expect(result).toBeGreaterThan(0);
    expect(writer.toBuffer().toString()).toBe(
      '{"srcport":65535,"dstport":65535,"protocol":255,"tcp_flags":255}\n' +
        '{"srcport":0,"dstport":9999,"protocol":0,"tcp_flags":255}\n'
    );
    expect(over).toBe(KERNEL_RESULT.UNSUPPORTED);
  });

  const wrap = (line: string) => `{"message":"${line}"}`;
  it.each([
    ['too_few_fields', ACCEPT.slice(0, ACCEPT.lastIndexOf(' '))],
    ['too_many_fields', `${ACCEPT} OK`],
    ['bad_integer', ACCEPT.replace(' 20641 ', ' 20641x ')],
    ['integer_overflow', ACCEPT.replace(' 22 ', ' 123456789012345678901 ')],
    ['too_few_fields', wrap(ACCEPT.slice(0, ACCEPT.lastIndexOf(' ')))],
    ['too_many_fields', wrap(`${ACCEPT} OK`)],
    ['bad_integer', wrap(ACCEPT.replace(' 20641 ', ' 20641x '))],
    [
      'integer_overflow',
      wrap(ACCEPT.replace(' 22 ', ' 1234567890123456789012 ')),
    ],
    // A count other than the format's wins over a field value that fails
    // first (docs/configuration.md): 15 fields, srcport holds an address.
    ['too_many_fields', ACCEPT.replace(' 172.31.16.21 ', ' 172.31.16.21 x ')],
    [
      'too_many_fields',
      wrap(ACCEPT.replace(' 172.31.16.21 ', ' 172.31.16.21 x ')),
    ],
    // 12 fields: `ACCEPT` lands on the integer field `start`.
    ['too_few_fields', ACCEPT.replace(' 20 4249', '')],
    ['too_few_fields', wrap(ACCEPT.replace(' 20 4249', ''))],
    ['too_many_fields', `${ACCEPT.replace(' 22 ', ' 22x ')} OK`],
  ])('finds %s as the TypeScript path does (%s)', (reason, text) => {
    // Prepare
    const reference = new RecordTransformer(
      {
        format,
        filter: undefined,
        enrichers: [],
        serializer: new JsonSerializer(format),
        jsonKernel: false,
      },
      { maxDecompressedBytes: 1 << 20 }
    );
    // Act
    const { result } = run(`${ACCEPT}\n${text}\n`);
    const expected = reference.transform(Buffer.from(`${ACCEPT}\n${text}\n`));
    // Assess
    expect(expected.reason).toBe(reason);
    expect(result).toBe(
      {
        too_few_fields: KERNEL_RESULT.TOO_FEW_FIELDS,
        too_many_fields: KERNEL_RESULT.TOO_MANY_FIELDS,
        bad_integer: KERNEL_RESULT.BAD_INTEGER,
        integer_overflow: KERNEL_RESULT.INTEGER_OVERFLOW,
      }[reason]
    );
  });

  it('writes documented IPv6 lines itself and leaves text that is no address to the TypeScript path', () => {
    // AWS's IPv6 example (flow-logs-records-examples.html).
    const ipv6 =
      '2 123456789010 eni-1235b8ca123456789 2001:db8:1234:a100:8d6e:3477:df66:f105 2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 6 54 8855 1477913708 1477913820 ACCEPT OK';
    expect(run(ipv6).result).toBeGreaterThan(0);
    expect(
      run(ipv6.replace(' 2001:db8:1234:a100:', ' ::ffff:1.2.3.4:')).result
    ).toBe(KERNEL_RESULT.UNSUPPORTED);
    for (const value of ['999.1.1.1', 'not-an-ip', '1.2.3.4/8', '010.0.0.1']) {
      expect(run(ACCEPT.replace(' 172.31.16.21 ', ` ${value} `)).result).toBe(
        KERNEL_RESULT.UNSUPPORTED
      );
    }
  });

  it('leaves blank records to the TypeScript path (Dropped)', () => {
    expect(run(' \n\t\r\n').result).toBe(KERNEL_RESULT.NO_LINES);
  });

  it('grows its memory for a record of many lines', () => {
    const lines = `${ACCEPT}\n`.repeat(20_000);
    const { result, text } = run(lines);
    expect(result).toBe(text.length);
    expect(text).toBe(`${ACCEPT_JSON}\n`.repeat(20_000));
  });

  it('takes formats of the whole catalogue', () => {
    const all = parseFormat(
      FIELD_CATALOGUE.map((f) => `\${${f.name}}`).join(' ')
    );
    expect(JsonKernel.create(all)).toBeInstanceOf(JsonKernel);
  });
});

describe('kernelFor', () => {
  const base = {
    format,
    filter: undefined,
    enrichers: [],
    serializer: new JsonSerializer(format),
    jsonKernel: true,
  };

  it('gives a kernel to plain JSON output, by default', () => {
    expect(kernelFor(base)).toBeInstanceOf(JsonKernel);
    expect(kernelFor({ ...base, jsonKernel: undefined })).toBeInstanceOf(
      JsonKernel
    );
  });

  it.each([
    ['jsonKernel false', { jsonKernel: false }],
    ['a filter', { filter: () => true }],
    ['an enricher', { enrichers: [{}] }],
    ['a partitioner', { partitioner: {} }],
    ['another serializer', { serializer: { name: 'json', write() {} } }],
  ])('gives none with %s', (_, change) => {
    expect(kernelFor({ ...base, ...change })).toBeUndefined();
  });

  it('answers through the record transformer as the TypeScript path', () => {
    // Prepare
    const make = (jsonKernel: boolean) =>
      new RecordTransformer(
        { ...base, jsonKernel },
        { maxDecompressedBytes: 1 << 20 }
      );
    const bytes = Buffer.from(`${ACCEPT}\n${NODATA}\n`);
    const plain = make(false);
    const fast = make(true);
    // Act
    const results = [plain.transform(bytes), fast.transform(bytes)];
    // Assess
    expect(results.map((r) => r.status)).toEqual(['Ok', 'Ok']);
    expect(fast.output.toBuffer()).toEqual(plain.output.toBuffer());
    expect([results[1]!.lines, results[1]!.kept]).toEqual([
      results[0]!.lines,
      results[0]!.kept,
    ]);
  });
});
