import { describe, expect, it } from 'vitest';
import {
  CommunityIdEnricher,
  communityIdOf,
} from '../../../shared/enrich/community-id.ts';
import { EnrichError } from '../../../shared/enrich/errors.ts';
import { parseFormat } from '../../../shared/flowlog/format.ts';
import { FlowLogLine } from '../../../shared/flowlog/line.ts';
import { planScan, scanLine } from '../../../shared/flowlog/scan.ts';
import type { Enrichment } from '../../../shared/output/types.ts';

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

  it('refuses mixed address families', () => {
    // Assess
    expect(communityIdOf('10.0.0.1', '::1', 6, 1, 2)).toBeUndefined();
  });
});

describe('the community_id enricher', () => {
  it('adds the spec value for a flow-log TCP line in either direction', () => {
    // Prepare
    const enricher = new CommunityIdEnricher(parseFormat(FORMAT));
    const forward: Enrichment = {};
    const reverse: Enrichment = {};

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
    expect(forward).toEqual({ community_id: '1:LQU9qZlK+B5F3KDmev6m5PMibrg=' });
    expect(reverse).toEqual(forward);
  });

  it('hashes a port-less protocol without ports, as the spec does', () => {
    // Prepare
    const enricher = new CommunityIdEnricher(parseFormat(FORMAT));
    const into: Enrichment = {};

    // Act
    enricher.enrich(lineOf(FORMAT, '10.1.12.1 10.1.12.2 0 0 46 ACCEPT'), into);

    // Assess
    expect(into.community_id).toBe('1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=');
  });

  it('uses the seed it was built with', () => {
    // Prepare
    const enricher = new CommunityIdEnricher(parseFormat(FORMAT), 1);
    const into: Enrichment = {};

    // Act
    enricher.enrich(
      lineOf(FORMAT, '192.168.1.52 8.8.8.8 54585 53 17 ACCEPT'),
      into
    );

    // Assess
    expect(into.community_id).toBe('1:Q9We8WO3piVF8yEQBNJF4uiSVrI=');
  });

  it('gives both directions of an ICMP flow-log flow (ports 0 and 0) one ID', () => {
    // Prepare
    const enricher = new CommunityIdEnricher(parseFormat(FORMAT));
    const a: Enrichment = {};
    const b: Enrichment = {};

    // Act
    enricher.enrich(
      lineOf(FORMAT, '203.0.113.12 172.31.16.139 0 0 1 ACCEPT'),
      a
    );
    enricher.enrich(
      lineOf(FORMAT, '172.31.16.139 203.0.113.12 0 0 1 REJECT'),
      b
    );

    // Assess
    expect(a.community_id).toMatch(/^1:[A-Za-z0-9+/]{27}=$/);
    expect(b.community_id).toBe(a.community_id);
  });

  it('adds nothing to NODATA lines, whose tuple is absent', () => {
    // Prepare
    const enricher = new CommunityIdEnricher(parseFormat(FORMAT));
    const into: Enrichment = {};

    // Act
    enricher.enrich(lineOf(FORMAT, '- - - - - -'), into);

    // Assess
    expect(into).toEqual({});
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
