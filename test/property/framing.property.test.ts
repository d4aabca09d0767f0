// Properties of record framing against the definitions it implements: JSON
// (RFC 8259, through JSON.parse) for wrappers and CloudWatch Logs envelopes,
// standard base64 (RFC 4648 §4) for record data.
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collectFieldValues } from '../../shared/enrich/collect.ts';
import { decodeBase64, transformBatch } from '../../shared/firehose/batch.ts';
import { readEnvelopes } from '../../shared/firehose/cloudwatch-envelope.ts';
import { decodeEvent } from '../../shared/firehose/event.ts';
import { VPC_DEFAULT_FORMAT } from '../../shared/flowlog/fields.ts';
import { parseFormat } from '../../shared/flowlog/format.ts';
import { jsonTransformer, transformText } from '../helpers/pipeline.ts';

const FORMAT = parseFormat(VPC_DEFAULT_FORMAT);
const FIELDS =
  '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK'.split(
    ' '
  );
const transformer = jsonTransformer(VPC_DEFAULT_FORMAT);
const reference = jsonTransformer(VPC_DEFAULT_FORMAT);

/** JSON string text between the wrapper's quotes: raw or escaped separators. */
const messageTextArb = fc
  .array(
    fc.constantFrom(
      ' ',
      '\t',
      '\\t',
      '\\u0020',
      '\u0001',
      '\r',
      '\\"',
      '\\\\',
      'é',
      '"',
      '  '
    ),
    { minLength: FIELDS.length - 1, maxLength: FIELDS.length - 1 }
  )
  .map((separators) =>
    FIELDS.map((field, i) => field + (separators[i] ?? '')).join('')
  );

describe('one input, one answer (issue #9.7)', () => {
  it('answers a wrapper exactly as JSON decodes it, on the fast and the slow path', () => {
    fc.assert(
      fc.property(messageTextArb, (text) => {
        const record = `{"message":"${text}"}`;
        const actual = transformText(transformer, record);
        let decoded: unknown;
        try {
          decoded = JSON.parse(record).message;
        } catch {
          decoded = undefined;
        }
        if (typeof decoded !== 'string') {
          expect(actual.status).toBe('ProcessingFailed');
          expect(actual.reason).toBe('bad_json_wrapper');
          return;
        }
        const expected = transformText(reference, decoded);
        expect(actual).toEqual(expected);
        const ids = collectFieldValues(
          [Buffer.from(record)],
          FORMAT,
          'interface-id'
        );
        if (expected.status === 'Ok') expect([...ids]).toEqual([FIELDS[2]]);
      }),
      { numRuns: 2000 }
    );
  });

  it('decodes base64 the same way in both decoders, refusing what is not standard base64', () => {
    const alphabet = fc.constantFrom(
      ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \n.'.split(
        ''
      )
    );
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 40 }), (chars) => {
        const text = chars.join('');
        const a = decodeBase64(text);
        // The batch's decoder, between two records, into one buffer.
        const decoded = decodeEvent({
          records: [
            {
              recordId: 'before',
              approximateArrivalTimestamp: 1,
              data: 'QUJD',
            },
            { recordId: 'it', approximateArrivalTimestamp: 2, data: text },
            { recordId: 'after', approximateArrivalTimestamp: 3, data: 'QQ==' },
          ],
        });
        const b = decoded.bytesOf(1);
        expect(b === undefined ? undefined : Buffer.from(b)).toEqual(a);
        expect(decoded.bytesOf(0)?.toString()).toBe('ABC');
        expect(decoded.bytesOf(2)?.toString()).toBe('A');
        if (a !== undefined) {
          // Accepted text is standard base64 of that many bytes (RFC 4648
          // §3.5 lets a decoder ignore non-zero pad bits, as Node does).
          const letters = text.replace(/=+$/, '');
          expect(letters).toMatch(/^[A-Za-z0-9+/]*$/);
          expect(letters.length).toBe(
            a.toString('base64').replace(/=+$/, '').length
          );
        }
      }),
      { numRuns: 5000 }
    );
  });
});

describe('the CloudWatch Logs envelope reader', () => {
  const eventArb = fc.record({
    id: fc.string(),
    timestamp: fc.integer(),
    message: fc.string({ unit: 'binary' }),
  });
  const envelopeArb = fc.record({
    messageType: fc.constantFrom('DATA_MESSAGE', 'CONTROL_MESSAGE'),
    owner: fc.string(),
    extra: fc.jsonValue({ maxDepth: 3 }),
    logEvents: fc.array(eventArb, { maxLength: 5 }),
  });

  it('writes exactly the messages JSON.parse reads, for concatenated envelopes', () => {
    fc.assert(
      fc.property(
        fc.array(envelopeArb, { minLength: 1, maxLength: 3 }),
        (envelopes) => {
          const bytes = Buffer.from(
            envelopes.map((e) => JSON.stringify(e)).join('\n')
          );
          const out = { bytes: Buffer.alloc(bytes.length), length: 0 };
          const result = readEnvelopes(bytes, 0, bytes.length, out);
          const expected = envelopes
            .filter((e) => e.messageType === 'DATA_MESSAGE')
            .flatMap((e) => e.logEvents.map((event) => `${event.message}\n`))
            .join('');
          expect(result.ok).toBe(true);
          expect(out.bytes.subarray(0, out.length)).toEqual(
            Buffer.from(expected)
          );
        }
      ),
      { numRuns: 1000 }
    );
  });

  it('never accepts text that is not JSON, and never throws, whatever the bytes', () => {
    const valid = JSON.stringify({
      messageType: 'DATA_MESSAGE',
      logEvents: [{ id: '1', timestamp: 1, message: 'a}{b' }],
    });
    fc.assert(
      fc.property(
        fc.nat({ max: valid.length }),
        fc.nat({ max: valid.length }),
        fc.string({ maxLength: 4 }),
        (at, cut, insert) => {
          const text = valid.slice(0, at) + insert + valid.slice(at, at + cut);
          const bytes = Buffer.from(text);
          const out = { bytes: Buffer.alloc(bytes.length), length: 0 };
          const result = readEnvelopes(bytes, 0, bytes.length, out);
          if (result.ok) expect(() => JSON.parse(text)).not.toThrow();
        }
      ),
      { numRuns: 5000 }
    );
  });
});

describe('any bytes in any framing', () => {
  const ACCEPT_LINE = FIELDS.join(' ');
  /** Fragments that steer random records into every framing path. */
  const fragmentArb = fc.oneof(
    fc.constantFrom(
      '{"message":"',
      '"}',
      '{',
      '}',
      '"',
      '\\',
      '\n',
      '\r\n',
      ' ',
      '\t',
      '{"a":"b"}',
      '{""}',
      '{"messageType":"DATA_MESSAGE","logEvents":[{"message":"',
      '{"messageType":"CONTROL_MESSAGE"}',
      ACCEPT_LINE
    ),
    fc.string({ maxLength: 8 })
  );
  const recordArb = fc.oneof(
    fc
      .array(fragmentArb, { maxLength: 12 })
      .map((parts) => Buffer.from(parts.join(''))),
    fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
    fc
      .array(fragmentArb, { maxLength: 8 })
      .map((parts) => gzipSync(parts.join('')))
  );

  it('answers every record once, in order, without a throw; the collector never throws', () => {
    fc.assert(
      fc.property(
        fc.array(recordArb, { minLength: 1, maxLength: 6 }),
        (records) => {
          const event = {
            records: records.map((data, i) => ({
              recordId: `r${i}`,
              approximateArrivalTimestamp: 1_700_000_000_000 + i,
              data: data.toString('base64'),
            })),
          };
          const { response } = transformBatch(event, transformer);
          expect(response.records.map((r) => r.recordId)).toEqual(
            event.records.map((r) => r.recordId)
          );
          for (const answer of response.records) {
            if (answer.result !== 'Ok') expect(answer.data).toBe('');
          }
          collectFieldValues(records, FORMAT, 'interface-id');
        }
      ),
      { numRuns: 3000 }
    );
  });
});
