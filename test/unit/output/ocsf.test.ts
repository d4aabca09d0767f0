import { describe, expect, it } from 'vitest';
import { VPC_DEFAULT_FORMAT } from '../../../shared/flowlog/fields.ts';
import type { FlowLogFormat } from '../../../shared/flowlog/format.ts';
import { parseFormat } from '../../../shared/flowlog/format.ts';
import { FlowLogLine } from '../../../shared/flowlog/line.ts';
import { planScan, scanLine } from '../../../shared/flowlog/scan.ts';
import {
  OCSF_ATTRIBUTES,
  OCSF_VERSION,
  OcsfFormatError,
  OcsfSerializer,
} from '../../../shared/output/ocsf.ts';
import type { Enrichment } from '../../../shared/output/types.ts';
import { renderLines, renderOne } from '../../helpers/render.ts';
import {
  expectValidOutput,
  OCSF_SUBSET,
  ocsfErrors,
} from '../../schemas/validate.ts';

const create = (format: FlowLogFormat) => new OcsfSerializer(format);
/** Renders and checks every line against the OCSF 1.1.0 schema. */
const render = (
  formatText: string,
  lines: readonly string[],
  enrichment?: Enrichment
) => {
  const output = renderLines(create, formatText, lines, enrichment);
  expectValidOutput('ocsf', output);
  return output;
};
const one = (formatText: string, text: string, enrichment?: Enrichment) => {
  const event = renderOne(create, formatText, text, enrichment);
  expect(ocsfErrors(event)).toEqual([]);
  return event;
};

/** The fields every OCSF format needs, to prefix test formats with. */
const BASE = '${start} ${srcaddr} ${dstaddr}';
const BASE_VALUES = '1418530010 10.0.0.1 10.0.0.2';

function refusal(formatText: string, text: string): string | undefined {
  const format = parseFormat(formatText);
  const line = new FlowLogLine(format);
  const bytes = Buffer.from(text);
  expect(scanLine(bytes, 0, bytes.length, planScan(format), line)).toBe(
    undefined
  );
  return new OcsfSerializer(format).refuse(line);
}

const ACCEPTED =
  '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';

describe('OcsfSerializer', () => {
  it('targets OCSF 1.1.0 Network Activity', () => {
    // Act
    const event = one(VPC_DEFAULT_FORMAT, ACCEPTED);

    // Assess
    expect(OCSF_VERSION).toBe('1.1.0');
    expect(event).toHaveProperty('metadata.version', '1.1.0');
    expect(event).toMatchObject({ class_uid: 4001, category_uid: 4 });
    expect(event.type_uid).toBe(4001 * 100 + Number(event.activity_id));
  });

  it('keeps every digit of 64-bit counters, under unmapped past long_t', () => {
    // Prepare
    const text =
      '2 123456789010 eni-1 10.0.0.1 10.0.0.2 1 2 6 9223372036854775807 18446744073709551614 18446744073709551615 0 ACCEPT OK';

    // Act
    const output = render(VPC_DEFAULT_FORMAT, [text]);

    // Assess: long_t holds 2^63 - 1; bytes and the start are out of range.
    expect(output).toContain('"traffic":{"packets":9223372036854775807}');
    expect(output).toContain(
      '"unmapped":{"interface_id":"eni-1","bytes":18446744073709551614,"start":18446744073709551615}'
    );
    expect(output).toContain('"time":0,"end_time":0');
    expect(output).not.toContain('"duration"');
  });

  it('keeps millisecond epochs out of OCSF times (no year 47,000)', () => {
    // Act
    const event = one(
      VPC_DEFAULT_FORMAT,
      '2 123456789010 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 1432917027 1432917142000 ACCEPT OK'
    );

    // Assess
    expect(event).toMatchObject({
      time: 1432917027000,
      start_time: 1432917027000,
    });
    expect(event).not.toHaveProperty('end_time');
    expect(event).not.toHaveProperty('duration');
    expect(event.unmapped).toEqual({
      interface_id: 'eni-1',
      end: 1432917142000,
    });
  });

  it('refuses a line whose start and end are not Unix seconds', () => {
    // Act
    const reasons = [
      refusal(
        VPC_DEFAULT_FORMAT,
        '2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 1432917027000 1432917142000 ACCEPT OK'
      ),
      refusal(
        VPC_DEFAULT_FORMAT,
        '2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 - - ACCEPT OK'
      ),
      refusal(VPC_DEFAULT_FORMAT, ACCEPTED),
    ];

    // Assess
    expect(reasons).toEqual(['OCSF_NO_TIME', 'OCSF_NO_TIME', undefined]);
  });

  it('refuses an OK line without a source or destination', () => {
    // Act
    const reasons = [
      refusal(
        VPC_DEFAULT_FORMAT,
        '2 1 eni-1 - 10.0.0.2 1 2 6 1 1 1 2 ACCEPT OK'
      ),
      refusal(`${BASE} \${log-status}`, `${BASE_VALUES} OK`),
    ];

    // Assess
    expect(reasons).toEqual(['OCSF_NO_ENDPOINT', undefined]);
  });

  it.each([
    ['${srcaddr} ${dstaddr}', '${start} or ${end}'],
    ['${start} ${dstaddr}', '${srcaddr} or ${pkt-srcaddr}'],
    ['${end} ${srcaddr}', '${dstaddr} or ${pkt-dstaddr}'],
  ])('refuses the format %s at cold start, naming %s', (formatText, names) => {
    // Act
    const act = () => new OcsfSerializer(parseFormat(formatText));

    // Assess
    expect(act).toThrow(OcsfFormatError);
    expect(act).toThrow(
      `OUTPUT_FORMAT: 'ocsf' needs ${names} in FLOW_LOG_FORMAT`
    );
  });

  it('maps an undocumented action to action Unknown and disposition Other', () => {
    // Act
    const event = one(
      `${BASE} \${action} \${log-status}`,
      `${BASE_VALUES} DROP WEIRD`
    );

    // Assess: security_control rules out action_id 99.
    expect(event).toMatchObject({
      activity_id: 6,
      action_id: 0,
      action: 'Unknown',
      disposition_id: 99,
      disposition: 'DROP',
      status_code: 'WEIRD',
      status_id: 99,
      status: 'WEIRD',
    });
    expect(event).not.toHaveProperty('unmapped');
  });

  it.each([
    ['NODATA', 1, 'Success'],
    ['SKIPDATA', 2, 'Failure'],
  ])(
    'writes a %s line as a valid event about the capturing interface',
    (status, id, caption) => {
      // Act
      const event = one(
        VPC_DEFAULT_FORMAT,
        `2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1431280876 1431280934 - ${status}`
      );

      // Assess
      expect(event).toMatchObject({
        status_code: status,
        status_id: id,
        status: caption,
        action_id: 0,
        action: 'Unknown',
        src_endpoint: { interface_uid: 'eni-11111111aaaaaaaaa' },
        dst_endpoint: { interface_uid: 'eni-11111111aaaaaaaaa' },
      });
      for (const key of ['connection_info', 'traffic', 'disposition_id']) {
        expect(event).not.toHaveProperty(key);
      }
    }
  );

  it('names the attachment of a Transit Gateway NODATA line', () => {
    // Act
    const event = one(
      '${start} ${srcaddr} ${dstaddr} ${tgw-attachment-id} ${log-status}',
      '1431280876 - - tgw-attach-0a1b2c3d4e5f60718 NODATA'
    );

    // Assess
    expect(event.src_endpoint).toEqual({ uid: 'tgw-attach-0a1b2c3d4e5f60718' });
    expect(event.dst_endpoint).toEqual({ uid: 'tgw-attach-0a1b2c3d4e5f60718' });
  });

  it('maps traffic-path and type values outside the table to Other', () => {
    // Act
    const event = one(
      `${BASE} \${traffic-path} \${type} \${flow-direction}`,
      `${BASE_VALUES} 9 EFA sideways`
    );

    // Assess
    expect(event.connection_info).toEqual({
      boundary_id: 99,
      boundary: '9',
      protocol_ver_id: 99,
      protocol_ver: 'EFA',
      direction_id: 99,
      direction: 'sideways',
    });
  });

  it('moves the interface fields to unmapped when direction is unknown', () => {
    // Act
    const event = one(
      `${BASE} \${interface-id} \${vpc-id} \${flow-direction} \${tgw-src-vpc-id}`,
      `${BASE_VALUES} eni-1 vpc-1 sideways vpc-2`
    );

    // Assess
    expect(event.src_endpoint).toEqual({ ip: '10.0.0.1' });
    expect(event.dst_endpoint).toEqual({ ip: '10.0.0.2' });
    expect(event.unmapped).toEqual({
      interface_id: 'eni-1',
      vpc_id: 'vpc-1',
      tgw_src_vpc_id: 'vpc-2',
    });
  });

  it('maps enrichment keys with an OCSF home and keeps the rest', () => {
    // Prepare
    const enrichment: Enrichment = {
      protocol_name: 'TCP',
      community_id: '1:LQU9qZlK+B5F3KDmev6m5PMibrg=',
      direction: 'outbound',
      tcp_flag_names: ['SYN'],
      duration_seconds: 60,
    };

    // Act
    const event = one(VPC_DEFAULT_FORMAT, ACCEPTED, enrichment);

    // Assess
    expect(event.connection_info).toMatchObject({
      protocol_name: 'tcp',
      direction_id: 2,
      direction: 'Outbound',
    });
    // community_uid is OCSF 1.2.0; 1.1.0 has no home for a Community ID.
    expect(event).toHaveProperty('unmapped.enrichment', {
      community_id: '1:LQU9qZlK+B5F3KDmev6m5PMibrg=',
      tcp_flag_names: ['SYN'],
      duration_seconds: 60,
    });
  });

  it('prefers flow-direction and keeps an unused enrichment direction', () => {
    // Act
    const event = one(
      `${BASE} \${flow-direction} \${protocol}`,
      `${BASE_VALUES} ingress 6`,
      { direction: 'egress', protocol_name: 6 }
    );

    // Assess
    expect(event.connection_info).toEqual({
      protocol_num: 6,
      protocol_ver_id: 4,
      protocol_ver: 'Internet Protocol version 4 (IPv4)',
      direction_id: 1,
      direction: 'Inbound',
    });
    expect(event).toHaveProperty('unmapped.enrichment', {
      direction: 'egress',
      protocol_name: 6,
    });
  });

  it.each([
    ['internal', 3, 'Lateral'],
    ['inbound', 1, 'Inbound'],
    ['somewhere', 99, 'somewhere'],
  ])('maps enrichment direction %s to direction_id %i', (word, id, caption) => {
    // Act
    const event = one(`${BASE} \${protocol}`, `${BASE_VALUES} 17`, {
      direction: word,
    });

    // Assess
    expect(event.connection_info).toMatchObject({
      direction_id: id,
      direction: caption,
    });
    expect(event).not.toHaveProperty('unmapped');
  });

  it('escapes unknown string fields copied to unmapped', () => {
    // Act
    const event = one(`${BASE} \${future-field}`, `${BASE_VALUES} a"b\\c`);

    // Assess
    expect(event.unmapped).toEqual({ future_field: 'a"b\\c' });
    expect(event).toHaveProperty('connection_info.protocol_ver_id', 4);
  });

  it('writes one newline-terminated object per line', () => {
    // Act
    const output = render(VPC_DEFAULT_FORMAT, [ACCEPTED, ACCEPTED]);

    // Assess
    const lines = output.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(lines[0]).toBe(lines[1]);
  });

  it('lists attribute paths that OCSF 1.1.0 class 4001 defines, with their types', () => {
    // Act
    const wrong = OCSF_ATTRIBUTES.filter(({ path, type, isArray }) => {
      let container = OCSF_SUBSET.class.attributes;
      const parts = path.split('.');
      for (const [i, part] of parts.entries()) {
        const attr = container[part];
        if (attr === undefined) return true;
        if (i === parts.length - 1) {
          return (
            attr.type !== type ||
            (attr.is_array ?? false) !== (isArray ?? false)
          );
        }
        const object = OCSF_SUBSET.objects[attr.type];
        if (object === undefined) return true;
        container = object.attributes;
      }
      return true;
    });

    // Assess
    expect(wrong).toEqual([]);
  });
});

// OCSF 1.1.0 ip_t is an IPv4 or IPv6 address, port_t 0-65535
// (https://schema.ocsf.io/1.1.0/data_types); addresses are RFC 791 dotted
// decimal or RFC 4291 §2.2 text.
// Text that is no address keeps its exact value under `unmapped` and the
// event stays an OK network activity.
describe('OcsfSerializer: address fields that are no address', () => {
  it.each(['999.1.1.1', 'not-an-ip', '1.2.3.4/8', '010.0.0.1'])(
    'keeps srcaddr %s under unmapped, out of ip_t',
    (address) => {
      // Prepare
      const text = `2 123456789010 eni-1 ${address} 10.0.0.2 443 22 6 1 40 1418530010 1418530070 ACCEPT OK`;

      // Act
      const event = renderOne(create, VPC_DEFAULT_FORMAT, text) as {
        src_endpoint: object;
        dst_endpoint: object;
        connection_info: object;
        unmapped: Record<string, unknown>;
      };

      // Assess
      expect(event.src_endpoint).toEqual({ port: 443 });
      expect(event.dst_endpoint).toEqual({ ip: '10.0.0.2', port: 22 });
      expect(event.unmapped.srcaddr).toBe(address);
      expect(event.unmapped).not.toHaveProperty('dstaddr');
      expect(event.connection_info).not.toHaveProperty('protocol_ver_id');
      // Only the endpoint's at_least_one constraint is unmet: no ip_t error.
      expect(ocsfErrors(event).join('\n')).not.toMatch(/ip_t|not an IP/);
    }
  );

  it('uses srcaddr when pkt-srcaddr is no address, keeping pkt-srcaddr', () => {
    // Act
    const event = one(
      `${BASE} \${pkt-srcaddr} \${pkt-dstaddr}`,
      `${BASE_VALUES} 999.1.1.1 10.0.0.2`
    );

    // Assess
    expect(event).toMatchObject({
      src_endpoint: { ip: '10.0.0.1' },
      dst_endpoint: { ip: '10.0.0.2' },
      unmapped: { pkt_srcaddr: '999.1.1.1' },
    });
    expect(event).not.toHaveProperty('src_endpoint.intermediate_ips');
  });

  it('keeps a srcaddr that is no address out of intermediate_ips', () => {
    // Act
    const event = one(
      `${BASE} \${pkt-srcaddr} \${pkt-dstaddr}`,
      '1418530010 not-an-ip 10.0.0.2 10.0.0.9 10.0.0.2'
    );

    // Assess
    expect(event).toMatchObject({
      src_endpoint: { ip: '10.0.0.9' },
      unmapped: { srcaddr: 'not-an-ip' },
    });
    expect(event).not.toHaveProperty('src_endpoint.intermediate_ips');
  });
});
