import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SCHEMA_DIR,
  generate,
} from '../../../scripts/gen-ocsf-schema.mjs';
import {
  ecsErrors,
  OCSF_SUBSET,
  ocsfErrors,
  parseOutputLine,
} from '../../schemas/validate.ts';

type Json = Record<string, unknown>;

/** A valid event: the documented REJECT line of the default format. */
const VALID_EVENT = (): Json => ({
  category_uid: 4,
  category_name: 'Network Activity',
  class_uid: 4001,
  class_name: 'Network Activity',
  severity_id: 1,
  severity: 'Informational',
  activity_id: 5,
  activity_name: 'Refuse',
  type_uid: 400105,
  type_name: 'Network Activity: Refuse',
  action_id: 2,
  action: 'Denied',
  time: 1418530010000,
  metadata: {
    version: '1.1.0',
    profiles: ['cloud', 'security_control'],
    product: { name: 'Amazon VPC', vendor_name: 'AWS' },
  },
  cloud: { provider: 'AWS' },
  src_endpoint: { ip: '172.31.9.69', port: 49761 },
  dst_endpoint: { ip: '172.31.9.12', port: 3389 },
  connection_info: { protocol_num: 6, direction_id: 0 },
  traffic: { bytes: 4249, packets: 20 },
  unmapped: { interface_id: 'eni-1235b8ca123456789' },
});

describe('the OCSF schema subset', () => {
  it('is what scripts/gen-ocsf-schema.mjs makes of the OCSF 1.1.0 source', () => {
    // Prepare: CI and developers have ../shared beside the clone; a fresh
    // clone of its own has only the committed subset, checked below.
    const committed = JSON.parse(
      readFileSync(
        join(
          import.meta.dirname,
          '../../schemas/ocsf-1.1.0-network-activity.json'
        ),
        'utf8'
      )
    );
    if (!existsSync(DEFAULT_SCHEMA_DIR)) {
      expect(committed.class.uid).toBe(4001);
      return;
    }

    // Act
    const regenerated = generate(DEFAULT_SCHEMA_DIR);

    // Assess
    expect(regenerated).toEqual(committed);
  });

  it('resolves class 4001 with its profiles, includes and objects', () => {
    // Assess
    const { attributes } = OCSF_SUBSET.class;
    expect(OCSF_SUBSET.version).toBe('1.1.0');
    expect(attributes.src_endpoint).toMatchObject({
      type: 'network_endpoint',
      requirement: 'required',
    });
    expect(attributes.action_id).toMatchObject({
      requirement: 'required',
      profile: 'security_control',
    });
    expect(attributes.activity_id?.enum?.['6']).toBe('Traffic');
    expect(attributes.type_uid?.enum?.['400105']).toBe(
      'Network Activity: Refuse'
    );
    expect(OCSF_SUBSET.objects.network_endpoint?.constraints).toEqual({
      at_least_one: [
        'ip',
        'uid',
        'name',
        'hostname',
        'svc_name',
        'instance_uid',
        'interface_uid',
        'interface_name',
      ],
    });
  });
});

describe('ocsfErrors', () => {
  it('accepts a valid Network Activity event', () => {
    // Assess
    expect(ocsfErrors(VALID_EVENT())).toEqual([]);
  });

  it.each<[string, (event: Json) => void, string]>([
    [
      'an attribute outside the class',
      (e) => {
        e.community_uid = 'x';
      },
      'community_uid: not an attribute of the class',
    ],
    [
      'an attribute outside an object',
      (e) => {
        (e.connection_info as Json).community_uid = 'x';
      },
      'connection_info.community_uid: not an attribute of connection_info',
    ],
    [
      'a missing required attribute',
      (e) => {
        delete e.time;
      },
      'time: required, missing',
    ],
    [
      "a profile's required attribute",
      (e) => {
        delete e.action_id;
        delete e.action;
      },
      'action_id: required, missing',
    ],
    [
      'an enum value the class does not know',
      (e) => {
        e.severity_id = 7;
        delete e.severity;
      },
      'severity_id: 7 is not one of its enum values',
    ],
    [
      'a caption that does not match its id',
      (e) => {
        e.activity_name = 'Deny';
      },
      "activity_name: 'Deny' is not the caption of activity_id 5 ('Refuse')",
    ],
    [
      'a wrong type_uid',
      (e) => {
        e.type_uid = 400102;
        e.type_name = 'Network Activity: Close';
      },
      'type_uid: 400102, expected 400105',
    ],
    [
      'a port out of range',
      (e) => {
        (e.src_endpoint as Json).port = 65536;
      },
      'src_endpoint.port: "65536" is outside port_t 0-65535',
    ],
    [
      'an address that is not an IP',
      (e) => {
        (e.dst_endpoint as Json).ip = 'eni-1';
      },
      'dst_endpoint.ip: "eni-1" does not match ip_t',
    ],
    [
      'an endpoint without any identity',
      (e) => {
        e.src_endpoint = { port: 1 };
      },
      'src_endpoint: needs at least one of ip, uid, name, hostname, svc_name, instance_uid, interface_uid, interface_name',
    ],
    [
      'a string where an integer belongs',
      (e) => {
        (e.connection_info as Json).protocol_num = '6';
      },
      'connection_info.protocol_num: not an integer',
    ],
    [
      'a long_t past 2^63 - 1',
      (e) => {
        (e.traffic as Json).bytes = 2n ** 64n - 1n;
      },
      'traffic.bytes: "18446744073709551615" is outside long_t',
    ],
    [
      'a scalar where an array belongs',
      (e) => {
        (e.src_endpoint as Json).intermediate_ips = '10.0.0.1';
      },
      'src_endpoint.intermediate_ips: not an array',
    ],
  ])('reports %s', (_name, spoil, expected) => {
    // Prepare
    const event = VALID_EVENT();
    spoil(event);

    // Act
    const errors = ocsfErrors(event);

    // Assess
    expect(errors).toContain(expected);
  });

  it('reads integers past 2^53 exactly', () => {
    // Act
    const event = parseOutputLine('{"a":18446744073709551615,"b":1}');

    // Assess
    expect(event).toEqual({ a: 18446744073709551615n, b: 1 });
  });
});

describe('ecsErrors', () => {
  const valid = (): Json => ({
    '@timestamp': '2014-12-14T04:07:50Z',
    event: { kind: 'event', category: ['network'], type: ['connection'] },
    source: { ip: '10.0.0.1', port: 1, bytes: 2 },
    network: { iana_number: '6', community_id: '1:x' },
    related: { ip: ['10.0.0.1'] },
    aws: { vpcflow: { anything: 1 } },
  });

  it('accepts ECS 8.11 fields and the aws.* custom namespace', () => {
    // Assess
    expect(ecsErrors(valid())).toEqual([]);
  });

  it.each<[string, (doc: Json) => void, string]>([
    [
      'a field ECS does not define',
      (d) => {
        (d.network as Json).foo = 'x';
      },
      'network.foo: not an ECS 8.11 field',
    ],
    [
      'a value outside the allowed values',
      (d) => {
        (d.event as Json).kind = 'flow';
      },
      "event.kind: 'flow' is not an allowed value",
    ],
    [
      'an event type the category does not expect',
      (d) => {
        (d.event as Json).type = ['creation'];
      },
      "event.type: 'creation' is not expected for category 'network'",
    ],
    [
      'a scalar for an array field',
      (d) => {
        (d.related as Json).ip = '10.0.0.1';
      },
      'related.ip: expected an array',
    ],
    [
      'a number for a keyword',
      (d) => {
        (d.network as Json).iana_number = 6;
      },
      'network.iana_number: not a string',
    ],
    [
      'a bad IP',
      (d) => {
        (d.source as Json).ip = '10.0.0';
      },
      'source.ip: "10.0.0" is not an IP address',
    ],
    [
      'a date that is not RFC 3339',
      (d) => {
        d['@timestamp'] = '1418530070';
      },
      '@timestamp: "1418530070" is not an RFC 3339 date',
    ],
    [
      'a long past 2^63 - 1',
      (d) => {
        (d.source as Json).bytes = 2n ** 63n;
      },
      'source.bytes: outside long',
    ],
  ])('reports %s', (_name, spoil, expected) => {
    // Prepare
    const doc = valid();
    spoil(doc);

    // Act
    const errors = ecsErrors(doc);

    // Assess
    expect(errors).toContain(expected);
  });
});
