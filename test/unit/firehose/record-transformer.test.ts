import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { RecordTransformer } from '../../../shared/firehose/record-transformer.ts';
import { MALFORMED } from '../../../shared/flowlog/errors.ts';
import { VPC_DEFAULT_FORMAT } from '../../../shared/flowlog/fields.ts';
import { parseFormat } from '../../../shared/flowlog/format.ts';
import { JsonSerializer } from '../../../shared/output/json.ts';
import { jsonTransformer, transformText } from '../../helpers/pipeline.ts';

const ACCEPT =
  '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
const REJECT =
  '2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK';
const ACCEPT_JSON =
  '{"version":2,"account_id":"123456789010","interface_id":"eni-1235b8ca123456789","srcaddr":"172.31.16.139","dstaddr":"172.31.16.21","srcport":20641,"dstport":22,"protocol":6,"packets":20,"bytes":4249,"start":1418530010,"end":1418530070,"action":"ACCEPT","log_status":"OK"}';
const HEADER =
  'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';

const transformer = jsonTransformer(VPC_DEFAULT_FORMAT, 64 * 1024);
const run = (input: string | Buffer) => transformText(transformer, input);
const wrap = (line: string) => JSON.stringify({ message: line });

function cloudWatch(body: unknown): Buffer {
  return gzipSync(Buffer.from(JSON.stringify(body)));
}

describe('bare lines', () => {
  it('writes the exact JSON for a documented line, ending in a newline', () => {
    // Act
    const { status } = transformer.transform(Buffer.from(ACCEPT));
    // Assess
    expect(status).toBe('Ok');
    expect(transformer.output.toBuffer().toString()).toBe(`${ACCEPT_JSON}\n`);
  });

  it.each([
    ['LF', `${ACCEPT}\n${REJECT}\n`],
    ['CRLF', `${ACCEPT}\r\n${REJECT}\r\n`],
    ['no final newline', `${ACCEPT}\n${REJECT}`],
    ['blank lines between', `\n${ACCEPT}\n  \n\n${REJECT}\n\n`],
  ])('reads several lines per record with %s', (_, input) => {
    const result = run(input);
    expect(result.status).toBe('Ok');
    expect(result.lines.map((l) => JSON.parse(l).action)).toEqual([
      'ACCEPT',
      'REJECT',
    ]);
  });

  it('skips the header line of S3 flow-log files', () => {
    const result = run(`${HEADER}\n${ACCEPT}\n`);
    expect(result.status).toBe('Ok');
    expect(result.lines).toEqual([ACCEPT_JSON]);
    expect(
      transformer.transform(Buffer.from(`${HEADER}\n${ACCEPT}\n`)).lines
    ).toBe(1);
  });
});

describe('the direct-delivery JSON wrapper', () => {
  it('unwraps {"message":…} with or without a trailing newline', () => {
    expect(run(wrap(ACCEPT)).lines).toEqual([ACCEPT_JSON]);
    expect(run(`${wrap(ACCEPT)}\n`).lines).toEqual([ACCEPT_JSON]);
  });

  it('unwraps several wrapped lines and mixes with bare ones', () => {
    const result = run(`${wrap(ACCEPT)}\n${REJECT}\n${wrap(ACCEPT)}`);
    expect(result.lines).toHaveLength(3);
  });

  it('unwraps a wrapper with spaces, other keys or escapes', () => {
    const spaced = `{ "message" : ${JSON.stringify(ACCEPT)} , "x": 1 }`;
    expect(run(spaced).lines).toEqual([ACCEPT_JSON]);
    const escaped = `{"message":"${ACCEPT.replace('eni', '\\u0065ni')}"}`;
    expect(run(escaped).lines).toEqual([ACCEPT_JSON]);
  });

  it('drops a wrapper whose message is empty or blank', () => {
    expect(run('{"message":""}').status).toBe('Dropped');
    expect(run('{"message":"  \\t "}\n').status).toBe('Dropped');
  });

  it('refuses a raw tab in a message, as JSON does (RFC 8259 §7)', () => {
    const raw = run('{"message":"  \t "}\n');
    expect(raw.status).toBe('ProcessingFailed');
    expect(raw.reason).toBe('bad_json_wrapper');
  });

  it('decodes an escaped separator the fast path cannot see', () => {
    // \u0020 is a space once decoded: 14 fields, not 13.
    const escaped = `{"message":"${ACCEPT.replace(' OK', '\\u0020OK')}"}`;
    expect(run(escaped).lines).toEqual([ACCEPT_JSON]);
  });

  it('treats a header line inside the wrapper as the header', () => {
    expect(run(`${wrap(HEADER)}\n${wrap(ACCEPT)}`).lines).toEqual([
      ACCEPT_JSON,
    ]);
  });

  it('escapes quotes and controls from an escaped message value', () => {
    const line = ACCEPT.replace('ACCEPT', 'AC"C\\E\u0002PT').replace(
      ' OK',
      ' O\u0001K'
    );
    const result = run(wrap(line));
    expect(result.status).toBe('Ok');
    expect(result.lines[0]).toContain('"log_status":"O\\u0001K"');
    expect(JSON.parse(result.lines[0]!).log_status).toBe('O\u0001K');
  });

  it.each([
    ['invalid JSON', '{"message":'],
    ['no message key', '{"msg":"2 1"}'],
    ['a non-string message', '{"message":42}'],
    ['an empty object', '{}'],
  ])('fails a record whose wrapper is %s', (_, input) => {
    const result = run(input);
    expect(result.status).toBe('ProcessingFailed');
    expect(result.reason).toBe(MALFORMED.BAD_JSON_WRAPPER);
  });

  it('refuses a wrapper whose bytes are not UTF-8 rather than replacing them', () => {
    const bytes = Buffer.concat([
      Buffer.from('{"message" :"2 1 '),
      Buffer.from([0xff]),
      Buffer.from('"}'),
    ]);
    expect(run(bytes).reason).toBe(MALFORMED.INVALID_UTF8);
  });
});

describe('CloudWatch Logs subscription envelopes', () => {
  it('reads every logEvents message of a DATA_MESSAGE', () => {
    const data = cloudWatch({
      messageType: 'DATA_MESSAGE',
      owner: '123456789010',
      logGroup: 'flow-logs',
      logStream: 'eni-1',
      subscriptionFilters: ['f'],
      logEvents: [
        { id: '1', timestamp: 1, message: ACCEPT },
        { id: '2', timestamp: 2, message: REJECT },
      ],
    });
    const result = run(data);
    expect(result.status).toBe('Ok');
    expect(result.lines).toHaveLength(2);
  });

  it('drops a CONTROL_MESSAGE', () => {
    const data = cloudWatch({
      messageType: 'CONTROL_MESSAGE',
      logEvents: [{ id: '', timestamp: 1, message: 'CWL CONTROL MESSAGE' }],
    });
    expect(run(data).status).toBe('Dropped');
  });

  it('reads concatenated envelopes in one record', () => {
    const one = JSON.stringify({
      messageType: 'DATA_MESSAGE',
      logEvents: [{ message: ACCEPT }],
    });
    expect(run(gzipSync(Buffer.from(one + one))).lines).toHaveLength(2);
  });

  it('reads gzip-compressed plain lines', () => {
    expect(run(gzipSync(Buffer.from(`${ACCEPT}\n`))).lines).toEqual([
      ACCEPT_JSON,
    ]);
  });

  it('fails a record that decompresses past the cap', () => {
    const big = gzipSync(Buffer.alloc(200 * 1024, 0x20));
    expect(run(big).reason).toBe(MALFORMED.DECOMPRESSED_TOO_LARGE);
  });

  it.each([
    ['truncated gzip', gzipSync(Buffer.from(ACCEPT)).subarray(0, 12)],
    ['an unknown messageType', cloudWatch({ messageType: 'X', logEvents: [] })],
    [
      'a non-string message',
      cloudWatch({ messageType: 'DATA_MESSAGE', logEvents: [{ message: 1 }] }),
    ],
    ['JSON that is not an envelope list', gzipSync(Buffer.from('{"a":'))],
  ])('fails %s as a bad envelope', (_, data) => {
    expect(run(data).reason).toBe(MALFORMED.BAD_CLOUDWATCH_ENVELOPE);
  });
});

describe('record results', () => {
  it('drops a record with no flow-log lines', () => {
    expect(run('').status).toBe('Dropped');
    expect(run('\r\n \n').status).toBe('Dropped');
  });

  it('fails the whole record when any line is malformed', () => {
    const result = run(`${ACCEPT}\n2 123 eni\n${REJECT}`);
    expect(result.status).toBe('ProcessingFailed');
    expect(result.reason).toBe(MALFORMED.TOO_FEW_FIELDS);
    expect(
      transformer.transform(Buffer.from(`${ACCEPT}\n2 123 eni\n${REJECT}`))
        .excerpt
    ).toBe('2 123 eni');
  });
});

describe('output cap', () => {
  it('fails a record as soon as its output passes maxOutputBytes', () => {
    // Prepare: one output line is 272 bytes (ACCEPT_JSON plus a newline).
    const capped = new RecordTransformer(
      {
        format: parseFormat(VPC_DEFAULT_FORMAT),
        filter: undefined,
        enrichers: [],
        serializer: new JsonSerializer(parseFormat(VPC_DEFAULT_FORMAT)),
      },
      { maxDecompressedBytes: 1 << 20, maxOutputBytes: 600 }
    );
    // Act
    const two = transformText(capped, `${ACCEPT}\n${ACCEPT}`);
    const three = transformText(capped, `${ACCEPT}\n${ACCEPT}\n${ACCEPT}`);
    // Assess
    expect(ACCEPT_JSON.length + 1).toBe(272);
    expect(two.status).toBe('Ok');
    expect(three.status).toBe('ProcessingFailed');
    expect(three.reason).toBe(MALFORMED.OUTPUT_TOO_LARGE);
  });
});

describe('chunked input', () => {
  it('gives the same output for a record cut at every byte offset', () => {
    // Prepare
    const whole = Buffer.from(
      `${wrap(ACCEPT)}\r\n${REJECT}\n${wrap(REJECT)}\n\n${ACCEPT}`
    );
    const expected = run(whole).lines.join('\n');
    // Act / Assess
    for (let cut = 0; cut <= whole.length; cut++) {
      transformer.begin();
      transformer.write(whole.subarray(0, cut));
      transformer.write(whole.subarray(cut));
      expect(transformer.finish().status).toBe('Ok');
      expect(transformer.output.toBuffer().toString().trimEnd()).toBe(expected);
    }
  });

  it('joins a line spread over many small chunks', () => {
    transformer.begin();
    for (const byte of Buffer.from(`${ACCEPT}\n${ACCEPT}`)) {
      transformer.write(Buffer.from([byte]));
    }
    const result = transformer.finish();
    expect(result.status).toBe('Ok');
    expect(result.kept).toBe(2);
  });
});

describe('S3 header lines (issue #11.1)', () => {
  // AWS's NAT gateway example format and record
  // (https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-records-examples.html);
  // S3 log files start with a header line of the format's field names
  // (https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3.html).
  const NAT_FORMAT =
    '${instance-id} ${interface-id} ${srcaddr} ${dstaddr} ${pkt-srcaddr} ${pkt-dstaddr}';
  const NAT_HEADER =
    'instance-id interface-id srcaddr dstaddr pkt-srcaddr pkt-dstaddr';
  const NAT_LINE =
    '- eni-0123456789abcdef0 10.0.1.5 10.0.0.220 10.0.1.5 203.0.113.5';
  const nat = jsonTransformer(NAT_FORMAT);

  it('skips the header line of a format whose fields are all strings', () => {
    const result = transformText(nat, `${NAT_HEADER}\n${NAT_LINE}\n`);
    expect(result.status).toBe('Ok');
    expect(result.lines.map((line) => JSON.parse(line))).toEqual([
      {
        interface_id: 'eni-0123456789abcdef0',
        srcaddr: '10.0.1.5',
        dstaddr: '10.0.0.220',
        pkt_srcaddr: '10.0.1.5',
        pkt_dstaddr: '203.0.113.5',
      },
    ]);
  });

  it('drops a header-only record, with or without a line end or trailing blanks', () => {
    for (const text of [NAT_HEADER, `${NAT_HEADER}\n`, `${NAT_HEADER}  \r\n`]) {
      expect(transformText(nat, text).status).toBe('Dropped');
    }
    expect(run(HEADER).status).toBe('Dropped');
  });

  it('skips a header line anywhere in the record, as concatenated files have', () => {
    const result = transformText(
      nat,
      `${NAT_LINE}\n${NAT_HEADER}\n${NAT_LINE}`
    );
    expect(result.lines).toHaveLength(2);
  });
});

describe('one wrapper, one answer (issue #9.7)', () => {
  // A JSON string cannot hold a raw control byte (RFC 8259 §7), so neither
  // wrapper below is JSON: both are refused, with or without an escape.
  const raw = `{"message":"${ACCEPT.replace('eni-', 'eni-\u0001')}"}`;
  const rawAndEscape = `{"message":"${ACCEPT.replace('eni-', 'eni-\u0001').replace(' OK', '\\u0020OK')}"}`;

  it.each([
    ['a raw control byte', raw],
    ['a raw control byte and an escape', rawAndEscape],
    ['a raw tab as separator', `{"message":"${ACCEPT.replace(' ', '\t')}"}`],
  ])('refuses a wrapper holding %s as bad_json_wrapper', (_name, text) => {
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    const result = run(text);
    expect(result.status).toBe('ProcessingFailed');
    expect(result.reason).toBe('bad_json_wrapper');
  });
});
