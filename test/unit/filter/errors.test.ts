import { describe, expect, it } from 'vitest';
import { compileFilter } from '../../../shared/filter/compile.ts';
import { FilterError } from '../../../shared/filter/errors.ts';
import { VPC_DEFAULT_FORMAT } from '../../../shared/flowlog/fields.ts';
import { parseFormat } from '../../../shared/flowlog/format.ts';

const VPC = parseFormat(VPC_DEFAULT_FORMAT);

/** The FilterError compileFilter throws for `expression`. */
function errorOf(expression: string, limits = {}): FilterError {
  try {
    compileFilter(expression, VPC, limits);
  } catch (error) {
    if (error instanceof FilterError) return error;
    throw error;
  }
  throw new Error(`expected '${expression}' to be refused`);
}

describe('compileFilter: error messages', () => {
  it.each([
    [
      'action = ',
      'FILTER_SYNTAX',
      10,
      "FILTER: column 10: expected a value after '=', found end of input",
    ],
    [
      'action=',
      'FILTER_SYNTAX',
      8,
      "FILTER: column 8: expected a value after '=', found end of input",
    ],
    [
      'action = and',
      'FILTER_SYNTAX',
      10,
      "FILTER: column 10: expected a value after '=', found 'and' (a keyword: quote it as a value)",
    ],
    [
      'action REJECT',
      'FILTER_SYNTAX',
      8,
      "FILTER: column 8: expected an operator (=, !=, <, <=, >, >=, in, not in, is) after 'action', found 'REJECT'",
    ],
    [
      '(action = REJECT',
      'FILTER_SYNTAX',
      17,
      "FILTER: column 17: expected ')' to close the '(' at column 1, found end of input",
    ],
    [
      'action = REJECT)',
      'FILTER_SYNTAX',
      16,
      "FILTER: column 16: expected 'and', 'or' or end of input, found ')'",
    ],
    [
      'dstport in (22 3389)',
      'FILTER_SYNTAX',
      16,
      "FILTER: column 16: expected ',' or ')' to close the list opened at column 12, found number 3389",
    ],
    [
      'dstport in ()',
      'FILTER_SYNTAX',
      13,
      "FILTER: column 13: expected a value after 'in (', found ')'",
    ],
    [
      'srcaddr not 10.0.0.0/8',
      'FILTER_SYNTAX',
      13,
      "FILTER: column 13: expected 'in' after 'not', found '10.0.0.0/8'",
    ],
    [
      'action is missing',
      'FILTER_SYNTAX',
      11,
      "FILTER: column 11: expected 'absent' or 'present' after 'is', found 'missing' (write 'action is absent')",
    ],
    [
      "action = 'REJECT",
      'FILTER_SYNTAX',
      10,
      "FILTER: column 10: expected a closing ' for the string that starts here, found end of input",
    ],
    [
      'action ! REJECT',
      'FILTER_SYNTAX',
      8,
      "FILTER: column 8: expected '!=', found '!' (to negate a condition write 'not')",
    ],
    [
      '= 22',
      'FILTER_SYNTAX',
      1,
      "FILTER: column 1: expected a field name, 'not' or '(', found '='",
    ],
  ])('refuses %j with %s at column %i', (expression, code, column, message) => {
    // Act
    const error = errorOf(expression);

    // Assess
    expect(error.code).toBe(code);
    expect(error.column).toBe(column);
    expect(error.message).toBe(message);
  });

  it('names a field that is not in FLOW_LOG_FORMAT', () => {
    // Act
    const error = errorOf('action = REJECT and vpc-id = vpc-1');

    // Assess
    expect(error.code).toBe('FILTER_UNKNOWN_FIELD');
    expect(error.message).toBe(
      "FILTER: column 21: field 'vpc-id' is not in FLOW_LOG_FORMAT; expected one of: version, account-id, interface-id, srcaddr, dstaddr, srcport, dstport, protocol, packets, bytes, start, end, action, log-status"
    );
  });

  it('hints at the lower-case name of a field given in another case', () => {
    // Act
    const error = errorOf('Action = REJECT');

    // Assess
    expect(error.code).toBe('FILTER_UNKNOWN_FIELD');
    expect(error.message).toContain(
      "FILTER: column 1: field 'Action' is not in FLOW_LOG_FORMAT (field names are case-sensitive: 'action')"
    );
  });

  it.each([
    [
      'dstport = ssh',
      11,
      "FILTER: column 11: 'dstport' is an integer field; expected an unsigned integer, found word 'ssh'",
    ],
    [
      "dstport in (22, '3389')",
      17,
      "FILTER: column 17: 'dstport' is an integer field; expected an unsigned integer, found string '3389'",
    ],
    [
      'bytes > -1',
      9,
      "FILTER: column 9: 'bytes' is an integer field; expected an unsigned integer, found word '-1'",
    ],
    [
      'account-id = 123456789010',
      14,
      "FILTER: column 14: 'account-id' is a string field; expected a word or quoted string, found number 123456789010 (quote it: '123456789010')",
    ],
    [
      'srcaddr > 10.0.0.1',
      9,
      "FILTER: column 9: '>' needs an integer field; 'srcaddr' is a string field (use =, !=, in, not in)",
    ],
    [
      'srcaddr = 10.0.0.0/8',
      9,
      "FILTER: column 9: '=' compares exact text; expected 'in' for the CIDR '10.0.0.0/8' ('srcaddr in 10.0.0.0/8')",
    ],
    [
      'action != -',
      11,
      "FILTER: column 11: '-' marks an absent value and never matches; write 'action is absent'",
    ],
  ])('refuses %j as FILTER_TYPE', (expression, column, message) => {
    // Act
    const error = errorOf(expression);

    // Assess
    expect(error.code).toBe('FILTER_TYPE');
    expect(error.column).toBe(column);
    expect(error.message).toBe(message);
  });

  it.each([
    ['10.0.0.0/33', 'the prefix length must be 0 to 32'],
    ['10.0.0/8', 'the address is neither IPv4 (a.b.c.d) nor IPv6'],
    ['10.0.0.256/32', 'the address is neither IPv4 (a.b.c.d) nor IPv6'],
    ['fd00::/129', 'the prefix length must be 0 to 128'],
    ['fd00:::1/64', 'the address is neither IPv4 (a.b.c.d) nor IPv6'],
    ['10.0.0.0/', 'the prefix length must be 0 to 32'],
    [
      '10.1.0.0/8',
      'it has bits set after the /8 prefix (the network is 10.0.0.0/8)',
    ],
    [
      'fd00::1/64',
      'it has bits set after the /64 prefix (the network is fd00:0:0:0:0:0:0:0/64)',
    ],
  ])('refuses the CIDR %s, naming it', (cidr, reason) => {
    // Act
    const error = errorOf(`dstaddr not in (192.0.2.0/24, ${cidr})`);

    // Assess
    expect(error.code).toBe('FILTER_CIDR');
    expect(error.message).toBe(
      `FILTER: column 31: invalid CIDR '${cidr}': ${reason}; expected e.g. 10.0.0.0/8 or fd00::/8`
    );
  });

  it('refuses an expression longer than 4096 characters', () => {
    // Prepare
    const expression = `action = ${'x'.repeat(4088)}`;

    // Act
    const error = errorOf(expression);

    // Assess
    expect(error.code).toBe('FILTER_LIMIT');
    expect(error.message).toBe('FILTER: 4097 characters > 4096 allowed');
  });

  it('refuses nesting deeper than 64', () => {
    // Prepare
    const expression = `${'('.repeat(32)}${'not '.repeat(33)}action = REJECT${')'.repeat(32)}`;

    // Act
    const error = errorOf(expression);

    // Assess
    expect(error.code).toBe('FILTER_LIMIT');
    expect(error.message).toBe(
      "FILTER: column 161: nesting depth 65 > 64 allowed (parentheses and 'not')"
    );
  });

  it('applies limits given as options', () => {
    // Act
    const long = errorOf('action = REJECT', { maxChars: 10 });
    const deep = errorOf('((action = REJECT))', { maxDepth: 1 });

    // Assess
    expect(long.message).toBe('FILTER: 15 characters > 10 allowed');
    expect(deep.message).toBe(
      "FILTER: column 2: nesting depth 2 > 1 allowed (parentheses and 'not')"
    );
  });
});
