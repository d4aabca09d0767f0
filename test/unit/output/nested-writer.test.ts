import { describe, expect, it } from 'vitest';
import { parseFormat } from '../../../shared/flowlog/format.ts';
import { FlowLogLine } from '../../../shared/flowlog/line.ts';
import { planScan, scanLine } from '../../../shared/flowlog/scan.ts';
import { ByteWriter } from '../../../shared/output/byte-writer.ts';
import {
  fieldHasByte,
  fieldIs,
  keyBytes,
  NestedWriter,
  sameField,
  valueBytes,
  writeJsonValue,
} from '../../../shared/output/nested-writer.ts';

function lineOf(formatText: string, text: string): FlowLogLine {
  const format = parseFormat(formatText);
  const line = new FlowLogLine(format);
  const bytes = Buffer.from(text, 'utf8');
  expect(scanLine(bytes, 0, bytes.length, planScan(format), line)).toBe(
    undefined
  );
  return line;
}

function written(build: (w: NestedWriter) => void): string {
  const out = new ByteWriter(16);
  const w = new NestedWriter();
  w.begin(out);
  build(w);
  w.end();
  return out.toBuffer().toString('utf8');
}

describe('NestedWriter', () => {
  it('leaves out objects and arrays that received no member', () => {
    // Act
    const text = written((w) => {
      w.open(keyBytes('a'));
      w.open(keyBytes('b'));
      w.openArray(keyBytes('c'));
      w.close();
      w.close();
      w.close();
      w.putConst(keyBytes('d'), valueBytes(1));
    });

    // Assess
    expect(text).toBe('{"d":1}\n');
  });

  it('opens every pending level when a deep member arrives', () => {
    // Act
    const text = written((w) => {
      w.putConst(keyBytes('x'), valueBytes(true));
      w.open(keyBytes('a'));
      w.open(keyBytes('b'));
      w.putString(keyBytes('c'), 'é"');
      w.close();
      w.putNumber(keyBytes('n'), 2.5);
      w.close();
      w.openArray(keyBytes('list'));
      w.materialize();
      w.close();
    });

    // Assess
    expect(JSON.parse(text)).toEqual({
      x: true,
      a: { b: { c: 'é"' }, n: 2.5 },
      list: [],
    });
  });

  it('copies fields as exact JSON: digits raw, strings escaped', () => {
    // Prepare
    const line = lineOf(
      '${bytes} ${resource-id} ${start} ${end} ${srcaddr}',
      '18446744073709551615 a"b\\c 0 1431280934 -'
    );

    // Act
    const text = written((w) => {
      w.putField(keyBytes('bytes'), line, 0);
      w.putField(keyBytes('id'), line, 1);
      w.putFieldTimes1000(keyBytes('zero'), line, 2);
      w.putFieldTimes1000(keyBytes('ms'), line, 3);
      w.putFieldAsString(keyBytes('s'), line, 0);
      w.putField(keyBytes('absent'), line, 4);
      w.putFieldTimes1000(keyBytes('missing'), line, -1);
    });

    // Assess
    expect(text).toBe(
      '{"bytes":18446744073709551615,"id":"a\\"b\\\\c","zero":0,' +
        '"ms":1431280934000,"s":"18446744073709551615"}\n'
    );
  });

  it('writes run-time keys and any JSON value, bigint as digits', () => {
    // Act
    const text = written((w) => {
      w.putNamed('big', 18446744073709551615n);
      w.putNamed('mix', [1, 'two', null, false, { n: Number.NaN }]);
      w.putNamed('skip', { a: undefined, b: 1 });
      w.putValue(keyBytes('fn'), () => 1);
    });

    // Assess
    expect(text).toBe(
      '{"big":18446744073709551615,"mix":[1,"two",null,false,{"n":null}],' +
        '"skip":{"b":1},"fn":null}\n'
    );
  });
});

describe('field comparisons', () => {
  it('compares field bytes with constants and with each other', () => {
    // Prepare
    const line = lineOf(
      '${srcaddr} ${pkt-srcaddr} ${dstaddr} ${action}',
      '10.0.0.1 10.0.0.1 10.0.0.12 ACCEPT'
    );

    // Assess
    expect(fieldIs(line, 3, Buffer.from('ACCEPT'))).toBe(true);
    expect(fieldIs(line, 3, Buffer.from('ACCEPTED'))).toBe(false);
    expect(fieldIs(line, 3, Buffer.from('REJECT'))).toBe(false);
    expect(fieldIs(line, -1, Buffer.from('ACCEPT'))).toBe(false);
    expect(sameField(line, 0, 1)).toBe(true);
    expect(sameField(line, 0, 2)).toBe(false);
    expect(sameField(line, 0, -1)).toBe(false);
    expect(fieldHasByte(line, 0, 0x2e)).toBe(true);
    expect(fieldHasByte(line, 0, 0x3a)).toBe(false);
    expect(fieldHasByte(line, -1, 0x2e)).toBe(false);
  });

  it('writes a lone value with writeJsonValue', () => {
    // Prepare
    const out = new ByteWriter(4);

    // Act
    writeJsonValue(out, Number.POSITIVE_INFINITY);
    writeJsonValue(out, undefined);

    // Assess
    expect(out.toBuffer().toString()).toBe('nullnull');
  });
});
