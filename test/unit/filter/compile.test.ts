import { describe, expect, it } from 'vitest';
import { compileFilter } from '../../../shared/filter/compile.ts';
import { VPC_DEFAULT_FORMAT } from '../../../shared/flowlog/fields.ts';
import {
  type FlowLogFormat,
  formatFromHeader,
  parseFormat,
} from '../../../shared/flowlog/format.ts';
import { FlowLogLine } from '../../../shared/flowlog/line.ts';
import { planScan, scanLine } from '../../../shared/flowlog/scan.ts';

// The AWS documented example records, default format (flow-logs.md section 5).
const ACCEPTED_SSH =
  '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
const REJECTED_RDP =
  '2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK';
const NODATA =
  '2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA';
const SKIPDATA =
  '2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1431280876 1431280934 - SKIPDATA';
const ICMP_ACCEPT =
  '2 123456789010 eni-1235b8ca123456789 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK';
const ICMP_REJECT =
  '2 123456789010 eni-1235b8ca123456789 172.31.16.139 203.0.113.12 0 0 1 4 336 1432917094 1432917142 REJECT OK';
const IPV6_SSH =
  '2 123456789010 eni-1235b8ca123456789 2001:db8:1234:a100:8d6e:3477:df66:f105 2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 6 54 8855 1477913708 1477913820 ACCEPT OK';

const AWS_EXAMPLES = [
  ACCEPTED_SSH,
  REJECTED_RDP,
  NODATA,
  SKIPDATA,
  ICMP_ACCEPT,
  ICMP_REJECT,
  IPV6_SSH,
];

const VPC = parseFormat(VPC_DEFAULT_FORMAT);

/** The lines of `texts` the expression keeps, scanned with `format`. */
function kept(
  expression: string,
  texts: readonly string[],
  format: FlowLogFormat = VPC
): string[] {
  const predicate = compileFilter(expression, format);
  if (predicate === undefined) throw new Error('expected a predicate');
  const plan = planScan(format);
  const line = new FlowLogLine(format);
  return texts.filter((text) => {
    const bytes = Buffer.from(text, 'utf8');
    const malformed = scanLine(bytes, 0, bytes.length, plan, line);
    if (malformed !== undefined) throw new Error(`bad test line: ${malformed}`);
    return predicate(line);
  });
}

/** A default-format line with `bytes` and `srcaddr` replaced. */
function withBytes(bytes: string, srcaddr = '10.0.0.1'): string {
  return `2 123456789010 eni-1 ${srcaddr} 10.0.0.2 1 2 6 1 ${bytes} 1 2 ACCEPT OK`;
}

describe('compileFilter: the examples of issue #3 on AWS example lines', () => {
  it('keeps only the rejected lines for action = REJECT', () => {
    // Act
    const result = kept('action = REJECT', AWS_EXAMPLES);

    // Assess
    expect(result).toEqual([REJECTED_RDP, ICMP_REJECT]);
  });

  it('keeps SSH and RDP lines from outside 10.0.0.0/8', () => {
    // Act
    const result = kept(
      'dstport in (22, 3389) and not srcaddr in 10.0.0.0/8',
      AWS_EXAMPLES
    );

    // Assess
    expect(result).toEqual([ACCEPTED_SSH, REJECTED_RDP, IPV6_SSH]);
  });

  it('drops SSH from inside a matching CIDR', () => {
    // Act
    const result = kept(
      'dstport in (22, 3389) and not srcaddr in 172.31.0.0/16',
      AWS_EXAMPLES
    );

    // Assess
    expect(result).toEqual([IPV6_SSH]);
  });

  it('keeps everything but the NODATA line for log_status != NODATA', () => {
    // Act
    const result = kept('log_status != NODATA', AWS_EXAMPLES);

    // Assess
    expect(result).toEqual(AWS_EXAMPLES.filter((l) => l !== NODATA));
  });

  it('keeps large or ICMP flows for bytes > 1000000 or protocol = 1', () => {
    // Prepare
    const big = withBytes('1000001');
    const limit = withBytes('1000000');

    // Act
    const result = kept('bytes > 1000000 or protocol = 1', [
      ...AWS_EXAMPLES,
      big,
      limit,
    ]);

    // Assess
    expect(result).toEqual([ICMP_ACCEPT, ICMP_REJECT, big]);
  });
});

describe('compileFilter: syntax', () => {
  it('answers undefined for an empty or blank expression', () => {
    // Act
    const results = ['', '   ', '\t\n'].map((e) => compileFilter(e, VPC));

    // Assess
    expect(results).toEqual([undefined, undefined, undefined]);
  });

  it('accepts keywords in any case', () => {
    // Act
    const result = kept(
      'action = REJECT AnD dstport IS PRESENT OR protocol = 1',
      AWS_EXAMPLES
    );

    // Assess
    expect(result).toEqual([REJECTED_RDP, ICMP_ACCEPT, ICMP_REJECT]);
  });

  it('reads log-status and log_status as the same field', () => {
    // Act
    const byName = kept('log-status = SKIPDATA', AWS_EXAMPLES);
    const byKey = kept('log_status = SKIPDATA', AWS_EXAMPLES);

    // Assess
    expect(byName).toEqual([SKIPDATA]);
    expect(byKey).toEqual([SKIPDATA]);
  });

  it('accepts single- and double-quoted strings', () => {
    // Act
    const single = kept("action = 'REJECT'", AWS_EXAMPLES);
    const double = kept('action = "REJECT"', AWS_EXAMPLES);

    // Assess
    expect(single).toEqual([REJECTED_RDP, ICMP_REJECT]);
    expect(double).toEqual([REJECTED_RDP, ICMP_REJECT]);
  });

  it('matches quoted account IDs on the string field account-id', () => {
    // Act
    const result = kept(
      "account-id = '123456789010' and interface-id = eni-11111111aaaaaaaaa",
      AWS_EXAMPLES
    );

    // Assess
    expect(result).toEqual([SKIPDATA]);
  });

  it('binds and tighter than or, and parentheses override it', () => {
    // Act
    const loose = kept(
      'action = REJECT or protocol = 1 and dstport = 0',
      AWS_EXAMPLES
    );
    const grouped = kept(
      '(action = REJECT or protocol = 1) and dstport = 0',
      AWS_EXAMPLES
    );

    // Assess
    expect(loose).toEqual([REJECTED_RDP, ICMP_ACCEPT, ICMP_REJECT]);
    expect(grouped).toEqual([ICMP_ACCEPT, ICMP_REJECT]);
  });

  it('chains three or more terms with and / or', () => {
    // Act
    const any = kept(
      'dstport = 3389 or protocol = 1 or srcaddr in 2001:db8::/32',
      AWS_EXAMPLES
    );
    const all = kept(
      'action = ACCEPT and dstport = 22 and srcaddr in 172.16.0.0/12',
      AWS_EXAMPLES
    );

    // Assess
    expect(any).toEqual([REJECTED_RDP, ICMP_ACCEPT, ICMP_REJECT, IPV6_SSH]);
    expect(all).toEqual([ACCEPTED_SSH]);
  });

  it('accepts nesting up to the default depth of 64', () => {
    // Prepare
    const expression = `${'('.repeat(64)}action = REJECT${')'.repeat(64)}`;

    // Act
    const result = kept(expression, AWS_EXAMPLES);

    // Assess
    expect(result).toEqual([REJECTED_RDP, ICMP_REJECT]);
  });

  it('accepts a single value after in without parentheses', () => {
    // Act
    const result = kept('dstport in 3389', AWS_EXAMPLES);

    // Assess
    expect(result).toEqual([REJECTED_RDP]);
  });
});

describe('compileFilter: integer comparisons', () => {
  it.each([
    ['bytes = 4249', [ACCEPTED_SSH, REJECTED_RDP]],
    ['bytes != 4249', [ICMP_ACCEPT, ICMP_REJECT, IPV6_SSH]],
    ['bytes < 4249', [ICMP_ACCEPT, ICMP_REJECT]],
    ['bytes <= 4249', [ACCEPTED_SSH, REJECTED_RDP, ICMP_ACCEPT, ICMP_REJECT]],
    ['bytes > 4249', [IPV6_SSH]],
    ['bytes >= 4249', [ACCEPTED_SSH, REJECTED_RDP, IPV6_SSH]],
    ['srcport >= 34892', [REJECTED_RDP, IPV6_SSH]],
    ['dstport = 00022', [ACCEPTED_SSH, IPV6_SSH]],
  ])('%s keeps the documented lines', (expression, expected) => {
    // Act
    const result = kept(expression, AWS_EXAMPLES);

    // Assess
    expect(result).toEqual(expected);
  });

  it('compares 64-bit values without losing digits', () => {
    // Prepare: 2^64 - 1 and 2^64 - 2 are the same Number
    const max = withBytes('18446744073709551615');
    const belowMax = withBytes('18446744073709551614');
    const small = withBytes('9007199254740993');

    // Act
    const greater = kept('bytes > 18446744073709551614', [
      max,
      belowMax,
      small,
    ]);
    const equal = kept('bytes = 18446744073709551614', [max, belowMax, small]);
    const less = kept('bytes < 9007199254740994', [max, belowMax, small]);

    // Assess
    expect(greater).toEqual([max]);
    expect(equal).toEqual([belowMax]);
    expect(less).toEqual([small]);
  });

  it('compares values of different lengths by magnitude, not text', () => {
    // Prepare: '9' > '10' as text
    const nine = withBytes('9');
    const ten = withBytes('10');

    // Act
    const result = kept('bytes < 10', [nine, ten]);

    // Assess
    expect(result).toEqual([nine]);
  });

  it('compares at the 64-bit limit; literals beyond it are refused (#9.8)', () => {
    // Prepare
    const max = withBytes('18446744073709551615');

    // Act
    const at = kept('bytes >= 18446744073709551615', [max]);

    // Assess
    expect(at).toEqual([max]);
    expect(() => compileFilter('bytes < 18446744073709551616', VPC)).toThrow(
      "FILTER: column 9: 'bytes' cannot hold 18446744073709551616: it is an unsigned 64-bit integer, 0 to 18446744073709551615"
    );
  });

  it('matches zero, with or without leading zeros in the literal', () => {
    // Act
    const result = kept('dstport in (0000, 3389)', AWS_EXAMPLES);

    // Assess
    expect(result).toEqual([REJECTED_RDP, ICMP_ACCEPT, ICMP_REJECT]);
  });
});

describe('compileFilter: absent values', () => {
  it('makes every comparison with an absent field false, != included', () => {
    // Prepare
    const expressions = [
      'action != ACCEPT',
      'action != REJECT',
      'bytes != 1',
      'bytes < 1',
      'bytes >= 0',
      'srcaddr not in 10.0.0.0/8',
      'dstport not in (22, 3389)',
    ];

    // Act
    const results = expressions.map((e) => kept(e, [NODATA, SKIPDATA]));

    // Assess
    expect(results).toEqual(expressions.map(() => []));
  });

  it('lets not negate an absent comparison to true', () => {
    // Act
    const result = kept('not srcaddr in 10.0.0.0/8', [NODATA, ACCEPTED_SSH]);

    // Assess
    expect(result).toEqual([NODATA, ACCEPTED_SSH]);
  });

  it('tests presence with is absent and is present', () => {
    // Act
    const absent = kept('srcaddr is absent', AWS_EXAMPLES);
    const present = kept(
      'bytes IS PRESENT and action is present',
      AWS_EXAMPLES
    );

    // Assess
    expect(absent).toEqual([NODATA, SKIPDATA]);
    expect(present).toEqual(
      AWS_EXAMPLES.filter((l) => l !== NODATA && l !== SKIPDATA)
    );
  });
});

describe('compileFilter: CIDR membership', () => {
  it('matches IPv6 addresses against IPv6 networks', () => {
    // Act
    const inside = kept('srcaddr in 2001:db8:1234:a100::/56', AWS_EXAMPLES);
    const outside = kept('dstaddr in 2001:db8:1234:a100::/63', AWS_EXAMPLES);
    const wider = kept('dstaddr in 2001:db8:1234:a100::/62', AWS_EXAMPLES);

    // Assess: a102 differs from a100 in bit 63 (0-based 62)
    expect(inside).toEqual([IPV6_SSH]);
    expect(outside).toEqual([]);
    expect(wider).toEqual([IPV6_SSH]);
  });

  it('keeps addresses outside every network of a not in list', () => {
    // Act
    const result = kept(
      'dstaddr not in (10.0.0.0/8, fd00::/8, 203.0.113.0/24)',
      AWS_EXAMPLES
    );

    // Assess
    expect(result).toEqual([ACCEPTED_SSH, REJECTED_RDP, ICMP_ACCEPT, IPV6_SSH]);
  });

  it('mixes exact values and networks in one list', () => {
    // Act
    const result = kept(
      'srcaddr in (172.31.9.69, 203.0.113.0/25, 2001:db8::/32)',
      AWS_EXAMPLES
    );

    // Assess
    expect(result).toEqual([REJECTED_RDP, ICMP_ACCEPT, IPV6_SSH]);
  });

  it('matches everything with /0 of the same family only', () => {
    // Act
    const v4 = kept('srcaddr in 0.0.0.0/0', AWS_EXAMPLES);
    const v6 = kept('srcaddr in ::/0', AWS_EXAMPLES);

    // Assess
    expect(v4).toEqual([ACCEPTED_SSH, REJECTED_RDP, ICMP_ACCEPT, ICMP_REJECT]);
    expect(v6).toEqual([IPV6_SSH]);
  });

  it('does not match IPv4-mapped IPv6 addresses against IPv4 networks', () => {
    // Prepare
    const mapped = withBytes('1', '::ffff:10.1.2.3');

    // Act
    const v4 = kept('srcaddr in 10.0.0.0/8', [mapped]);
    const v6 = kept('srcaddr in ::ffff:10.0.0.0/104', [mapped]);

    // Assess
    expect(v4).toEqual([]);
    expect(v6).toEqual([mapped]);
  });

  it('applies CIDRs to any string field, matching nothing on non-addresses', () => {
    // Prepare
    const format = formatFromHeader('interface-id pkt-srcaddr resource-id');
    const lines = ['eni-1 10.0.0.5 10.9.9.9', 'eni-2 192.0.2.1 not-an-ip'];

    // Act
    const custom = kept('resource-id in 10.0.0.0/8', lines, format);
    const notIn = kept('interface-id not in 10.0.0.0/8', lines, format);
    const pkt = kept('pkt_srcaddr in 192.0.2.0/24', lines, format);

    // Assess
    expect(custom).toEqual([lines[0]]);
    expect(notIn).toEqual(lines);
    expect(pkt).toEqual([lines[1]]);
  });

  it('keeps a quoted value with a slash as exact text', () => {
    // Prepare
    const format = formatFromHeader('ecs-cluster-arn');
    const arn = 'arn:aws:ecs:us-east-1:123456789012:cluster/prod';

    // Act
    const quoted = kept(`ecs-cluster-arn in ('${arn}')`, [arn], format);
    const bare = kept(`ecs-cluster-arn = ${arn}`, [arn], format);

    // Assess
    expect(quoted).toEqual([arn]);
    expect(bare).toEqual([arn]);
  });
});
