import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { writeSha1Base64 } from '../../../shared/enrich/sha1.ts';
import { ByteWriter } from '../../../shared/output/byte-writer.ts';

/** The one-block SHA-1 in base64, as a string. */
function sha1(input: Uint8Array): string {
  const out = new ByteWriter(4);
  writeSha1Base64(input, input.length, out);
  return out.toBuffer().toString('latin1');
}

describe('one-block SHA-1', () => {
  it('gives the FIPS 180-4 example digests', () => {
    // Assess: FIPS 180-2 appendix A.1 ("abc") and the empty message
    // (a9993e36 4706816a ba3e2571 7850c26c 9cd0d89d; da39a3ee 5e6b4b0d …).
    expect(sha1(Buffer.from('abc'))).toBe(
      Buffer.from('a9993e364706816aba3e25717850c26c9cd0d89d', 'hex').toString(
        'base64'
      )
    );
    expect(sha1(Buffer.alloc(0))).toBe(
      Buffer.from('da39a3ee5e6b4b0d3255bfef95601890afd80709', 'hex').toString(
        'base64'
      )
    );
  });

  it('matches node:crypto for every message of 0 to 55 bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 55 }), (bytes) => {
        // Act / Assess
        expect(sha1(bytes)).toBe(
          createHash('sha1').update(bytes).digest('base64')
        );
      }),
      { numRuns: 2000 }
    );
  });

  it('refuses a message longer than one block', () => {
    // Act / Assess
    expect(() => sha1(Buffer.alloc(56))).toThrow(
      'writeSha1Base64: 56 bytes do not fit one block (at most 55)'
    );
  });
});
