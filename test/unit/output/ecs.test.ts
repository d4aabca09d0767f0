import { describe, expect, it } from 'vitest';
import { VPC_DEFAULT_FORMAT } from '../../../shared/flowlog/fields.ts';
import type { FlowLogFormat } from '../../../shared/flowlog/format.ts';
import { ECS_VERSION, EcsSerializer } from '../../../shared/output/ecs.ts';
import type { Enrichment } from '../../../shared/output/types.ts';
import { renderLines, renderOne } from '../../helpers/render.ts';
import { ecsErrors, expectValidOutput } from '../../schemas/validate.ts';

const create = (format: FlowLogFormat) => new EcsSerializer(format);
/** Renders and checks every document against the ECS 8.11 fields. */
const render = (
  formatText: string,
  lines: readonly string[],
  enrichment?: Enrichment
) => {
  const output = renderLines(create, formatText, lines, enrichment);
  expectValidOutput('ecs', output);
  return output;
};
const one = (formatText: string, text: string, enrichment?: Enrichment) => {
  const doc = renderOne(create, formatText, text, enrichment);
  expect(ecsErrors(doc)).toEqual([]);
  return doc;
};

const REJECTED =
  '2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK';

describe('EcsSerializer', () => {
  it('maps a rejected flow as the Elastic integration does', () => {
    // Act
    const doc = one(VPC_DEFAULT_FORMAT, REJECTED);

    // Assess
    expect(ECS_VERSION).toBe('8.11.0');
    expect(doc).toMatchObject({
      // 1418530070 s = 2014-12-14T04:07:50Z (elastic/beats golden file)
      '@timestamp': '2014-12-14T04:07:50Z',
      event: {
        kind: 'event',
        category: ['network'],
        type: ['connection', 'denied'],
        action: 'reject',
        outcome: 'failure',
        start: '2014-12-14T04:06:50Z',
      },
      network: { iana_number: '6', transport: 'tcp', type: 'ipv4' },
      related: { ip: ['172.31.9.69', '172.31.9.12'] },
    });
  });

  it('keeps every digit of 64-bit counters, under aws.vpcflow past long', () => {
    // Prepare
    const text =
      '2 123456789010 eni-1 10.0.0.1 10.0.0.2 1 2 6 18446744073709551615 9223372036854775807 1 2 ACCEPT OK';

    // Act
    const output = render(VPC_DEFAULT_FORMAT, [text]);

    // Assess: ECS long holds 2^63 - 1; packets is 2^64 - 1.
    expect(output).toContain(
      '"source":{"address":"10.0.0.1","ip":"10.0.0.1","port":1,"bytes":9223372036854775807}'
    );
    expect(output).toContain('"network":{"bytes":9223372036854775807,');
    expect(output).toContain('"packets":18446744073709551615');
    expect(JSON.parse(output)).toHaveProperty('aws.vpcflow.packets');
  });

  it('keeps times RFC 3339 cannot write under aws.vpcflow', () => {
    // Act
    const doc = one('${start} ${end}', '253402300800 253402300799');

    // Assess
    expect(doc).toMatchObject({
      '@timestamp': '9999-12-31T23:59:59Z',
      event: { end: '9999-12-31T23:59:59Z' },
      aws: { vpcflow: { start: 253402300800 } },
    });
    expect(doc).not.toHaveProperty('event.start');
    expect(doc).not.toHaveProperty('aws.vpcflow.end');
  });

  it.each([
    ['0', []],
    ['19', ['fin', 'syn', 'ack']],
    ['63', ['fin', 'syn', 'rst', 'psh', 'ack', 'urg']],
    // 255: every bit of the 8-bit TCP control field (RFC 9293 §3.1).
    ['255', ['fin', 'syn', 'rst', 'psh', 'ack', 'urg']],
  ])('names the flags of tcp-flags %s', (flags, names) => {
    // Act
    const doc = one('${tcp-flags}', flags);

    // Assess
    expect(doc).toHaveProperty('aws.vpcflow.tcp_flags_array', names);
  });

  // RFC 9293 §3.1: TCP has 8 control bits, so a value above 255 names no
  // flags (the tcp_flags enricher adds nothing for it either); the value
  // itself stays under aws.vpcflow.
  it.each(['256', '18446744073709551615', '1152921504606846978'])(
    'names no flags for tcp-flags %s above 255',
    (flags) => {
      // Act
      const output = render('${tcp-flags}', [flags]);

      // Assess
      expect(output).not.toContain('tcp_flags_array');
      expect(output).toContain(`"aws":{"vpcflow":{"tcp_flags":${flags}}`);
    }
  );

  // ECS source.port/destination.port are `long` fields holding a 16-bit
  // port (https://www.elastic.co/guide/en/ecs/current/ecs-source.html;
  // RFC 9293 §3.1 and RFC 768: 16-bit port fields): a value outside
  // 0-65535 is left out and kept under aws.vpcflow with every digit.
  it.each(['65536', '18446744073709551615'])(
    'keeps srcport/dstport %s under aws.vpcflow',
    (port) => {
      // Act
      const output = render(VPC_DEFAULT_FORMAT, [
        `2 123456789010 eni-1 10.0.0.1 10.0.0.2 ${port} ${port} 6 1 40 1418530010 1418530070 ACCEPT OK`,
      ]);

      // Assess
      const doc = JSON.parse(output);
      expect(doc.source).toEqual({
        address: '10.0.0.1',
        ip: '10.0.0.1',
        bytes: 40,
        packets: 1,
      });
      expect(doc.destination).toEqual({ address: '10.0.0.2', ip: '10.0.0.2' });
      expect(output).toContain(`"srcport":${port},"dstport":${port}`);
    }
  );

  it('maps port 65535, the largest 16-bit port, to source.port', () => {
    // Act
    const doc = one('${srcport} ${dstport}', '65535 0');

    // Assess
    expect(doc).toMatchObject({
      source: { port: 65535 },
      destination: { port: 0 },
    });
    expect(doc).not.toHaveProperty('aws.vpcflow.srcport');
  });

  // ECS source.ip, destination.ip and related.ip are type `ip`
  // (https://www.elastic.co/guide/en/ecs/current/ecs-source.html): text
  // that is no IPv4 (RFC 791 dotted decimal) or IPv6 (RFC 4291 §2.2)
  // address keeps source.address (keyword) and aws.vpcflow, nothing typed.
  it.each(['999.1.1.1', 'not-an-ip', '1.2.3.4/8', '010.0.0.1'])(
    'keeps srcaddr %s out of ECS ip fields',
    (address) => {
      // Act
      const output = render(VPC_DEFAULT_FORMAT, [
        `2 123456789010 eni-1 ${address} 10.0.0.2 443 22 6 1 40 1418530010 1418530070 ACCEPT OK`,
      ]);

      // Assess
      const doc = JSON.parse(output);
      expect(doc.source).toEqual({
        address,
        port: 443,
        bytes: 40,
        packets: 1,
      });
      expect(doc.related).toEqual({ ip: ['10.0.0.2'] });
      expect(doc.network).not.toHaveProperty('type');
      expect(doc.aws.vpcflow.srcaddr).toBe(address);
      expect(doc.aws.vpcflow).not.toHaveProperty('dstaddr');
    }
  );

  it('keeps a pkt-dstaddr that is no address out of related.ip', () => {
    // Act
    const doc = one(
      '${srcaddr} ${dstaddr} ${pkt-srcaddr} ${pkt-dstaddr}',
      '10.0.0.1 not-an-ip 10.0.0.1 1.2.3.4/8'
    );

    // Assess
    expect(doc).toMatchObject({
      source: { address: '10.0.0.1', ip: '10.0.0.1' },
      destination: { address: 'not-an-ip' },
      related: { ip: ['10.0.0.1'] },
      aws: { vpcflow: { dstaddr: 'not-an-ip' } },
    });
    expect(doc).not.toHaveProperty('destination.ip');
  });

  it('maps the v7 ECS task fields and reject-reason', () => {
    // Act
    const doc = one(
      '${ecs-cluster-arn} ${ecs-cluster-name} ${ecs-container-instance-arn} ${ecs-container-instance-id} ${ecs-container-id} ${ecs-service-name} ${reject-reason} ${action}',
      'arn:aws:ecs:us-east-1:123456789012:cluster/c1 c1 arn:ci ci-1 abc123 web BPA REJECT'
    );

    // Assess
    expect(doc).toMatchObject({
      orchestrator: {
        type: 'ecs',
        cluster: {
          id: 'arn:aws:ecs:us-east-1:123456789012:cluster/c1',
          name: 'c1',
        },
        resource: { name: 'arn:ci', type: 'container', id: 'ci-1' },
      },
      container: { id: 'abc123' },
      service: { name: 'web' },
      event: { reason: 'BPA', outcome: 'failure' },
    });
  });

  it('lists each related address once, packet addresses included', () => {
    // Act
    const doc = one(
      '${srcaddr} ${dstaddr} ${pkt-srcaddr} ${pkt-dstaddr}',
      '10.0.0.220 10.0.1.5 203.0.113.5 10.0.1.5'
    );

    // Assess
    expect(doc).toHaveProperty('related.ip', [
      '10.0.0.220',
      '10.0.1.5',
      '203.0.113.5',
    ]);
  });

  it('maps enrichment keys with an ECS home and keeps the rest', () => {
    // Prepare
    const enrichment: Enrichment = {
      protocol_name: 'IPv6-ICMP',
      community_id: '1:abc=',
      direction: 'outbound',
      srcaddr_aws_service: 'S3',
    };

    // Act
    const doc = one('${protocol} ${srcaddr}', '58 2001:db8::1', enrichment);

    // Assess
    expect(doc).toMatchObject({
      network: {
        iana_number: '58',
        transport: 'ipv6-icmp',
        type: 'ipv6',
        direction: 'outbound',
        community_id: '1:abc=',
      },
      aws: { vpcflow: { enrichment: { srcaddr_aws_service: 'S3' } } },
    });
    expect(doc).not.toHaveProperty('aws.vpcflow.enrichment.direction');
  });

  it('prefers flow-direction and keeps an unused enrichment direction', () => {
    // Act
    const doc = one('${flow-direction}', 'egress', { direction: 'inbound' });

    // Assess
    expect(doc).toHaveProperty('network.direction', 'egress');
    expect(doc).toHaveProperty('aws.vpcflow.enrichment.direction', 'inbound');
  });

  it('lower-cases an undocumented action and sets no outcome', () => {
    // Act
    const doc = one('${action} ${protocol}', 'DROP 99');

    // Assess
    expect(doc).toHaveProperty('event.action', 'drop');
    expect(doc).toHaveProperty('event.type', ['connection']);
    expect(doc).not.toHaveProperty('event.outcome');
    expect(doc).not.toHaveProperty('network.transport');
  });

  it('writes a line of only absent fields as the fixed members alone', () => {
    // Act
    const doc = one('${srcaddr} ${end}', '- -');

    // Assess
    expect(doc).toEqual({
      ecs: { version: '8.11.0' },
      event: {
        kind: 'event',
        category: ['network'],
        type: ['connection'],
        dataset: 'aws.vpcflow',
      },
      cloud: { provider: 'aws' },
    });
  });
});
