/**
 * SDK clients that only some configurations need. The runtime imports this
 * module dynamically, so the EC2 and S3 clients (most of the bundle) are
 * evaluated only when `eni` or `IP_RANGES_S3_URI` asks for them, and named
 * imports keep the rest of those packages out of the bundle. Every client
 * has socket timeouts (CLIENT_TIMEOUTS); each call also gets an AbortSignal
 * at the invocation deadline from its adapter.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { S3Client } from '@aws-sdk/client-s3';
import { CLIENT_TIMEOUTS } from '../../shared/aws/deadline.ts';

/**
 * An EC2 client for DescribeNetworkInterfaces; honours AWS_ENDPOINT_URL*.
 * Two attempts: the SDK retries a throttled call once, within the deadline.
 */
function createEc2Client(): EC2Client {
  return new EC2Client({ maxAttempts: 2, requestHandler: CLIENT_TIMEOUTS });
}

/** An S3 client for GetObject; honours AWS_ENDPOINT_URL*. */
function createS3Client(): S3Client {
  return new S3Client({ maxAttempts: 2, requestHandler: CLIENT_TIMEOUTS });
}

export { createEc2Client, createS3Client };
