import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../../../shared/output/byte-writer.ts';
import {
  DIRECTION_CODE,
  ENRICHMENT_ROLE,
  enrichmentRun,
  LineEnrichment,
} from '../../../shared/output/enrichment.ts';
import { keyBytes } from '../../../shared/output/nested-writer.ts';

const text = (out: ByteWriter) => out.toBuffer().toString('utf8');

describe('LineEnrichment', () => {
  it('holds entries as ,"key":value runs in the order added', () => {
    // Prepare
    const e = new LineEnrichment(4);

    // Act
    e.addConst(
      keyBytes('protocol_name'),
      Buffer.from('"IPv6-ICMP"'),
      ENRICHMENT_ROLE.PROTOCOL_NAME,
      58
    );
    e.add(keyBytes('duration_seconds')).jsonNumber(60);

    // Assess
    expect(e.count).toBe(2);
    expect(e.values.toBuffer().toString()).toBe(
      ',"protocol_name":"IPv6-ICMP","duration_seconds":60'
    );
    expect(e.toObject()).toEqual({
      protocol_name: 'IPv6-ICMP',
      duration_seconds: 60,
    });
    expect(e.find(ENRICHMENT_ROLE.PROTOCOL_NAME)).toBe(0);
    expect(e.code(0)).toBe(58);
    expect(e.find(ENRICHMENT_ROLE.DIRECTION)).toBe(-1);
  });

  it('copies a value as it is and lower-cased', () => {
    // Prepare
    const e = new LineEnrichment();
    e.addConst(keyBytes('protocol_name'), Buffer.from('"IPv6-ICMP"'), 1, 58);
    const out = new ByteWriter(2);

    // Act
    e.copyValue(0, out);
    e.copyValueLowercase(0, out);

    // Assess: JSON.stringify('IPv6-ICMP'.toLowerCase())
    expect(text(out)).toBe('"IPv6-ICMP""ipv6-icmp"');
  });

  it('adds a preformatted run as separate entries, growing as needed', () => {
    // Prepare
    const e = new LineEnrichment(4);
    const run = enrichmentRun([
      [keyBytes('srcaddr_version'), Buffer.from('4')],
      [keyBytes('srcaddr_class'), Buffer.from('"private"')],
    ]);
    e.add(keyBytes('first')).jsonNumber(1);

    // Act
    for (let i = 0; i < 40; i++) e.addRun(run);

    // Assess
    expect(e.count).toBe(81);
    expect(e.toObject()).toEqual({
      first: 1,
      srcaddr_version: 4,
      srcaddr_class: 'private',
    });
    const out = new ByteWriter();
    e.copyValue(2, out);
    expect(text(out)).toBe('"private"');
    expect(e.role(80)).toBe(ENRICHMENT_ROLE.OTHER);
  });

  it('forgets the entries on reset and takes a new serial', () => {
    // Prepare
    const e = new LineEnrichment();
    e.addConst(keyBytes('direction'), Buffer.from('"inbound"'), 2, 1);
    const before = e.serial;

    // Act
    e.reset();

    // Assess
    expect(e.count).toBe(0);
    expect(e.toObject()).toEqual({});
    expect(e.serial).not.toBe(before);
    expect(new LineEnrichment().serial).not.toBe(e.serial);
  });

  it('grows past its first 64 entries', () => {
    // Prepare
    const e = new LineEnrichment(8);
    const expected: Record<string, number> = {};

    // Act
    for (let i = 0; i < 200; i++) {
      e.add(keyBytes(`k${i}`), ENRICHMENT_ROLE.DIRECTION, i).jsonNumber(i);
      expected[`k${i}`] = i;
    }

    // Assess
    expect(e.count).toBe(200);
    expect(e.toObject()).toEqual(expected);
    expect(e.code(199)).toBe(199);
    expect(e.role(150)).toBe(ENRICHMENT_ROLE.DIRECTION);
    expect(e.key(150).toString()).toBe('"k150":');
  });

  it('numbers directions as the docs list them', () => {
    // Assess
    expect(DIRECTION_CODE).toEqual({
      INBOUND: 1,
      OUTBOUND: 2,
      INTERNAL: 3,
      EXTERNAL: 4,
    });
  });
});
