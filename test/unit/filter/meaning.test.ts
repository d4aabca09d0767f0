// FILTER literals checked against the values AWS documents for each field:
// https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html and
// https://docs.aws.amazon.com/vpc/latest/tgw/tgw-flow-logs.html
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  loadConfig,
} from '../../../functions/flow-log-processor/config.ts';
import { buildRuntime } from '../../../functions/flow-log-processor/runtime.ts';
import { compileFilter } from '../../../shared/filter/compile.ts';
import { FilterError } from '../../../shared/filter/errors.ts';
import {
  TGW_DEFAULT_FORMAT,
  VPC_DEFAULT_FORMAT,
} from '../../../shared/flowlog/fields.ts';
import { parseFormat } from '../../../shared/flowlog/format.ts';

/** Every VPC field with a documented set, and two newer ones. */
const VPC = parseFormat(
  '${version} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${bytes} ${type} ${sublocation-type} ${action} ${tcp-flags} ${pkt-src-aws-service} ${pkt-dst-aws-service} ${traffic-path} ${flow-direction} ${log-status} ${reject-reason} ${encryption-status}'
);
const TGW = parseFormat(TGW_DEFAULT_FORMAT);

function errorOf(expression: string, format = VPC): FilterError {
  try {
    compileFilter(expression, format);
  } catch (error) {
    if (error instanceof FilterError) return error;
    throw error;
  }
  throw new Error(`expected '${expression}' to be refused`);
}

/** The warnings compiling `expression` gives (it must compile). */
function warningsOf(expression: string, format = VPC): string[] {
  const warnings: string[] = [];
  const keep = compileFilter(expression, format, {}, (m) => warnings.push(m));
  expect(keep).toBeTypeOf('function');
  return warnings;
}

const VPC_PAGE =
  'https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html';

// The documented values, as the AWS field tables list them.
const DOCUMENTED: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['action', ['ACCEPT', 'REJECT']],
  ['log-status', ['OK', 'NODATA', 'SKIPDATA']],
  ['type', ['IPv4', 'IPv6', 'EFA']],
  ['sublocation-type', ['wavelength', 'outpost', 'localzone']],
  ['flow-direction', ['ingress', 'egress']],
  ['reject-reason', ['BPA']],
];

describe('FILTER values of closed-set fields', () => {
  it('refuses action = reject, naming the value, the allowed values and the case', () => {
    // Act
    const error = errorOf('action = reject');
    // Assess
    expect(error.code).toBe('FILTER_VALUE');
    expect(error.column).toBe(10);
    expect(error.message).toBe(
      "FILTER: column 10: 'reject' is not a value of 'action'; expected one of: ACCEPT, REJECT (values are case-sensitive: 'REJECT')"
    );
  });

  it.each(DOCUMENTED)(
    'accepts every documented value of %s',
    (field, values) => {
      for (const value of values) {
        expect(compileFilter(`${field} = ${value}`, VPC)).toBeTypeOf(
          'function'
        );
      }
      const list = values.map((v) => `'${v}'`).join(', ');
      expect(compileFilter(`${field} not in (${list})`, VPC)).toBeTypeOf(
        'function'
      );
    }
  );

  it.each(DOCUMENTED)(
    'refuses %s values in the wrong case',
    (field, values) => {
      for (const value of values) {
        const wrong =
          value === value.toLowerCase()
            ? value.toUpperCase()
            : value.toLowerCase();
        expect(errorOf(`${field} = '${wrong}'`).message).toContain(
          `'${wrong}' is not a value of '${field}'; expected one of: ${values.join(', ')} (values are case-sensitive: '${value}')`
        );
      }
    }
  );

  it('accepts a value outside the documented set with one warning (AWS may add values)', () => {
    expect(warningsOf('action = DENY')).toEqual([
      `FILTER: column 10: 'DENY' is not a documented value of 'action' (documented: ACCEPT, REJECT; ${VPC_PAGE}); accepted, as AWS may add values: the filter matches lines holding it as written`,
    ]);
  });

  it('accepts reject-reason = EC, which the data path keeps, naming the documented BPA', () => {
    // The AWS field table: reject-reason "Possible values: BPA".
    const [warning, ...rest] = warningsOf('reject-reason = EC');
    expect(rest).toEqual([]);
    expect(warning).toContain(
      "'EC' is not a documented value of 'reject-reason' (documented: BPA;"
    );
    expect(warning).toMatch(/^FILTER: column 17: /);
  });

  it('gives no warning for documented values', () => {
    expect(warningsOf('reject-reason = BPA and action = REJECT')).toEqual([]);
  });

  it('checks every value of an in list, by its output key too', () => {
    expect(errorOf('log_status in (OK, nodata)').message).toBe(
      "FILTER: column 20: 'nodata' is not a value of 'log-status'; expected one of: OK, NODATA, SKIPDATA (values are case-sensitive: 'NODATA')"
    );
  });

  it('checks the Transit Gateway resource-type', () => {
    expect(
      compileFilter('resource-type = TransitGatewayAttachment', TGW)
    ).toBeTypeOf('function');
    expect(errorOf('resource-type = transitgateway', TGW).message).toContain(
      "expected one of: TransitGateway, TransitGatewayAttachment (values are case-sensitive: 'TransitGateway')"
    );
  });

  it('accepts traffic-path = 9 with a warning naming its documented codes 1 to 8', () => {
    expect(warningsOf('traffic-path in (1, 8)')).toEqual([]);
    expect(warningsOf('traffic-path = 9')).toEqual([
      `FILTER: column 16: '9' is not a documented value of 'traffic-path' (documented: 1, 2, 3, 4, 5, 6, 7, 8; ${VPC_PAGE}); accepted, as AWS may add values: the filter matches lines holding it as written`,
    ]);
    expect(warningsOf('traffic-path > 8')).toEqual([]);
  });

  it('accepts encryption-status = 4 with a warning naming 0 to 3', () => {
    // https://docs.aws.amazon.com/vpc/latest/userguide/vpc-encryption-controls.html
    expect(warningsOf('encryption-status in (0, 3)')).toEqual([]);
    expect(warningsOf('encryption-status = 4')[0]).toContain(
      "'4' is not a documented value of 'encryption-status' (documented: 0, 1, 2, 3; https://docs.aws.amazon.com/vpc/latest/userguide/vpc-encryption-controls.html)"
    );
  });

  it('still refuses a string for an integer field and an integer past the type', () => {
    expect(errorOf("traffic-path = 'nine'").code).toBe('FILTER_TYPE');
    // tcp-flags: 8 control bits (RFC 9293 §3.1), so at most 255.
    expect(errorOf('tcp-flags = 256').message).toBe(
      "FILTER: column 13: 'tcp-flags' cannot hold 256: it is a bitmask of the 8 TCP control bits, 0 to 255"
    );
    // Any integer field holds at most 2^64 - 1.
    expect(errorOf('traffic-path = 18446744073709551616').code).toBe(
      'FILTER_VALUE'
    );
  });

  it('refuses only a case slip in AWS service names, which grow', () => {
    expect(compileFilter('pkt-dst-aws-service = S3', VPC)).toBeTypeOf(
      'function'
    );
    expect(compileFilter('pkt-dst-aws-service = BEDROCK', VPC)).toBeTypeOf(
      'function'
    );
    expect(errorOf('pkt-src-aws-service = s3').message).toContain(
      "'s3' is not a value of 'pkt-src-aws-service'; AWS writes its names in upper case, e.g. AMAZON, AMAZON_APPFLOW, AMAZON_CONNECT (values are case-sensitive: 'S3')"
    );
    expect(errorOf('pkt-src-aws-service = Bedrock').message).toContain(
      "(values are case-sensitive: 'BEDROCK')"
    );
  });

  it('leaves fields without a documented set alone', () => {
    expect(compileFilter('srcaddr = anything', VPC)).toBeTypeOf('function');
  });
});

describe('FILTER integer literals', () => {
  it.each([
    [
      'dstport = 99999999999999999999999',
      "FILTER: column 11: 'dstport' cannot hold 99999999999999999999999: it is a 16-bit TCP/UDP port, 0 to 65535",
    ],
    [
      'srcport in (22, 65536)',
      "FILTER: column 17: 'srcport' cannot hold 65536: it is a 16-bit TCP/UDP port, 0 to 65535",
    ],
    [
      'protocol = 256',
      "FILTER: column 12: 'protocol' cannot hold 256: it is an 8-bit IANA protocol number, 0 to 255",
    ],
    [
      'tcp-flags >= 256',
      "FILTER: column 14: 'tcp-flags' cannot hold 256: it is a bitmask of the 8 TCP control bits, 0 to 255",
    ],
    [
      'bytes = 18446744073709551616',
      "FILTER: column 9: 'bytes' cannot hold 18446744073709551616: it is an unsigned 64-bit integer, 0 to 18446744073709551615",
    ],
    [
      'dstport > 65535',
      "FILTER: column 11: 'dstport > 65535' is never true: 'dstport' is at most 65535",
    ],
    [
      'dstport < 0',
      "FILTER: column 11: 'dstport < 0' is never true: 'dstport' is at least 0",
    ],
  ])('refuses %s', (expression, message) => {
    const error = errorOf(expression);
    expect(error.code).toBe('FILTER_VALUE');
    expect(error.message).toBe(message);
  });

  it('accepts the bounds themselves, with leading zeros', () => {
    for (const expression of [
      'dstport = 65535',
      'dstport >= 0',
      'dstport < 65535',
      'protocol in (0, 255)',
      'bytes >= 18446744073709551615',
      'dstport = 000022',
    ]) {
      expect(compileFilter(expression, VPC)).toBeTypeOf('function');
    }
  });
});

describe('FILTER operator slips', () => {
  it.each([
    [
      'action == REJECT',
      "FILTER: column 8: '==' is not a FILTER operator; write '=' (action = REJECT)",
    ],
    [
      'action <> REJECT',
      "FILTER: column 8: '<>' is not a FILTER operator; write '!=' (action != REJECT)",
    ],
    [
      'action !== REJECT',
      "FILTER: column 8: '!==' is not a FILTER operator; write '!=' (action != REJECT)",
    ],
    [
      'bytes => 10',
      "FILTER: column 7: '=>' is not a FILTER operator; write '>=' (bytes >= 1000)",
    ],
    [
      'action = REJECT && dstport = 22',
      "FILTER: column 17: '&&' is not a FILTER operator; write 'and'",
    ],
    [
      'action = REJECT || dstport = 22',
      "FILTER: column 17: '||' is not a FILTER operator; write 'or'",
    ],
    [
      'dstport in [22, 3389]',
      "FILTER: column 12: '[22': brackets are not FILTER syntax; write a list in parentheses after 'in': dstport in (22, 3389)",
    ],
    [
      'action = \u2018REJECT\u2019',
      "FILTER: column 10: '\u2018' is not a FILTER quote; quote values with ' or \" (action = 'REJECT')",
    ],
    [
      'dstport = 22, 3389',
      "FILTER: column 13: expected 'and', 'or' or end of input, found ',' (for several values write 'dstport in (a, b)')",
    ],
    [
      'dstport = 22 or 3389',
      "FILTER: column 17: expected a field name, 'not' or '(', found number 3389 (each condition names its field: 'dstport = 3389', or write 'dstport in (a, b)')",
    ],
    [
      'dstport eq 22',
      "FILTER: column 9: expected an operator (=, !=, <, <=, >, >=, in, not in, is) after 'dstport', found 'eq' (write '=')",
    ],
    [
      'action is not absent',
      "FILTER: column 11: expected 'absent' or 'present' after 'is', found 'not' ('action is not absent' is 'action is present')",
    ],
    [
      'action is REJECT',
      "FILTER: column 11: expected 'absent' or 'present' after 'is', found 'REJECT' (to compare a value write 'action = REJECT')",
    ],
  ])('explains %s', (expression, message) => {
    const error = errorOf(expression, parseFormat(VPC_DEFAULT_FORMAT));
    expect(error.code).toBe('FILTER_SYNTAX');
    expect(error.message).toBe(message);
  });

  it('still accepts != and quoted values', () => {
    expect(
      compileFilter('action != \'REJECT\' and log-status = "OK"', VPC)
    ).toBeTypeOf('function');
  });
});

describe('FILTER field typos', () => {
  it('suggests the field one edit away', () => {
    const error = errorOf('dst-port = 22', parseFormat(VPC_DEFAULT_FORMAT));
    expect(error.code).toBe('FILTER_UNKNOWN_FIELD');
    expect(error.message).toMatch(
      /^FILTER: column 1: field 'dst-port' is not in FLOW_LOG_FORMAT \(did you mean 'dstport'\?\); expected one of: version, /
    );
  });
});

describe('FILTER at cold start', () => {
  it('fails the function naming FILTER, the value and the allowed values', async () => {
    // Act
    const start = buildRuntime(loadConfig({ FILTER: 'action = reject' }));
    // Assess
    await expect(start).rejects.toBeInstanceOf(ConfigError);
    await expect(start).rejects.toThrow(
      "FILTER: column 10: 'reject' is not a value of 'action'; expected one of: ACCEPT, REJECT (values are case-sensitive: 'REJECT')"
    );
  });
});
