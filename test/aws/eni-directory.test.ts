import {
  DescribeNetworkInterfacesCommand,
  EC2Client,
  type NetworkInterface,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { EniDirectory } from '../../shared/aws/eni-directory.ts';

const ec2 = mockClient(EC2Client);

function eni(id: string, instance?: string): NetworkInterface {
  return {
    NetworkInterfaceId: id,
    Attachment: instance ? { InstanceId: instance } : undefined,
    Groups: [{ GroupId: 'sg-0123456789abcdef0', GroupName: 'web' }],
    SubnetId: 'subnet-aaaaaaaa012345678',
    VpcId: 'vpc-abcdefab012345678',
    Description: 'Primary network interface',
    InterfaceType: 'interface',
    TagSet: [{ Key: 'team', Value: 'net' }],
  };
}

function throttling(): Error {
  const error = new Error('Rate exceeded');
  error.name = 'RequestLimitExceeded';
  return error;
}

const A = 'eni-0a1b2c3d4e5f60001';
const B = 'eni-0a1b2c3d4e5f60002';
const C = 'eni-0a1b2c3d4e5f60003';

describe('EniDirectory', () => {
  beforeEach(() => {
    ec2.reset();
  });

  it('describes missing ids by filter, paginated, and caches the answers', async () => {
    // Prepare
    ec2
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({
        NetworkInterfaces: [eni(A, 'i-01234567890123456')],
        NextToken: 'page-2',
      })
      .resolvesOnce({ NetworkInterfaces: [eni(B)] });
    const directory = new EniDirectory({
      client: new EC2Client({ region: 'us-east-1' }),
    });

    // Act
    const result = await directory.prefetch(new Set([A, B]));

    // Assess
    expect(result).toEqual({
      requested: 2,
      cached: 0,
      found: 2,
      notFound: 0,
      failed: 0,
      skipped: 0,
      tagsTruncated: 0,
      calls: 2,
    });
    expect(ec2).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 2);
    expect(ec2).toHaveReceivedNthCommandWith(
      DescribeNetworkInterfacesCommand,
      1,
      {
        Filters: [{ Name: 'network-interface-id', Values: [A, B] }],
        MaxResults: 1000,
      }
    );
    expect(ec2).toHaveReceivedNthCommandWith(
      DescribeNetworkInterfacesCommand,
      2,
      {
        NextToken: 'page-2',
      }
    );
    expect(directory.lookup(A)).toEqual({
      eni_instance_id: 'i-01234567890123456',
      eni_security_group_ids: ['sg-0123456789abcdef0'],
      eni_subnet_id: 'subnet-aaaaaaaa012345678',
      eni_vpc_id: 'vpc-abcdefab012345678',
      eni_description: 'Primary network interface',
      eni_interface_type: 'interface',
      eni_tags: { team: 'net' },
    });
    expect(directory.lookup(B)?.eni_instance_id).toBeUndefined();
  });

  it('does not call EC2 again for cached ids', async () => {
    // Prepare
    ec2
      .on(DescribeNetworkInterfacesCommand)
      .resolves({ NetworkInterfaces: [eni(A)] });
    const directory = new EniDirectory({
      client: new EC2Client({ region: 'us-east-1' }),
    });
    await directory.prefetch(new Set([A]));

    // Act
    const result = await directory.prefetch(new Set([A]));

    // Assess
    expect(result).toMatchObject({ requested: 1, cached: 1, calls: 0 });
    expect(ec2).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 1);
  });

  it('negatively caches ids EC2 does not return, and never sends non-ENI ids', async () => {
    // Prepare
    ec2
      .on(DescribeNetworkInterfacesCommand)
      .resolves({ NetworkInterfaces: [eni(A)] });
    const directory = new EniDirectory({
      client: new EC2Client({ region: 'us-east-1' }),
    });
    await directory.prefetch(new Set([A, C, 'interface-id']));

    // Act
    const again = await directory.prefetch(new Set([C, 'interface-id']));

    // Assess
    expect(ec2).toHaveReceivedCommandWith(DescribeNetworkInterfacesCommand, {
      Filters: [{ Name: 'network-interface-id', Values: [A, C] }],
    });
    expect(directory.lookup(C)).toBeUndefined();
    expect(again).toMatchObject({ cached: 2, calls: 0 });
  });

  it('re-asks EC2 once the TTL has passed', async () => {
    // Prepare
    let now = 0;
    ec2
      .on(DescribeNetworkInterfacesCommand)
      .resolves({ NetworkInterfaces: [eni(A)] });
    const directory = new EniDirectory({
      client: new EC2Client({ region: 'us-east-1' }),
      ttlSeconds: 900,
      now: () => now,
    });
    await directory.prefetch(new Set([A]));

    // Act
    now = 900_000;
    await directory.prefetch(new Set([A]));

    // Assess
    expect(ec2).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 2);
  });

  it('degrades to un-enriched lines when EC2 throttles, and backs off', async () => {
    // Prepare
    ec2.on(DescribeNetworkInterfacesCommand).rejects(throttling());
    const directory = new EniDirectory({
      client: new EC2Client({ region: 'us-east-1' }),
    });

    // Act
    const result = await directory.prefetch(new Set([A, B]));
    const retry = await directory.prefetch(new Set([A, B]));

    // Assess
    expect(result).toEqual({
      requested: 2,
      cached: 0,
      found: 0,
      notFound: 0,
      failed: 2,
      skipped: 0,
      tagsTruncated: 0,
      calls: 1,
      error: 'RequestLimitExceeded: Rate exceeded',
    });
    expect(directory.lookup(A)).toBeUndefined();
    expect(retry.calls).toBe(0);
  });

  it('splits more than 200 ids into filter batches', async () => {
    // Prepare
    ec2
      .on(DescribeNetworkInterfacesCommand)
      .resolves({ NetworkInterfaces: [] });
    const directory = new EniDirectory({
      client: new EC2Client({ region: 'us-east-1' }),
    });
    const ids = Array.from(
      { length: 450 },
      (_, i) => `eni-${i.toString(16).padStart(17, '0')}`
    );

    // Act
    const result = await directory.prefetch(new Set(ids));

    // Assess
    expect(result).toMatchObject({ requested: 450, notFound: 450, calls: 3 });
    const sizes = ec2
      .commandCalls(DescribeNetworkInterfacesCommand)
      .map((call) => call.args[0].input.Filters?.[0]?.Values?.length);
    expect(sizes).toEqual([200, 200, 50]);
  });

  it('keeps the ids fetched before a failing batch', async () => {
    // Prepare
    const ids = Array.from(
      { length: 201 },
      (_, i) => `eni-${i.toString(16).padStart(17, '0')}`
    );
    ec2
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [eni(ids[0]!)] })
      .rejectsOnce(throttling());
    const directory = new EniDirectory({
      client: new EC2Client({ region: 'us-east-1' }),
    });

    // Act
    const result = await directory.prefetch(new Set(ids));

    // Assess
    expect(result).toMatchObject({ found: 1, notFound: 199, failed: 1 });
    expect(directory.lookup(ids[0]!)).toBeDefined();
  });
});
