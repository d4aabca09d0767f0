import { describe, expect, it } from 'vitest';
import { FlowLogError } from '../../../shared/flowlog/errors.ts';
import { FIELD_CATALOGUE } from '../../../shared/flowlog/fields.ts';
import {
  formatFromHeader,
  isOneEditApart,
  nearMissOf,
  parseFormat,
} from '../../../shared/flowlog/format.ts';

function errorOf(action: () => unknown): FlowLogError {
  try {
    action();
  } catch (error) {
    if (error instanceof FlowLogError) return error;
    throw error;
  }
  throw new Error('expected a FlowLogError');
}

describe('FLOW_LOG_FORMAT typos', () => {
  it('refuses a field one swap from a documented one, naming it', () => {
    // Act
    const error = errorOf(() =>
      parseFormat('${version} ${action} ${log-stauts}')
    );
    // Assess
    expect(error.code).toBe('FLOWLOG_FORMAT_NEAR_MISS');
    expect(error.message).toBe(
      `FLOW_LOG_FORMAT: token 3 "\${log-stauts}" (column 22) is not a documented field; did you mean '\${log-status}'? (an unknown field one edit from a documented one is refused as a typo)`
    );
  });

  it.each([
    ['${srcadr}', 'srcaddr'],
    ['${dst-port}', 'dstport'],
    ['${logstatus}', 'log-status'],
    ['${protocal}', 'protocol'],
    ['${account-ids}', 'account-id'],
    ['${pkt-src-addr}', 'pkt-srcaddr'],
    ['${flow-directon}', 'flow-direction'],
  ])('refuses %s as a typo of %s', (token, meant) => {
    expect(errorOf(() => parseFormat(token)).message).toContain(
      `did you mean '\${${meant}}'?`
    );
  });

  it('keeps unknown fields that are not one edit from a documented one', () => {
    // Prepare: names AWS may add next, numbered or new
    const names = [
      'asg-tag-3',
      'instance-tag-3',
      'interface-tag-10',
      'next-hop-region',
      'vpc-endpoint-id',
      'resource-arn',
    ];
    expect(FIELD_CATALOGUE.some((f) => names.includes(f.name))).toBe(false);
    // Act
    const format = parseFormat(names.map((n) => `\${${n}}`).join(' '));
    // Assess
    expect(format.unknownFields).toEqual(names);
  });

  it('does not treat a different digit as a typo', () => {
    expect(isOneEditApart('asg-tag-3', 'asg-tag-2')).toBe(false);
    expect(isOneEditApart('asg-tag-2', 'asg-tag')).toBe(false);
    expect(isOneEditApart('tag-22', 'tag-2')).toBe(false);
  });

  it('leaves the header of an S3 file alone: AWS wrote it', () => {
    expect(formatFromHeader('version log-stauts').unknownFields).toEqual([
      'log-stauts',
    ]);
  });

  it('measures one edit as insertion, deletion, substitution or swap', () => {
    expect(isOneEditApart('bytes', 'bytes')).toBe(false);
    expect(isOneEditApart('bytes', 'byts')).toBe(true);
    expect(isOneEditApart('byts', 'bytes')).toBe(true);
    expect(isOneEditApart('bytes', 'bytez')).toBe(true);
    expect(isOneEditApart('bytes', 'bytse')).toBe(true);
    expect(isOneEditApart('bytes', 'ybtse')).toBe(false);
    expect(isOneEditApart('bytes', 'bits')).toBe(false);
    expect(isOneEditApart('start', 'end')).toBe(false);
    expect(nearMissOf('stat', ['end', 'start'])).toBe('start');
    expect(nearMissOf('region', ['end'])).toBeUndefined();
  });
});
