import { describe, expect, it } from 'vitest';
import {
  CommunityIdEnricher,
  communityIdOf,
  communityIdOfIcmp,
} from '../../../shared/enrich/community-id.ts';
import { EnrichError } from '../../../shared/enrich/errors.ts';
import { parseFormat } from '../../../shared/flowlog/format.ts';
import { FlowLogLine } from '../../../shared/flowlog/line.ts';
import { planScan, scanLine } from '../../../shared/flowlog/scan.ts';
import { LineEnrichment } from '../../../shared/output/enrichment.ts';

/**
 * corelight/community-id-spec baseline/baseline_deflt.json (seed 0): proto,
 * saddr, daddr, sport, dport, expected ID. For ICMP the spec's baseline
 * gives the port equivalents (type and counter-type or code) as ports.
 */
// biome-ignore format: one vector per row, as the baseline lists them
const BASELINE_SEED0: ReadonlyArray<
  readonly [number, string, string, number | undefined, number | undefined, string]
> = [
  [58, 'fe80::200:86ff:fe05:80da', 'fe80::260:97ff:fe07:69ea', 135, 136, '1:dGHyGvjMfljg6Bppwm3bg0LO8TY='],
  [58, 'fe80::260:97ff:fe07:69ea', 'fe80::200:86ff:fe05:80da', 136, 135, '1:dGHyGvjMfljg6Bppwm3bg0LO8TY='],
  [58, 'fe80::260:97ff:fe07:69ea', 'fe80::200:86ff:fe05:80da', 135, 136, '1:zavyT/cezQr1fmImYCwYnMXbgck='],
  [58, 'fe80::200:86ff:fe05:80da', 'fe80::260:97ff:fe07:69ea', 136, 135, '1:zavyT/cezQr1fmImYCwYnMXbgck='],
  [58, '3ffe:501:1800:2345::2', '3ffe:507:0:1:200:86ff:fe05:80da', 3, 0, '1:2ObVBgIn28oZvibYZhZMBgh7WdQ='],
  [58, '3ffe:501:410:0:2c0:dfff:fe47:33e', '3ffe:507:0:1:200:86ff:fe05:80da', 1, 4, '1:hLZd0XGWojozrvxqE0dWB1iM6R0='],
  [58, '3ffe:507:0:1:200:86ff:fe05:80da', '3ffe:501:0:1001::2', 128, 129, '1:+TW+HtLHvV1xnGhV1lv7XoJrqQg='],
  [58, '3ffe:501:0:1001::2', '3ffe:507:0:1:200:86ff:fe05:80da', 129, 128, '1:+TW+HtLHvV1xnGhV1lv7XoJrqQg='],
  [58, 'fe80::200:86ff:fe05:80da', 'ff02::2', 133, 134, '1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0='],
  [58, 'fe80::260:97ff:fe07:69ea', 'ff02::1', 134, 133, '1:pkvHqCL88/tg1k4cPigmZXUtL00='],
  [1, '192.168.0.89', '192.168.0.1', 8, 0, '1:X0snYXpgwiv9TZtqg64sgzUn6Dk='],
  [1, '192.168.0.1', '192.168.0.89', 0, 8, '1:X0snYXpgwiv9TZtqg64sgzUn6Dk='],
  [1, '10.0.0.1', '10.0.0.2', 11, 0, '1:YHxtAirCG//0OzkcVAukqKQN9xM='],
  [6, '2001:470:e5bf:dead:4957:2174:e82c:4887', '2607:f8b0:400c:c03::1a', 63943, 25, '1:/qFaeAR+gFe1KYjMzVDsMv+wgU4='],
  [6, '2607:f8b0:400c:c03::1a', '2001:470:e5bf:dead:4957:2174:e82c:4887', 25, 63943, '1:/qFaeAR+gFe1KYjMzVDsMv+wgU4='],
  [132, '192.168.170.8', '192.168.170.56', 7, 7, '1:MP2EtRCAUIZvTw6MxJHLV7N7JDs='],
  [132, '192.168.170.56', '192.168.170.8', 7, 7, '1:MP2EtRCAUIZvTw6MxJHLV7N7JDs='],
  [6, '128.232.110.120', '66.35.250.204', 34855, 80, '1:LQU9qZlK+B5F3KDmev6m5PMibrg='],
  [6, '66.35.250.204', '128.232.110.120', 80, 34855, '1:LQU9qZlK+B5F3KDmev6m5PMibrg='],
  [17, '192.168.1.52', '8.8.8.8', 54585, 53, '1:d/FP5EW3wiY1vCndhwleRRKHowQ='],
  [17, '8.8.8.8', '192.168.1.52', 53, 54585, '1:d/FP5EW3wiY1vCndhwleRRKHowQ='],
  [46, '10.1.12.1', '10.1.12.2', undefined, undefined, '1:KHlLkgoJW7ifUTyTSgyVfkFHzKw='],
  [46, '10.1.12.2', '10.1.12.1', undefined, undefined, '1:KHlLkgoJW7ifUTyTSgyVfkFHzKw='],
];

/** The same spec's baseline_seed1.json, a selection (seed 1). */
// biome-ignore format: one vector per row, as the baseline lists them
const BASELINE_SEED1: ReadonlyArray<
  readonly [number, string, string, number | undefined, number | undefined, string]
> = [
  [6, '128.232.110.120', '66.35.250.204', 34855, 80, '1:3V71V58M3Ksw/yuFALMcW0LAHvc='],
  [17, '8.8.8.8', '192.168.1.52', 53, 54585, '1:Q9We8WO3piVF8yEQBNJF4uiSVrI='],
  [1, '192.168.0.89', '192.168.0.1', 8, 0, '1:03g6IloqVBdcZlPyX8r0hgoE7kA='],
  [58, 'fe80::200:86ff:fe05:80da', 'ff02::2', 133, 134, '1:L7Ka0ZMYu+J3bL4ulW2PrqyXNo8='],
  [46, '10.1.12.2', '10.1.12.1', undefined, undefined, '1:rYir8gphR31noO9iDRQmF/BteEI='],
];

/**
 * The spec's baseline/README.md tables ("Default settings" and "A custom
 * seed=1 value"): ICMP and ICMPv6 rows give the message's type and code,
 * so they test the port-equivalent mapping (echo request and reply share an
 * ID; time exceeded 11 and ICMPv6 146 are one-way). Columns: proto, saddr,
 * daddr, type, code, ID with seed 0, ID with seed 1.
 */
// biome-ignore format: one vector per row, as the README lists them
const ICMP_TABLE: ReadonlyArray<
  readonly [1 | 58, string, string, number, number, string, string]
> = [
  [1, '1.2.3.4', '5.6.7.8', 8, 0, '1:crodRHL2FEsHjbv3UkRrfbs4bZ0=', '1:9pr4ZGTICiuZoIh90RRYE2RyXpU='],
  [1, '5.6.7.8', '1.2.3.4', 0, 0, '1:crodRHL2FEsHjbv3UkRrfbs4bZ0=', '1:9pr4ZGTICiuZoIh90RRYE2RyXpU='],
  [1, '1.2.3.4', '5.6.7.8', 11, 0, '1:f/YiSyWqczrTgfUCZlBUnvHRcPk=', '1:1DD7cWGC/Yg91YGsQeni8du3pIA='],
  [58, 'fe80:0001:0203:0405:0607:0809:0A0B:0C0D', 'fe80:1011:1213:1415:1617:1819:1A1B:1C1D', 128, 0, '1:0bf7hyMJUwt3fMED7z8LIfRpBeo=', '1:IO27GQzPuCtNnwFvjWALMHu5tJE='],
  [58, 'fe80:1011:1213:1415:1617:1819:1A1B:1C1D', 'fe80:0001:0203:0405:0607:0809:0A0B:0C0D', 129, 0, '1:0bf7hyMJUwt3fMED7z8LIfRpBeo=', '1:IO27GQzPuCtNnwFvjWALMHu5tJE='],
  [58, 'fe80:0001:0203:0405:0607:0809:0A0B:0C0D', 'fe80:1011:1213:1415:1617:1819:1A1B:1C1D', 146, 0, '1:fYC8+pz24E+EhANP1EZhpX0Dw10=', '1:Cv4IKJe56BNkF0MBW2YxQ3Nwc3s='],
];

/**
 * The documented ICMP example line of "Flow log record examples"
 * (https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-records-examples.html)
 * and the ID Elastic's AWS integration pipeline (Elasticsearch
 * `community_id` processor, absent ICMP type and code read as 0) writes to
 * `network.community_id` for it.
 */
const AWS_ICMP_LINE =
  '2 123456789010 eni-1235b8ca123456789 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK';
const AWS_ICMP_REPLY =
  '2 123456789010 eni-1235b8ca123456789 172.31.16.139 203.0.113.12 0 0 1 4 336 1432917094 1432917142 REJECT OK';
const ELASTIC_ICMP_ID = '1:H//CCQJhRqDUJ9c23S0VrQ+drxU=';
const V2_FORMAT =
  '${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}';

function lineOf(formatText: string, text: string): FlowLogLine {
  const format = parseFormat(formatText);
  const line = new FlowLogLine(format);
  const reason = scanLine(
    Buffer.from(text),
    0,
    text.length,
    planScan(format),
    line
  );
  if (reason !== undefined) throw new Error(`bad test line: ${reason}`);
  return line;
}

const FORMAT =
  '${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${action}';

describe('Community ID v1', () => {
  it.each(BASELINE_SEED0)(
    'matches the spec baseline for proto %i %s -> %s',
    (proto, saddr, daddr, sport, dport, expected) => {
      // Act
      const id = communityIdOf(saddr, daddr, proto, sport, dport);

      // Assess
      expect(id).toBe(expected);
    }
  );

  it.each(BASELINE_SEED1)(
    'matches the seed-1 baseline for proto %i %s -> %s',
    (proto, saddr, daddr, sport, dport, expected) => {
      // Act
      const id = communityIdOf(saddr, daddr, proto, sport, dport, 1);

      // Assess
      expect(id).toBe(expected);
    }
  );

  it.each(ICMP_TABLE)(
    'maps ICMP proto %i %s -> %s type %i code %i as the spec table does',
    (proto, saddr, daddr, type, code, seed0, seed1) => {
      // Act
      const ids = [0, 1].map((seed) =>
        communityIdOfIcmp(saddr, daddr, proto, type, code, seed)
      );

      // Assess
      expect(ids).toEqual([seed0, seed1]);
    }
  );

  it('refuses mixed address families', () => {
    // Assess
    expect(communityIdOf('10.0.0.1', '::1', 6, 1, 2)).toBeUndefined();
  });
});

describe('the community_id enricher', () => {
  it('adds the spec value for a flow-log TCP line in either direction', () => {
    // Prepare
    const enricher = new CommunityIdEnricher(parseFormat(FORMAT));
    const forward = new LineEnrichment();
    const reverse = new LineEnrichment();

    // Act
    enricher.enrich(
      lineOf(FORMAT, '128.232.110.120 66.35.250.204 34855 80 6 ACCEPT'),
      forward
    );
    enricher.enrich(
      lineOf(FORMAT, '66.35.250.204 128.232.110.120 80 34855 6 ACCEPT'),
      reverse
    );

    // Assess
    expect(forward.toObject()).toEqual({
      community_id: '1:LQU9qZlK+B5F3KDmev6m5PMibrg=',
    });
    expect(reverse.toObject()).toEqual(forward.toObject());
  });

  it('hashes a port-less protocol without ports, as the spec does', () => {
    // Prepare
    const enricher = new CommunityIdEnricher(parseFormat(FORMAT));
    const into = new LineEnrichment();

    // Act
    enricher.enrich(lineOf(FORMAT, '10.1.12.1 10.1.12.2 0 0 46 ACCEPT'), into);

    // Assess
    expect(into.toObject().community_id).toBe('1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=');
  });

  it('uses the seed it was built with', () => {
    // Prepare
    const enricher = new CommunityIdEnricher(parseFormat(FORMAT), 1);
    const into = new LineEnrichment();

    // Act
    enricher.enrich(
      lineOf(FORMAT, '192.168.1.52 8.8.8.8 54585 53 17 ACCEPT'),
      into
    );

    // Assess
    expect(into.toObject().community_id).toBe('1:Q9We8WO3piVF8yEQBNJF4uiSVrI=');
  });

  it('gives the documented ICMP line the ID Elastic gives it', () => {
    // Prepare
    const enricher = new CommunityIdEnricher(parseFormat(V2_FORMAT));
    const into = new LineEnrichment();

    // Act
    enricher.enrich(lineOf(V2_FORMAT, AWS_ICMP_LINE), into);

    // Assess
    expect(into.toObject()).toEqual({ community_id: ELASTIC_ICMP_ID });
  });

  it('reads ICMP ports 0 and 0 as echo reply, so the two directions differ', () => {
    // Prepare
    const enricher = new CommunityIdEnricher(parseFormat(V2_FORMAT));
    const reply = new LineEnrichment();

    // Act
    enricher.enrich(lineOf(V2_FORMAT, AWS_ICMP_REPLY), reply);

    // Assess: each line reads as type 0 (echo reply, counterpart 8), so the
    // spec orders 172.31.16.139 first with ports (0, 8) here and (8, 0) for
    // the request line; Elastic's processor gives the same two IDs.
    expect(reply.toObject().community_id).toBe(
      '1:cfQqw/Kh6+4yqhEKgkCw/m3WoJM='
    );
    expect(reply.toObject().community_id).not.toBe(ELASTIC_ICMP_ID);
  });

  it('reads ICMP srcport and dstport as type and code', () => {
    // Prepare
    const enricher = new CommunityIdEnricher(parseFormat(FORMAT));
    const request = new LineEnrichment();
    const exceeded = new LineEnrichment();

    // Act
    enricher.enrich(lineOf(FORMAT, '1.2.3.4 5.6.7.8 8 0 1 ACCEPT'), request);
    enricher.enrich(lineOf(FORMAT, '1.2.3.4 5.6.7.8 11 0 1 ACCEPT'), exceeded);

    // Assess: the spec README's default-seed rows.
    expect(request.toObject().community_id).toBe(
      '1:crodRHL2FEsHjbv3UkRrfbs4bZ0='
    );
    expect(exceeded.toObject().community_id).toBe(
      '1:f/YiSyWqczrTgfUCZlBUnvHRcPk='
    );
  });

  it('keeps an ICMPv6 type without counterpart one-way, in the order written', () => {
    // Prepare
    const enricher = new CommunityIdEnricher(parseFormat(FORMAT));
    const a = 'fe80:0001:0203:0405:0607:0809:0A0B:0C0D';
    const b = 'fe80:1011:1213:1415:1617:1819:1A1B:1C1D';
    const forward = new LineEnrichment();
    const backward = new LineEnrichment();

    // Act
    enricher.enrich(lineOf(FORMAT, `${a} ${b} 146 0 58 ACCEPT`), forward);
    enricher.enrich(lineOf(FORMAT, `${b} ${a} 0 0 58 ACCEPT`), backward);

    // Assess: the first is the README's one-way row; the second hashes
    // b, a, 58, ports (0, 0) unsorted, as pycommunityid does for is_one_way.
    expect(forward.toObject().community_id).toBe(
      '1:fYC8+pz24E+EhANP1EZhpX0Dw10='
    );
    expect(backward.toObject().community_id).toBe(
      '1:wtitAyDqsLR6BNW0PSLLOHttnn8='
    );
    expect(backward.toObject().community_id).not.toBe(
      communityIdOf(b, a, 58, 0, 0)
    );
  });

  it('reads absent ICMP ports as type 0 code 0, as Elastic does', () => {
    // Prepare
    const enricher = new CommunityIdEnricher(parseFormat(FORMAT));
    const into = new LineEnrichment();

    // Act
    enricher.enrich(
      lineOf(FORMAT, '203.0.113.12 172.31.16.139 - - 1 ACCEPT'),
      into
    );

    // Assess
    expect(into.toObject().community_id).toBe(ELASTIC_ICMP_ID);
  });

  it('adds nothing to NODATA lines, whose tuple is absent', () => {
    // Prepare
    const enricher = new CommunityIdEnricher(parseFormat(FORMAT));
    const into = new LineEnrichment();

    // Act
    enricher.enrich(lineOf(FORMAT, '- - - - - -'), into);

    // Assess
    expect(into.toObject()).toEqual({});
  });

  it('refuses a seed outside 0-65535', () => {
    // Act
    const act = () => new CommunityIdEnricher(parseFormat(FORMAT), 65536);

    // Assess
    expect(act).toThrow(EnrichError);
    expect(act).toThrow(
      "COMMUNITY_ID_SEED: '65536' is not an integer from 0 to 65535"
    );
  });
});
