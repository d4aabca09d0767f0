/**
 * SDK clients that only some configurations need. The runtime imports this
 * module dynamically, so the EC2 and S3 clients (most of the bundle) are
 * evaluated only when `eni` or `IP_RANGES_S3_URI` asks for them, and named
 * imports keep the rest of those packages out of the bundle.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { S3Client } from '@aws-sdk/client-s3';

/** An EC2 client for DescribeNetworkInterfaces; honours AWS_ENDPOINT_URL*. */
function createEc2Client(): EC2Client {
  return new EC2Client({});
}

/** An S3 client for GetObject; honours AWS_ENDPOINT_URL*. */
function createS3Client(): S3Client {
  return new S3Client({});
}

export { createEc2Client, createS3Client };
