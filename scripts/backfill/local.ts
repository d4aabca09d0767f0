/**
 * The backfill's local adapters: a folder standing for a bucket, whose
 * relative paths are the S3 keys, read and written with the same streaming
 * as the worker's S3 adapters (shared/aws/backfill-s3.ts).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, stat } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { createGunzip } from 'node:zlib';
import type { BackfillItem } from '../../shared/backfill/batch.ts';
import type { Destination } from '../../shared/backfill/object-backfill.ts';

/** Every file under `root` whose key starts with `prefix`, sorted, as ListObjectsV2 lists them. */
async function listKeys(root: string, prefix: string): Promise<BackfillItem[]> {
  const names = (await readdir(root, { recursive: true })).sort();
  const items: BackfillItem[] = [];
  for (const name of names) {
    const key = name.split(sep).join('/');
    if (!key.startsWith(prefix)) continue;
    const info = await stat(join(root, name));
    if (info.isFile()) items.push({ Key: key, Size: Number(info.size) });
  }
  return items;
}

/** A file's bytes, gunzipped when its name ends in `.gz`. */
async function* openLocal(root: string, key: string): AsyncIterable<Buffer> {
  const file = createReadStream(join(root, key));
  const stream = key.endsWith('.gz') ? file.pipe(createGunzip()) : file;
  if (stream !== file) file.on('error', (error) => stream.destroy(error));
  for await (const chunk of stream) yield chunk as Buffer;
}

/** Files under `root`, written to `<key>.partial` then renamed. */
function fileDestination(root: string): Destination {
  return {
    async open(key) {
      const path = join(root, key);
      await mkdir(dirname(path), { recursive: true });
      const stream = createWriteStream(`${path}.partial`);
      return {
        stream,
        commit: () => rename(`${path}.partial`, path),
      };
    },
  };
}

export { fileDestination, listKeys, openLocal };
