// The one framing walker: every record shape (bare, wrapped, gzip and
// decompressed CloudWatch Logs envelopes), cut at every byte, read the same by
// the transform and the ENI collector, without a throw.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { collectFieldValues } from '../../../shared/enrich/collect.ts';
import { transformBatch } from '../../../shared/firehose/batch.ts';
import { readEnvelopes } from '../../../shared/firehose/cloudwatch-envelope.ts';
import {
  FramingWalker,
  type LineSink,
  SINK,
  wrappedRange,
} from '../../../shared/firehose/framing.ts';
import { VPC_DEFAULT_FORMAT } from '../../../shared/flowlog/fields.ts';
import { parseFormat } from '../../../shared/flowlog/format.ts';
import { jsonTransformer, transformText } from '../../helpers/pipeline.ts';

// AWS's documented default-format example
// (https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-records-examples.html).
const ACCEPT =
  '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
const ACCEPT_JSON =
  '{"version":2,"account_id":"123456789010","interface_id":"eni-1235b8ca123456789","srcaddr":"172.31.16.139","dstaddr":"172.31.16.21","srcport":20641,"dstport":22,"protocol":6,"packets":20,"bytes":4249,"start":1418530010,"end":1418530070,"action":"ACCEPT","log_status":"OK"}';
const FORMAT = parseFormat(VPC_DEFAULT_FORMAT);
const transformer = jsonTransformer(VPC_DEFAULT_FORMAT, 1 << 20);
const run = (input: string | Buffer) => transformText(transformer, input);

/** A CloudWatch Logs subscription envelope, as documented in
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html */
function envelope(messages: string[], messageType = 'DATA_MESSAGE'): string {
  return JSON.stringify({
    messageType,
    owner: '123456789012',
    logGroup: 'flow-logs',
    logStream: 'eni-1235b8ca123456789-all',
    subscriptionFilters: ['to-firehose'],
    logEvents: messages.map((message, i) => ({
      id: `3195310660696698337880902507980421114328961542429822156${i}`,
      timestamp: 1432826855000,
      message,
    })),
  });
}

/** Answers one record through the batch, as the handler does. */
function answer(data: Buffer) {
  const event = {
    records: [
      {
        recordId: 'r0',
        approximateArrivalTimestamp: 0,
        data: data.toString('base64'),
      },
    ],
  };
  const outcome = transformBatch(event, transformer);
  return { record: outcome.response.records[0]!, outcome };
}

describe('short JSON-looking lines (issue #9.1)', () => {
  // JSON objects without a string "message" member are not the wrapper
  // (https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-firehose.html
  // writes {"message":"<line>"}); `{""}` is not even JSON (RFC 8259 §4).
  const lines = ['{"a":"b"}', '{""}', '{"msg":"x"}', '{"}', '{"message":"}'];
  const records = lines.flatMap((line) => [
    line,
    `${line}\n`,
    `${ACCEPT}\n${line}`,
    `${ACCEPT}\n${line}\n`,
  ]);

  it.each(records)(
    'answers %j ProcessingFailed bad_json_wrapper, never a throw',
    (text) => {
      const { record, outcome } = answer(Buffer.from(text));
      expect(record.result).toBe('ProcessingFailed');
      expect(outcome.samples[0]?.reason).toBe('bad_json_wrapper');
      expect(() =>
        collectFieldValues([Buffer.from(text)], FORMAT, 'interface-id')
      ).not.toThrow();
    }
  );

  it.each(lines)(
    'answers %j as the last message of a gzip envelope the same way',
    (line) => {
      const data = gzipSync(envelope([ACCEPT, line]));
      const { record, outcome } = answer(data);
      expect(record.result).toBe('ProcessingFailed');
      expect(outcome.samples[0]?.reason).toBe('bad_json_wrapper');
      expect([...collectFieldValues([data], FORMAT, 'interface-id')]).toEqual([
        'eni-1235b8ca123456789',
      ]);
    }
  );

  it('never throws for any sub-range of a short buffer', () => {
    const into = { bytes: Buffer.alloc(0), start: 0, end: 0 };
    for (const text of [...lines, '{"message":""}', '{"message":"x"}  ']) {
      const bytes = Buffer.from(text);
      for (let start = 0; start <= bytes.length; start++) {
        for (let end = start; end <= bytes.length + 2; end++) {
          expect(() => wrappedRange(bytes, start, end, into)).not.toThrow();
        }
      }
    }
  });
});

describe('every prefix of every framing', () => {
  const fixtures: Array<[string, Buffer]> = [
    ['bare', Buffer.from(`${ACCEPT}\r\n${ACCEPT}\n`)],
    [
      'wrapped',
      Buffer.from(
        `{"message":"${ACCEPT}"}\n{"message":"${ACCEPT.replace(' OK', '\\u0020OK')}"}`
      ),
    ],
    ['decompressed envelope', Buffer.from(envelope([ACCEPT, ACCEPT]))],
    ['gzip envelope', gzipSync(envelope([ACCEPT, `{"message":"${ACCEPT}"}`]))],
    ['gzip lines', gzipSync(`${ACCEPT}\n${ACCEPT}\n`)],
  ];

  it.each(fixtures)(
    '%s: answers every prefix without a throw, the same in the collector',
    (_name, whole) => {
      for (let cut = 0; cut <= whole.length; cut++) {
        const prefix = Buffer.from(whole.subarray(0, cut));
        const { status } = transformer.transform(prefix);
        expect(['Ok', 'Dropped', 'ProcessingFailed']).toContain(status);
        const ids = collectFieldValues([prefix], FORMAT, 'interface-id');
        if (status === 'Ok')
          expect(ids.has('eni-1235b8ca123456789')).toBe(true);
      }
    }
  );
});

describe('CloudWatch Logs envelopes', () => {
  it('reads concatenated envelopes and keeps `}{` inside a value unchanged', () => {
    // Prepare: two envelopes back to back, the second's message holds `}{`
    const walker = new FramingWalker({ maxDecompressedBytes: 1 << 20 });
    const seen: string[] = [];
    const sink: LineSink = {
      line: (bytes, start, end) =>
        seen.push(bytes.toString('utf8', start, end)) > 0,
      wrapped: () => SINK.DECODE,
    };
    const text = `${envelope(['a}{b'])} \n${envelope(['c} {d', 'e'])}`;
    // Act
    const failure = walker.walk(gzipSync(text), sink);
    // Assess
    expect(failure).toBeUndefined();
    expect(seen).toEqual(['a}{b', 'c} {d', 'e']);
  });

  it('decodes escapes exactly as JSON.parse does, surrogate pairs included', () => {
    const message = 'é\u2028😀\ud83d\ude00x"\\/\b\f\t';
    const text = envelope([message]);
    const bytes = Buffer.from(text);
    const out = { bytes: Buffer.alloc(bytes.length), length: 0 };
    const result = readEnvelopes(bytes, 0, bytes.length, out);
    expect(result).toEqual({ ok: true, events: 1, data: 1 });
    const expected = Buffer.from(`${JSON.parse(text).logEvents[0].message}\n`);
    expect(out.bytes.subarray(0, out.length)).toEqual(expected);
  });

  // RFC 8259 §8.2: a lone surrogate names no character; writing U+FFFD in
  // its place would change the value, so the envelope is refused.
  it.each([
    [
      'in a message',
      '{"messageType":"DATA_MESSAGE","logEvents":[{"message":"a\\ud800b"}]}',
    ],
    [
      'a low one alone',
      '{"messageType":"DATA_MESSAGE","logEvents":[{"message":"\\udc00"}]}',
    ],
    [
      'in a key',
      '{"messageType\\ud800":"DATA_MESSAGE","logEvents":[{"message":"x"}]}',
    ],
  ])('refuses a lone surrogate escape %s', (_, text) => {
    expect(run(gzipSync(text))).toMatchObject({
      status: 'ProcessingFailed',
      reason: 'bad_cloudwatch_envelope',
    });
  });

  // Strings the reader does not keep may hold one: JSON.parse accepts it.
  it.each([
    [
      'a CONTROL_MESSAGE message',
      '{"messageType":"CONTROL_MESSAGE","logEvents":[{"message":"\\ud800"}]}',
      'Dropped',
    ],
    [
      'an unknown key',
      `{"messageType":"DATA_MESSAGE","\\ud806":"","logEvents":[{"message":"${ACCEPT}"}]}`,
      'Ok',
    ],
    [
      'an ignored value',
      `{"messageType":"DATA_MESSAGE","owner":"\\udc00","logEvents":[{"message":"${ACCEPT}"}]}`,
      'Ok',
    ],
  ])('accepts a lone surrogate escape in %s', (_, text, status) => {
    expect(run(gzipSync(text)).status).toBe(status);
    expect(run(Buffer.from(text)).status).toBe(status);
  });

  it('refuses a wrapper whose message holds a lone surrogate escape', () => {
    expect(run(Buffer.from('{"message":"2 \\ud800 x"}'))).toMatchObject({
      status: 'ProcessingFailed',
      reason: 'invalid_utf8',
    });
  });

  it('reads a record of only a CR, or ending in a CR, as blank', () => {
    expect(run(Buffer.from('\r')).status).toBe('Dropped');
    expect(run(Buffer.from(`${ACCEPT}\n\r`)).lines).toEqual([ACCEPT_JSON]);
  });

  it('reads messageType wherever it is in the envelope', () => {
    const text = `{"logEvents":[{"message":"${ACCEPT}"}],"messageType":"DATA_MESSAGE"}`;
    expect(run(gzipSync(text)).lines).toEqual([ACCEPT_JSON]);
    const control = `{"logEvents":[{"message":"${ACCEPT}"}],"messageType":"CONTROL_MESSAGE"}`;
    expect(run(gzipSync(control)).status).toBe('Dropped');
  });

  it.each([
    ['{ + } { repeated', `{${'} {'.repeat(1000)}}`],
    ['no messageType', '{"logEvents":[]}'],
    ['unknown messageType', '{"messageType":"OTHER","logEvents":[]}'],
    [
      'message not a string',
      '{"messageType":"DATA_MESSAGE","logEvents":[{"message":1}]}',
    ],
    [
      'raw control byte in a string',
      '{"messageType":"DATA_MESSAGE","logEvents":[{"message":"a\tb"}]}',
    ],
    ['trailing comma', '{"messageType":"DATA_MESSAGE","logEvents":[],}'],
    ['bad number', '{"messageType":"DATA_MESSAGE","n":01,"logEvents":[]}'],
    [
      'nested 100 deep',
      `{"messageType":"DATA_MESSAGE","x":${'['.repeat(100)}${']'.repeat(100)},"logEvents":[]}`,
    ],
    [
      'unterminated',
      '{"messageType":"DATA_MESSAGE","logEvents":[{"message":"x',
    ],
    [
      'repeated logEvents',
      '{"messageType":"DATA_MESSAGE","logEvents":[],"logEvents":[]}',
    ],
  ])('refuses %s as bad_cloudwatch_envelope', (_name, text) => {
    const result = run(gzipSync(text));
    expect(result.status).toBe('ProcessingFailed');
    expect(result.reason).toBe('bad_cloudwatch_envelope');
  });
});

describe('envelopes Firehose already decompressed (issue #11.2)', () => {
  // https://docs.aws.amazon.com/firehose/latest/dev/writing-with-cloudwatch-logs-decompression.html:
  // with decompression on, records are the envelope JSON; with message
  // extraction also on, records are the log events' messages.
  it('answers a DATA_MESSAGE envelope Ok with its lines', () => {
    const result = run(envelope([ACCEPT, ACCEPT]));
    expect(result.status).toBe('Ok');
    expect(result.lines).toEqual([ACCEPT_JSON, ACCEPT_JSON]);
  });

  it('drops a CONTROL_MESSAGE envelope', () => {
    const control = envelope(
      ['CWL CONTROL MESSAGE: Checking health of destination Firehose.'],
      'CONTROL_MESSAGE'
    );
    expect(run(control).status).toBe('Dropped');
    expect(run(`${control}\n`).status).toBe('Dropped');
  });

  it('reads the extracted messages as bare lines, newline-delimited or not', () => {
    expect(run(`${ACCEPT}\n${ACCEPT}\n`).lines).toEqual([
      ACCEPT_JSON,
      ACCEPT_JSON,
    ]);
    expect(run(ACCEPT).lines).toEqual([ACCEPT_JSON]);
  });

  it('collects the interface ids of a decompressed envelope', () => {
    const ids = collectFieldValues(
      [Buffer.from(envelope([ACCEPT]))],
      FORMAT,
      'interface-id'
    );
    expect([...ids]).toEqual(['eni-1235b8ca123456789']);
  });
});

describe('decompression budgets (issue #9.2)', () => {
  it('fails a record that inflates past MAX_DECOMPRESSED_BYTES with its own reason', () => {
    const small = jsonTransformer(VPC_DEFAULT_FORMAT, 1024);
    const result = transformText(small, gzipSync(Buffer.alloc(1025, 0x20)));
    expect(result.status).toBe('ProcessingFailed');
    expect(result.reason).toBe('decompressed_too_large');
    expect(
      transformText(small, gzipSync(Buffer.alloc(1024, 0x20))).status
    ).toBe('Dropped');
  });

  it('fails the gzip records past the invocation budget until the next invocation', () => {
    // Prepare: 3 records of 600 bytes each against a 1,000-byte budget
    const walker = new FramingWalker({
      maxDecompressedBytes: 1000,
      maxInvocationDecompressedBytes: 1000,
    });
    const sink: LineSink = { line: () => true, wrapped: () => SINK.NEXT };
    const record = gzipSync(Buffer.alloc(600, 0x0a));
    // Act
    walker.startInvocation();
    const results = [1, 2, 3].map(() => walker.walk(record, sink)?.reason);
    walker.startInvocation();
    const again = walker.walk(record, sink);
    // Assess
    expect(results).toEqual([
      undefined,
      'decompression_budget_spent',
      'decompression_budget_spent',
    ]);
    expect(again).toBeUndefined();
  });

  it('charges a corrupt gzip record what it may have inflated', () => {
    // Prepare: a 20-byte record, gzip's 10-byte header then no valid
    // deflate data, may inflate at most 1032 × 20 = 20,640 bytes
    // (https://www.zlib.net/zlib_tech.html, "Maximum Compression Factor")
    const walker = new FramingWalker({
      maxDecompressedBytes: 100_000,
      maxInvocationDecompressedBytes: 50_000,
    });
    const sink: LineSink = { line: () => true, wrapped: () => SINK.NEXT };
    const corrupt = Buffer.concat([
      gzipSync('').subarray(0, 10),
      Buffer.alloc(10, 0xff),
    ]);
    // Act: two corrupt records leave 50,000 − 2 × 20,640 = 8,720 bytes
    const walkThen = (inflating: number) => {
      walker.startInvocation();
      const failures = [corrupt, corrupt].map(
        (record) => walker.walk(record, sink)?.reason
      );
      const next = gzipSync(Buffer.alloc(inflating, 0x0a));
      return [...failures, walker.walk(next, sink)?.reason];
    };
    const [first, second, over] = walkThen(8_721);
    const [, , under] = walkThen(8_720);
    // Assess
    expect([first, second]).toEqual([
      'bad_cloudwatch_envelope',
      'bad_cloudwatch_envelope',
    ]);
    expect(over).toBe('decompression_budget_spent');
    expect(under).toBeUndefined();
  });

  it('starts every batch with the whole invocation budget', () => {
    const data = gzipSync(`${ACCEPT}\n`).toString('base64');
    const event = {
      records: [{ recordId: 'a', approximateArrivalTimestamp: 0, data }],
    };
    for (let i = 0; i < 3; i++) {
      expect(
        transformBatch(event, transformer).response.records[0]?.result
      ).toBe('Ok');
    }
  });
});
