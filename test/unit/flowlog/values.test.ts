import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  auditedRangeOf,
  closedSetOf,
  FIELD_RANGES,
  FIELD_VALUE_SETS,
  fieldsHolding,
  integerRangeOf,
  valueSetOf,
} from '../../../shared/flowlog/values.ts';

describe('documented field values', () => {
  it('holds the values of the AWS field tables', () => {
    // Expected: https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html,
    // https://docs.aws.amazon.com/vpc/latest/tgw/tgw-flow-logs.html
    expect(closedSetOf('action')?.values).toEqual(['ACCEPT', 'REJECT']);
    expect(closedSetOf('log-status')?.values).toEqual([
      'OK',
      'NODATA',
      'SKIPDATA',
    ]);
    expect(closedSetOf('type')?.values).toEqual(['IPv4', 'IPv6', 'EFA']);
    expect(closedSetOf('flow-direction')?.values).toEqual([
      'ingress',
      'egress',
    ]);
    expect(closedSetOf('resource-type')?.values).toEqual([
      'TransitGateway',
      'TransitGatewayAttachment',
    ]);
    expect(closedSetOf('traffic-path')?.values).toHaveLength(8);
    expect(closedSetOf('pkt-src-aws-service')).toBeUndefined();
    expect(valueSetOf('pkt-src-aws-service')?.values).toContain('S3');
    expect(valueSetOf('srcaddr')).toBeUndefined();
  });

  it('gives integer ranges: documented, from a closed set, or 64 bits', () => {
    expect(integerRangeOf('dstport')).toMatchObject({ min: 0n, max: 65_535n });
    expect(integerRangeOf('protocol')).toMatchObject({ min: 0n, max: 255n });
    expect(integerRangeOf('traffic-path')).toMatchObject({ min: 1n, max: 8n });
    expect(integerRangeOf('bytes')).toMatchObject({
      min: 0n,
      max: 18_446_744_073_709_551_615n,
    });
  });

  it('gives the value audit the ranges that are not closed sets, all from 0', () => {
    // Ports: RFC 9293 section 3.1 and RFC 768 (16 bits); protocol: IANA
    // protocol numbers (8 bits); tcp-flags: an OR of TCP's 8 control bits
    expect(auditedRangeOf('srcport')?.max).toBe(65_535n);
    expect(auditedRangeOf('dstport')?.max).toBe(65_535n);
    expect(auditedRangeOf('protocol')?.max).toBe(255n);
    expect(auditedRangeOf('tcp-flags')?.max).toBe(255n);
    expect(auditedRangeOf('traffic-path')).toBeUndefined();
    expect(auditedRangeOf('bytes')).toBeUndefined();
    // The audit and the kernel compare only the maximum (value-audit.ts)
    for (const range of FIELD_RANGES.values()) expect(range.min).toBe(0n);
  });

  it('lists sets of integers in ascending order', () => {
    for (const set of FIELD_VALUE_SETS.values()) {
      if (!set.values.every((v) => /^\d+$/.test(v))) continue;
      const numbers = set.values.map(Number);
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    }
  });

  it('says which fields hold a value', () => {
    expect(fieldsHolding('egress')).toEqual(['flow-direction']);
    expect(fieldsHolding('S3')).toEqual([]);
  });

  it('is the table docs/fields.md shows', () => {
    // Prepare: the doc's closed-set rows, `field` | `a`, `b` | source
    const doc = readFileSync(
      new URL('../../../docs/fields.md', import.meta.url),
      'utf8'
    );
    const rows = new Map<string, string[]>();
    for (const line of doc.split('\n')) {
      const cells = line.split('|').map((cell) => cell.trim());
      const field = /^`([a-z-]+)`$/.exec(cells[1] ?? '')?.[1];
      if (field === undefined || rows.has(field)) continue;
      const values = [...(cells[2] ?? '').matchAll(/`([^`]+)`/g)].map(
        (m) => m[1]
      );
      rows.set(field, values as string[]);
    }
    // Assess
    for (const set of FIELD_VALUE_SETS.values()) {
      if (set.closed) expect(rows.get(set.field)).toEqual(set.values);
    }
  });
});
