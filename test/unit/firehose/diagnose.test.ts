import { describe, expect, it } from 'vitest';
import { likelyCause } from '../../../shared/firehose/diagnose.ts';
import { VPC_DEFAULT_FORMAT } from '../../../shared/flowlog/fields.ts';
import { parseFormat } from '../../../shared/flowlog/format.ts';

/** The format of AWS's version-5 example records (29 fields). */
const V5_FORMAT =
  '${version} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${start} ${end} ${type} ${packets} ${bytes} ${account-id} ${vpc-id} ${subnet-id} ${instance-id} ${interface-id} ${region} ${az-id} ${sublocation-type} ${sublocation-id} ${action} ${tcp-flags} ${pkt-srcaddr} ${pkt-dstaddr} ${pkt-src-aws-service} ${pkt-dst-aws-service} ${traffic-path} ${flow-direction} ${log-status}';
/** The same with log-status and flow-direction swapped. */
const V5_SWAPPED = V5_FORMAT.replace(
  '${flow-direction} ${log-status}',
  '${log-status} ${flow-direction}'
);

describe('likelyCause', () => {
  it('names both field counts when every record fails on the field count', () => {
    // Prepare: the VPC default format (14 fields) reading v5 lines (29)
    const format = parseFormat(VPC_DEFAULT_FORMAT);
    const counters = {
      records: 8000,
      lines: 8000,
      malformed: { too_many_fields: 8000 },
      malformedFieldCounts: { '29': 8000 },
    };
    // Act
    const cause = likelyCause(counters, format);
    // Assess
    expect(cause).toMatch(
      /^FLOW_LOG_FORMAT has 14 fields, lines have 29: 8000 of 8000 records failed as too_many_fields; set FLOW_LOG_FORMAT to the flow log's LogFormat/
    );
  });

  it('names the VPC default format when lines have its 14 fields', () => {
    const format = parseFormat(V5_FORMAT);
    const cause = likelyCause(
      {
        records: 10,
        lines: 10,
        malformed: { too_few_fields: 10 },
        malformedFieldCounts: { '14': 10 },
      },
      format
    );
    expect(cause).toContain(
      'FLOW_LOG_FORMAT has 29 fields, lines have 14 (as the VPC default format has)'
    );
  });

  it('says the order may be wrong when log-status holds flow-direction values', () => {
    // Prepare: v5 lines read with log-status and flow-direction swapped
    const format = parseFormat(V5_SWAPPED);
    const counters = {
      records: 80,
      lines: 8000,
      malformed: {},
      unexpectedValues: {
        'log-status': { lines: 8000, sample: 'egress', recordId: 'r-1' },
        'flow-direction': { lines: 8000, sample: 'OK', recordId: 'r-1' },
      },
    };
    // Act
    const cause = likelyCause(counters, format);
    // Assess
    expect(cause).toBe(
      "FLOW_LOG_FORMAT order may be wrong: 8000 of 8000 lines have log-status values like 'egress', which is a flow-direction value"
    );
  });

  it('lists the documented values when the value belongs to no field', () => {
    const format = parseFormat(VPC_DEFAULT_FORMAT);
    const cause = likelyCause(
      {
        records: 1,
        lines: 3,
        malformed: {},
        unexpectedValues: {
          action: { lines: 3, sample: 'DENY', recordId: 'r' },
        },
      },
      format
    );
    expect(cause).toBe(
      "FLOW_LOG_FORMAT may not match the flow log: 3 of 3 lines have action values like 'DENY' (expected one of: ACCEPT, REJECT)"
    );
  });

  it('gives the documented range when the value is above it', () => {
    // Ports are 16-bit (RFC 9293 section 3.1,
    // https://www.rfc-editor.org/rfc/rfc9293#section-3.1)
    const format = parseFormat(VPC_DEFAULT_FORMAT);
    const cause = likelyCause(
      {
        records: 1,
        lines: 3,
        malformed: {},
        unexpectedValues: {
          srcport: { lines: 3, sample: '65536', recordId: 'r' },
        },
      },
      format
    );
    expect(cause).toBe(
      "FLOW_LOG_FORMAT may not match the flow log: 3 of 3 lines have srcport values like '65536' (expected 0 to 65535: a 16-bit TCP/UDP port)"
    );
  });

  it('names an address field whose text is no IP address', () => {
    // RFC 791: an IPv4 octet is 8 bits, 0 to 255.
    const format = parseFormat(VPC_DEFAULT_FORMAT);
    const cause = likelyCause(
      {
        records: 1,
        lines: 3,
        malformed: {},
        unexpectedValues: {
          srcaddr: { lines: 3, sample: '999.1.1.1', recordId: 'r' },
        },
      },
      format
    );
    expect(cause).toBe(
      "FLOW_LOG_FORMAT may not match the flow log: 3 of 3 lines have srcaddr values like '999.1.1.1' (expected an IPv4 or IPv6 address)"
    );
  });

  it('says when the value belongs to a field the format lacks', () => {
    const format = parseFormat(VPC_DEFAULT_FORMAT);
    const cause = likelyCause(
      {
        records: 1,
        lines: 2,
        malformed: {},
        unexpectedValues: {
          'log-status': { lines: 2, sample: 'ingress', recordId: 'r' },
        },
      },
      format
    );
    expect(cause).toContain(
      "lines have log-status values like 'ingress', which is a flow-direction value, and FLOW_LOG_FORMAT has no flow-direction"
    );
  });

  it('names both field counts when the lines fail as bad_integer', () => {
    // Prepare: v5 lines read with the default format fail at field 9
    const format = parseFormat(VPC_DEFAULT_FORMAT);
    const counters = {
      records: 8000,
      lines: 8000,
      malformed: { bad_integer: 8000 },
      malformedFieldCounts: { '29': 8000 },
    };
    // Act
    const cause = likelyCause(counters, format);
    // Assess
    expect(cause).toMatch(
      /^FLOW_LOG_FORMAT has 14 fields, lines have 29: 8000 of 8000 records failed as bad_integer; set FLOW_LOG_FORMAT/
    );
  });

  it('says the field count when lines fail on it without counts', () => {
    const format = parseFormat(VPC_DEFAULT_FORMAT);
    const cause = likelyCause(
      { records: 2, lines: 2, malformed: { too_few_fields: 2 } },
      format
    );
    expect(cause).toMatch(
      /^FLOW_LOG_FORMAT has 14 fields and 2 of 2 records failed as too_few_fields: set FLOW_LOG_FORMAT/
    );
  });

  it('gives a cause for other reasons that fail most records', () => {
    const format = parseFormat(VPC_DEFAULT_FORMAT);
    const cause = likelyCause(
      {
        records: 4,
        lines: 4,
        malformed: { bad_integer: 3, too_few_fields: 1 },
        malformedFieldCounts: { '14': 3, '2': 1 },
      },
      format
    );
    expect(cause).toBe(
      '3 of 4 records failed as bad_integer: an integer field of FLOW_LOG_FORMAT holds text, so FLOW_LOG_FORMAT order may be wrong'
    );
  });

  it('says nothing when no reason or field dominates', () => {
    const format = parseFormat(VPC_DEFAULT_FORMAT);
    expect(
      likelyCause(
        {
          records: 10,
          lines: 100,
          malformed: { bad_integer: 5 },
          unexpectedValues: {
            action: { lines: 50, sample: 'DENY', recordId: 'r' },
          },
        },
        format
      )
    ).toBeUndefined();
    expect(
      likelyCause({ records: 0, lines: 0, malformed: {} }, format)
    ).toBeUndefined();
  });

  it('names an unknown reason that fails most records', () => {
    const format = parseFormat(VPC_DEFAULT_FORMAT);
    expect(
      likelyCause({ records: 2, lines: 2, malformed: { other: 2 } }, format)
    ).toBe('2 of 2 records failed as other');
  });

  it('says nothing for a scan failure of lines with the right count', () => {
    // invalid_utf8 in lines of the format's own length: no format cause
    const format = parseFormat(VPC_DEFAULT_FORMAT);
    const cause = likelyCause(
      {
        records: 2,
        lines: 2,
        malformed: { invalid_utf8: 2 },
        malformedFieldCounts: { '14': 2 },
      },
      format
    );
    expect(cause).toBe('2 of 2 records failed as invalid_utf8');
  });
});
