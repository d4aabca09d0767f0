// Issue #10, item 3, "Done when": with no IP_RANGES_S3_URI the function gets
// ip-ranges.json itself, and aws_service names the service of every public
// address of the v5 sample that lies in the ranges served. Offline: a local
// HTTP stand-in of https://ip-ranges.amazonaws.com/ip-ranges.json serves a
// realistic document (helpers/ip-ranges-document.ts); the expected service
// of each address is read directly off the served list by the documented
// rule (named service over AMAZON, then the longest prefix), not from the
// function.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../functions/flow-log-processor/config.ts';
import { buildRuntime } from '../../functions/flow-log-processor/runtime.ts';
import { logger } from '../../shared/observability/logger.ts';
import {
  realisticIpRanges,
  referenceService,
} from './helpers/ip-ranges-document.ts';

const V5_SAMPLE =
  'samples/123456789012_vpcflowlogs_us-east-1_fl-0fedcba9876543210_20261124T0000Z_5e6f7a8b.log.gz';

const document = realisticIpRanges();
const served = Buffer.from(JSON.stringify(document));

/** RFC 1918 and RFC 5737 addresses: never in AWS's published ranges. */
function isPublic(address: string): boolean {
  return !/^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|192\.0\.2\.|198\.51\.100\.|203\.0\.113\.)/.test(
    address
  );
}

describe('aws_service against a local stand-in of the ip-ranges endpoint', () => {
  let server: Server;
  let url: string;
  let requests = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests++;
      if (req.url !== '/ip-ranges.json') {
        res.statusCode = 404;
        res.end();
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end(served);
    });
    await new Promise<void>((resolve) =>
      server.listen(0, '127.0.0.1', resolve)
    );
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ip-ranges.json`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('names the service of every public v5 sample address inside the served ranges', async () => {
    // Prepare
    const info = vi.spyOn(logger, 'info').mockImplementation(() => {});
    const [header, ...lines] = gunzipSync(readFileSync(V5_SAMPLE))
      .toString()
      .trimEnd()
      .split('\n');
    const format = header!
      .split(' ')
      .map((name) => `\${${name}}`)
      .join(' ');
    const runtime = await buildRuntime(
      loadConfig({
        FLOW_LOG_FORMAT: format,
        ENRICH: 'aws_service',
        IP_RANGES_URL: url,
      })
    );
    // Act
    const seen = new Map<string, { service: unknown; region: unknown }>();
    for (const line of lines) {
      runtime.transformer.transform(Buffer.from(line));
      const output = JSON.parse(
        runtime.transformer.output.toBuffer().toString()
      );
      for (const field of [
        'srcaddr',
        'dstaddr',
        'pkt_srcaddr',
        'pkt_dstaddr',
      ]) {
        const address = output[field];
        if (typeof address !== 'string' || !isPublic(address)) continue;
        seen.set(address, {
          service: output[`${field}_aws_service`],
          region: output[`${field}_aws_region`],
        });
      }
    }
    // Assess
    expect(requests).toBe(1);
    expect(info).toHaveBeenCalledWith(
      'ip-ranges loaded for aws_service',
      expect.objectContaining({
        source: url,
        createDate: '2026-11-24-00-00-00',
        prefixes: document.prefixes.length + document.ipv6_prefixes.length,
      })
    );
    expect(seen.size).toBeGreaterThan(500);
    const expected = new Map(
      [...seen.keys()].map((address) => {
        const reference = referenceService(document, address);
        return [
          address,
          { service: reference?.service, region: reference?.region },
        ];
      })
    );
    expect(seen).toEqual(expected);
    // Every public address of the sample lies in a served range: all named.
    const unnamed = [...seen].filter(
      ([, { service }]) => service === undefined
    );
    expect(unnamed).toEqual([]);
    info.mockRestore();
  });
});
