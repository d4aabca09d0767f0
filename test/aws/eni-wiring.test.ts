// ENRICH=eni through the runtime the handler builds: EC2 is asked once per
// batch for the batch's interfaces, and the lines come out enriched; when EC2
// fails, the same lines come out Ok without the eni keys.
import {
  DescribeNetworkInterfacesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../functions/flow-log-processor/config.ts';
import {
  buildRuntime,
  prefetchEnrichment,
} from '../../functions/flow-log-processor/runtime.ts';
import { transformBatch } from '../../shared/firehose/batch.ts';
import { firehoseEvent } from '../helpers/render.ts';

const ec2 = mockClient(EC2Client);

const ENI = 'eni-1235b8ca123456789';
const LINE = `2 123456789010 ${ENI} 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK`;
const event = firehoseEvent([
  Buffer.from(JSON.stringify({ message: LINE })).toString('base64'),
]);

describe('ENRICH=eni wiring', () => {
  beforeEach(() => {
    ec2.reset();
    vi.stubEnv('AWS_REGION', 'us-east-1');
  });

  it('prefetches the batch interfaces, then enriches the lines', async () => {
    // Prepare
    ec2.on(DescribeNetworkInterfacesCommand).resolves({
      NetworkInterfaces: [
        {
          NetworkInterfaceId: ENI,
          Attachment: { InstanceId: 'i-01234567890123456' },
          Groups: [{ GroupId: 'sg-0123456789abcdef0' }],
          SubnetId: 'subnet-aaaaaaaa012345678',
          VpcId: 'vpc-abcdefab012345678',
        },
      ],
    });
    const runtime = await buildRuntime(loadConfig({ ENRICH: 'eni' }));

    // Act
    const result = await prefetchEnrichment(runtime, event);
    const { response } = transformBatch(event, runtime.transformer);

    // Assess
    expect(result?.failed).toBe(0);
    expect(ec2).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 1);
    const output = JSON.parse(
      Buffer.from(response.records[0]!.data ?? '', 'base64').toString()
    );
    expect(output).toMatchObject({
      interface_id: ENI,
      eni_instance_id: 'i-01234567890123456',
      eni_security_group_ids: ['sg-0123456789abcdef0'],
      eni_vpc_id: 'vpc-abcdefab012345678',
    });
  });

  it('keeps lines Ok without eni keys when EC2 fails, and counts the failure', async () => {
    // Prepare
    const throttled = new Error('Rate exceeded');
    throttled.name = 'RequestLimitExceeded';
    ec2.on(DescribeNetworkInterfacesCommand).rejects(throttled);
    const runtime = await buildRuntime(loadConfig({ ENRICH: 'eni' }));

    // Act
    const result = await prefetchEnrichment(runtime, event);
    const { response } = transformBatch(event, runtime.transformer);

    // Assess
    expect(result?.failed).toBe(1);
    expect(runtime.eniDirectory?.cache.takeCounts().degraded).toBe(1);
    expect(response.records[0]!.result).toBe('Ok');
    const output = JSON.parse(
      Buffer.from(response.records[0]!.data ?? '', 'base64').toString()
    );
    expect(output.interface_id).toBe(ENI);
    expect(output).not.toHaveProperty('eni_instance_id');
  });

  it('does nothing, and asks nothing, without ENRICH=eni', async () => {
    const runtime = await buildRuntime(loadConfig({}));
    expect(await prefetchEnrichment(runtime, event)).toBeUndefined();
    expect(ec2).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 0);
  });
});
