import { describe, expect, it } from 'vitest';
import { looksLikeCidr } from '../../../shared/filter/cidr.ts';

describe('looksLikeCidr', () => {
  it.each([
    ['10.0.0.0/8', true],
    ['fd00::/8', true],
    ['::/0', true],
    ['10.0.0.0/x', true],
    ['10.0.0.0', false],
    ['/8', false],
    ['abc/8', false],
    ['arn:aws:ecs:us-east-1:1:cluster/prod', false],
  ])('%s → %s', (text, expected) => {
    // Act
    const result = looksLikeCidr(text);

    // Assess
    expect(result).toBe(expected);
  });
});
