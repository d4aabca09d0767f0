import { describe, expect, it } from 'vitest';
import { assertResponseFits } from '../../../shared/firehose/budget.ts';
import {
  decodedLength,
  decodeInto,
  partitionKeyOf,
} from '../../../shared/firehose/event.ts';
import { countFailure, newCounters } from '../../../shared/firehose/outcome.ts';
import {
  MAX_SPLIT_PAYLOAD_BYTES,
  splitPayloads,
} from '../../../shared/firehose/plan.ts';

describe('decodedLength', () => {
  // RFC 4648 §4: 4 characters carry 3 bytes; padding completes a group.
  it.each([
    ['', 0],
    ['QQ==', 1],
    ['QUI=', 2],
    ['QUJD', 3],
    ['QUI', 2],
    ['Q', -1],
    ['QUI==', -1],
    ['QU-D', -1],
    ['QU_D', -1],
  ])('gives %j a decoded length of %d', (text, expected) => {
    expect(decodedLength(text)).toBe(expected);
  });
});

describe('decodeInto', () => {
  it('decodes at an offset and leaves the bytes before it alone', () => {
    // Prepare
    const target = Buffer.alloc(12, 0x2e);
    // Act
    const written = decodeInto('QUJD', 3, target, 4);
    // Assess
    expect(written).toBe(3);
    expect(target.toString('latin1', 0, 7)).toBe('....ABC');
  });

  it('refuses text that decodes to other than expected', () => {
    // Prepare: a character outside the alphabet is skipped by Node
    const target = Buffer.alloc(12);
    // Act
    const written = decodeInto('QU!D', 3, target, 0);
    // Assess
    expect(written).toBe(-1);
  });
});

describe('partitionKeyOf', () => {
  it('reads a non-empty kinesisRecordMetadata.partitionKey only', () => {
    const record = (partitionKey: unknown) =>
      ({
        recordId: 'r',
        data: '',
        approximateArrivalTimestamp: 0,
        kinesisRecordMetadata: { partitionKey },
      }) as never;
    expect(partitionKeyOf(record('pk'))).toBe('pk');
    expect(partitionKeyOf(record(''))).toBeUndefined();
    expect(partitionKeyOf(record(7))).toBeUndefined();
  });
});

describe('splitPayloads', () => {
  it('ends every line with a newline and keeps groups apart', () => {
    // Act
    const payloads = splitPayloads([
      [Buffer.from('a'), Buffer.from('b')],
      [Buffer.from('c')],
    ]);
    // Assess
    expect(payloads.map(String)).toEqual(['a\nb\n', 'c\n']);
  });

  it('cuts a group at maxLines lines', () => {
    // Act
    const payloads = splitPayloads(
      [['a', 'b', 'c'].map((t) => Buffer.from(t))],
      2
    );
    // Assess
    expect(payloads.map(String)).toEqual(['a\nb\n', 'c\n']);
  });

  it('cuts a group before a payload passes one Firehose record', () => {
    // Prepare: two lines that fill a payload only together
    const line = Buffer.alloc(MAX_SPLIT_PAYLOAD_BYTES / 2, 0x61);
    // Act
    const payloads = splitPayloads([[line, line]]);
    // Assess
    expect(payloads.map((p) => p.length)).toEqual([
      line.length + 1,
      line.length + 1,
    ]);
  });
});

describe('countFailure', () => {
  it('counts by reason and keeps at most five samples', () => {
    // Prepare
    const counters = newCounters();
    const samples: never[] = [];
    // Act
    for (let i = 0; i < 7; i++) {
      countFailure(counters, samples, `id-${i}`, 'bad_integer', 'x');
    }
    // Assess
    expect(counters.failed).toBe(7);
    expect(counters.malformed).toEqual({ bad_integer: 7 });
    expect(samples).toHaveLength(5);
  });
});

describe('assertResponseFits', () => {
  it("passes at Lambda's limit and throws one byte over it", () => {
    expect(() => assertResponseFits(6_291_456, 1, 'x')).not.toThrow();
    expect(() => assertResponseFits(6_291_457, 1, 'x')).toThrow(
      "x: a response of 6291457 bytes for 1 records passes Lambda's 6291456-byte response limit"
    );
  });
});
