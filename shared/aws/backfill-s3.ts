/**
 * S3 for the backfill worker: objects read as streams (gunzipped on the way)
 * and output objects written as streamed multipart uploads, so memory stays
 * bounded by the upload's part buffers whatever the object's size.
 */
import type { Readable } from 'node:stream';
import { PassThrough } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Destination, OpenObject } from '../backfill/object-backfill.ts';

/** Multipart part size: S3's minimum, 5 MiB; two in flight per object. */
const PART_BYTES = 5 * 1024 * 1024;
const PARTS_IN_FLIGHT = 2;

/**
 * An object's bytes, gunzipped when the key ends in `.gz`.
 *
 * @example for await (const bytes of openS3Object(s3, 'logs', 'a.log.gz')) …
 */
async function* openS3Object(
  client: S3Client,
  bucket: string,
  key: string,
  signal?: AbortSignal
): AsyncIterable<Buffer> {
  const response = await client.send(
    new GetObjectCommand({ Bucket: bucket, Key: key }),
    { abortSignal: signal }
  );
  const body = response.Body as Readable | undefined;
  if (body === undefined) return;
  const stream = key.endsWith('.gz') ? body.pipe(createGunzip()) : body;
  if (stream !== body) body.on('error', (error) => stream.destroy(error));
  for await (const chunk of stream) yield chunk as Buffer;
}

/**
 * A destination writing each output object to `bucket` as a streamed
 * multipart upload (`Content-Encoding` is left unset, as Firehose leaves it).
 */
function s3Destination(client: S3Client, bucket: string): Destination {
  return {
    open(key: string): Promise<OpenObject> {
      const stream = new PassThrough();
      const upload = new Upload({
        client,
        params: { Bucket: bucket, Key: key, Body: stream },
        partSize: PART_BYTES,
        queueSize: PARTS_IN_FLIGHT,
      });
      const done = upload.done();
      done.catch(() => undefined);
      return Promise.resolve({
        stream,
        async commit() {
          await done;
        },
      });
    },
  };
}

export { openS3Object, s3Destination };
