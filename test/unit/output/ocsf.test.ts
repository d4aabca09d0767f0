import { describe, expect, it } from 'vitest';
import { VPC_DEFAULT_FORMAT } from '../../../shared/flowlog/fields.ts';
import type { FlowLogFormat } from '../../../shared/flowlog/format.ts';
import { OCSF_VERSION, OcsfSerializer } from '../../../shared/output/ocsf.ts';
import type { Enrichment } from '../../../shared/output/types.ts';
import { renderLines, renderOne } from '../../helpers/render.ts';

const create = (format: FlowLogFormat) => new OcsfSerializer(format);
const render = (
  formatText: string,
  lines: readonly string[],
  enrichment?: Enrichment
) => renderLines(create, formatText, lines, enrichment);
const one = (formatText: string, text: string, enrichment?: Enrichment) =>
  renderOne(create, formatText, text, enrichment);

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

  it('keeps every digit of 64-bit counters and millisecond times', () => {
    // Prepare
    const text =
      '2 123456789010 eni-1 10.0.0.1 10.0.0.2 1 2 6 18446744073709551615 18446744073709551614 18446744073709551615 0 ACCEPT OK';

    // Act
    const output = render(VPC_DEFAULT_FORMAT, [text]);

    // Assess
    expect(output).toContain(
      '"traffic":{"packets":18446744073709551615,"bytes":18446744073709551614}'
    );
    expect(output).toContain('"time":18446744073709551615000');
    expect(output).toContain('"end_time":0');
    expect(output).not.toContain('"duration"');
  });

  it('maps an undocumented action to Other, captioned with the value', () => {
    // Act
    const event = one('${action} ${log-status}', 'DROP WEIRD');

    // Assess
    expect(event).toMatchObject({
      activity_id: 6,
      action_id: 99,
      action: 'DROP',
      disposition_id: 99,
      disposition: 'DROP',
      status_code: 'WEIRD',
      status_id: 99,
      status: 'WEIRD',
    });
    expect(event).not.toHaveProperty('unmapped');
  });

  it('reports SKIPDATA as a failure status and leaves out empty blocks', () => {
    // Act
    const event = one(
      VPC_DEFAULT_FORMAT,
      '2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1431280876 1431280934 - SKIPDATA'
    );

    // Assess
    expect(event).toMatchObject({ status_id: 2, status: 'Failure' });
    for (const key of [
      'connection_info',
      'traffic',
      'src_endpoint',
      'action_id',
    ]) {
      expect(event).not.toHaveProperty(key);
    }
  });

  it('maps traffic-path and type values outside the table to Other', () => {
    // Act
    const event = one(
      '${traffic-path} ${type} ${flow-direction}',
      '9 EFA sideways'
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
      '${interface-id} ${vpc-id} ${flow-direction} ${tgw-src-vpc-id}',
      'eni-1 vpc-1 sideways vpc-2'
    );

    // Assess
    expect(event).not.toHaveProperty('src_endpoint');
    expect(event).not.toHaveProperty('dst_endpoint');
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
      community_uid: '1:LQU9qZlK+B5F3KDmev6m5PMibrg=',
      direction_id: 2,
      direction: 'Outbound',
    });
    expect(event).toHaveProperty('unmapped.enrichment', {
      tcp_flag_names: ['SYN'],
      duration_seconds: 60,
    });
  });

  it('prefers flow-direction and keeps an unused enrichment direction', () => {
    // Act
    const event = one('${flow-direction} ${protocol}', 'ingress 6', {
      direction: 'egress',
      protocol_name: 6,
    });

    // Assess
    expect(event.connection_info).toEqual({
      protocol_num: 6,
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
    const event = one('${protocol}', '17', { direction: word });

    // Assess
    expect(event.connection_info).toMatchObject({
      direction_id: id,
      direction: caption,
    });
    expect(event).not.toHaveProperty('unmapped');
  });

  it('escapes unknown string fields copied to unmapped', () => {
    // Act
    const event = one('${resource-id} ${srcaddr}', 'a"b\\c 10.0.0.1');

    // Assess
    expect(event.unmapped).toEqual({ resource_id: 'a"b\\c' });
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
});
