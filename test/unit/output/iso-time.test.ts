import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../../../shared/output/byte-writer.ts';
import {
  IsoSecondsWriter,
  MAX_ISO_SECONDS,
  writeIsoJson,
} from '../../../shared/output/iso-time.ts';

/** The JSON of Date's RFC 3339 text for whole seconds. */
function viaDate(seconds: number): string {
  return `"${new Date(seconds * 1000).toISOString().slice(0, 19)}Z"`;
}

function iso(seconds: number): string {
  const bytes = Buffer.alloc(22);
  writeIsoJson(bytes, 0, seconds);
  return bytes.toString('latin1');
}

describe('ISO seconds as bytes', () => {
  it('writes the documented AWS example and the edges', () => {
    // Assess: `date -u -d @1418530010` prints 2014-12-14T04:06:50Z
    expect(iso(1418530010)).toBe('"2014-12-14T04:06:50Z"');
    expect(iso(0)).toBe('"1970-01-01T00:00:00Z"');
    expect(iso(951782400)).toBe('"2000-02-29T00:00:00Z"');
    expect(iso(MAX_ISO_SECONDS)).toBe('"9999-12-31T23:59:59Z"');
  });

  it('equals Date#toISOString for every second up to year 9999', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_ISO_SECONDS }), (seconds) => {
        // Assess
        expect(iso(seconds)).toBe(viaDate(seconds));
      }),
      { numRuns: 5000 }
    );
  });

  it('writes any sequence of seconds as Date does, across days', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: MAX_ISO_SECONDS }), {
          maxLength: 20,
        }),
        fc.array(fc.integer({ min: 0, max: 200_000 }), { maxLength: 20 }),
        (seconds, steps) => {
          // Prepare: far jumps, then steps within and across days
          const all = [...seconds];
          let at = seconds[0] ?? 1418530010;
          for (const step of steps) {
            at = Math.min(at + step, MAX_ISO_SECONDS);
            all.push(at);
          }
          const writer = new IsoSecondsWriter();
          const out = new ByteWriter(8);

          // Act
          for (const s of all) writer.write(out, s);

          // Assess
          expect(out.toBuffer().toString()).toBe(all.map(viaDate).join(''));
        }
      ),
      { numRuns: 500 }
    );
  });

  it('reuses the last second and writes a new one', () => {
    // Prepare
    const writer = new IsoSecondsWriter();
    const out = new ByteWriter(8);

    // Act
    writer.write(out, 1418530010);
    writer.write(out, 1418530010);
    writer.write(out, 1418530070);

    // Assess
    expect(out.toBuffer().toString()).toBe(
      '"2014-12-14T04:06:50Z""2014-12-14T04:06:50Z""2014-12-14T04:07:50Z"'
    );
  });
});
