/**
 * The S3 edge of ENRICH=aws_service: reads a copy of AWS's ip-ranges.json
 * from IP_RANGES_S3_URI at cold start.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { EnrichError } from '../enrich/errors.ts';
import { type IpRangeTable, parseIpRanges } from '../enrich/ip-ranges.ts';

/** A parsed `s3://bucket/key` URI. */
interface S3Location {
  readonly bucket: string;
  readonly key: string;
}

/**
 * Splits `s3://bucket/key`.
 *
 * @throws EnrichError ENRICH_BAD_IP_RANGES naming the setting and value
 * @example parseS3Uri('s3://my-bucket/ip-ranges.json') // { bucket: 'my-bucket', key: 'ip-ranges.json' }
 */
function parseS3Uri(uri: string, setting = 'IP_RANGES_S3_URI'): S3Location {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri.trim());
  if (match === null) {
    throw new EnrichError(
      'ENRICH_BAD_IP_RANGES',
      `${setting}: '${uri}' is not an S3 URI; expected s3://bucket/key`
    );
  }
  return { bucket: match[1]!, key: match[2]! };
}

/**
 * Loads and indexes ip-ranges.json from S3 (GetObject). Call once per cold
 * start; the table's `createDate` tells the snapshot's age.
 *
 * @throws EnrichError ENRICH_BAD_IP_RANGES when the URI, the read or the
 *   document is bad (the message names the URI)
 * @example const table = await loadIpRangesFromS3(new S3Client({}), process.env.IP_RANGES_S3_URI!)
 */
async function loadIpRangesFromS3(
  client: S3Client,
  uri: string
): Promise<IpRangeTable> {
  const { bucket, key } = parseS3Uri(uri);
  let text: string;
  try {
    const response = await client.send(
      new GetObjectCommand({ Bucket: bucket, Key: key })
    );
    if (response.Body === undefined) throw new Error('empty body');
    text = await response.Body.transformToString('utf-8');
  } catch (error) {
    const detail =
      error instanceof Error
        ? `${error.name}: ${error.message}`
        : String(error);
    throw new EnrichError(
      'ENRICH_BAD_IP_RANGES',
      `IP_RANGES_S3_URI: cannot read '${uri}' (${detail})`
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new EnrichError(
      'ENRICH_BAD_IP_RANGES',
      `IP_RANGES_S3_URI: '${uri}' is not JSON`
    );
  }
  return parseIpRanges(json, uri);
}

export type { S3Location };
export { loadIpRangesFromS3, parseS3Uri };
