import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../../../shared/output/byte-writer.ts';

function written(action: (writer: ByteWriter) => void): string {
  const writer = new ByteWriter(8);
  action(writer);
  return writer.toBuffer().toString('utf8');
}

describe('ByteWriter', () => {
  it('writes any string exactly as JSON.stringify does', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (text) => {
        expect(written((w) => w.jsonString(text))).toBe(JSON.stringify(text));
      }),
      { numRuns: 500 }
    );
  });

  it('writes any number exactly as JSON.stringify does', () => {
    const numbers = fc.oneof(
      fc.nat(),
      fc.integer(),
      fc.maxSafeNat(),
      fc.double(),
      fc.constantFrom(0, -0, 1e15, 1e15 - 1, 1e21, Number.NaN, Infinity)
    );
    fc.assert(
      fc.property(numbers, (value) => {
        expect(written((w) => w.jsonNumber(value))).toBe(JSON.stringify(value));
      }),
      { numRuns: 500 }
    );
  });

  it('copies short and long runs, whole buffers and slices alike', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.nat(),
        fc.nat(),
        (bytes, a, b) => {
          const source = Buffer.from(bytes);
          const start = source.length === 0 ? 0 : a % source.length;
          const end =
            start + (source.length === 0 ? 0 : b % (source.length - start + 1));
          const writer = new ByteWriter(4);
          writer.copy(source, 0, source.length);
          writer.copy(source, start, end);
          expect(writer.toBuffer()).toEqual(
            Buffer.concat([source, source.subarray(start, end)])
          );
        }
      ),
      { numRuns: 300 }
    );
  });

  it('writes latin1 text of any length and escapes JSON bytes', () => {
    const long = 'x'.repeat(100);
    expect(written((w) => w.latin1(long))).toBe(long);
    expect(written((w) => w.latin1('ab'))).toBe('ab');
    const source = Buffer.from('a"b\\c\u0001\n');
    expect(written((w) => w.jsonEscaped(source, 0, source.length))).toBe(
      JSON.stringify('a"b\\c\u0001\n').slice(1, -1)
    );
  });
});
