import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  loadIpRangesFromS3,
  parseS3Uri,
} from '../../shared/aws/ip-ranges-source.ts';
import { EnrichError } from '../../shared/enrich/errors.ts';

const s3 = mockClient(S3Client);

/** The part of the SDK's streaming body the loader uses. */
function body(text: string): GetObjectCommandOutput['Body'] {
  const stream = { transformToString: async () => text };
  return stream as unknown as GetObjectCommandOutput['Body'];
}

const DOCUMENT = JSON.stringify({
  syncToken: '1611783258',
  createDate: '2021-01-27-21-34-18',
  prefixes: [
    {
      ip_prefix: '52.20.0.0/14',
      region: 'us-east-1',
      service: 'EC2',
      network_border_group: 'us-east-1',
    },
  ],
  ipv6_prefixes: [],
});

describe('loadIpRangesFromS3', () => {
  beforeEach(() => {
    s3.reset();
  });

  it('reads the object named by IP_RANGES_S3_URI', async () => {
    // Prepare
    s3.on(GetObjectCommand).resolves({ Body: body(DOCUMENT) });

    // Act
    const table = await loadIpRangesFromS3(
      new S3Client({ region: 'us-east-1' }),
      's3://config-bucket/aws/ip-ranges.json'
    );

    // Assess
    expect(s3).toHaveReceivedCommandWith(GetObjectCommand, {
      Bucket: 'config-bucket',
      Key: 'aws/ip-ranges.json',
    });
    expect(table.createDate).toBe('2021-01-27-21-34-18');
    expect(table.source).toBe('s3://config-bucket/aws/ip-ranges.json');
    expect(table.lookup4(0x34_14_00_01)?.service).toBe('EC2');
  });

  it('names the URI when the read fails', async () => {
    // Prepare
    const denied = new Error('Access Denied');
    denied.name = 'AccessDenied';
    s3.on(GetObjectCommand).rejects(denied);

    // Act
    const act = loadIpRangesFromS3(
      new S3Client({ region: 'us-east-1' }),
      's3://b/k.json'
    );

    // Assess
    await expect(act).rejects.toThrow(
      "IP_RANGES_S3_URI: cannot read 's3://b/k.json' (AccessDenied: Access Denied)"
    );
  });

  it('names the URI when the object is not JSON', async () => {
    // Prepare
    s3.on(GetObjectCommand).resolves({ Body: body('<html>') });

    // Act
    const act = loadIpRangesFromS3(
      new S3Client({ region: 'us-east-1' }),
      's3://b/k.json'
    );

    // Assess
    await expect(act).rejects.toThrow(
      "IP_RANGES_S3_URI: 's3://b/k.json' is not JSON"
    );
  });
});

describe('parseS3Uri', () => {
  it('refuses anything but s3://bucket/key', () => {
    // Act
    const act = () => parseS3Uri('https://bucket.s3.amazonaws.com/key');

    // Assess
    expect(act).toThrow(EnrichError);
    expect(act).toThrow('expected s3://bucket/key');
  });
});
