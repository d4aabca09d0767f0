// Heap bytes of the ENI cache, for docs/enrichment.md and
// ENTRY_OVERHEAD_BYTES in shared/enrich/eni.ts: 20,000 entries (the most
// ENI_CACHE_MAX_ENTRIES allows) of a typical interface and of one at the tag
// cap, measured as the heap growth after a full GC.
//
//   node --expose-gc --import tsx test/aws/helpers/eni-cache-memory.ts
import {
  type EniMetadata,
  EniMetadataCache,
  eniFields,
  entryBytes,
  MAX_TAG_CHARS,
} from '../../../shared/enrich/eni.ts';

const ENTRIES = 20_000;
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

/** Unique strings per entry, as EC2 answers would be. */
function typical(i: number): EniMetadata {
  const hex = i.toString(16).padStart(17, '0');
  return {
    instanceId: `i-${hex}`,
    securityGroupIds: [`sg-${hex}`, `sg-1${hex.slice(1)}`],
    subnetId: `subnet-${hex}`,
    vpcId: `vpc-${hex}`,
    description: `Primary network interface ${i}`,
    interfaceType: 'interface',
    tags: { Name: `web-${i}`, team: `net-${i % 50}`, env: 'prod' },
  };
}

function atTagCap(i: number): EniMetadata {
  const meta = typical(i);
  const tags: Record<string, string> = {};
  let chars = 0;
  for (let t = 0; chars + 128 + 256 <= MAX_TAG_CHARS; t++) {
    const key = `k${t}-${i}`.padEnd(128, 'k');
    tags[key] = `v${i}`.padEnd(256, 'v');
    chars += key.length + 256;
  }
  return { ...meta, description: 'd'.repeat(255), tags };
}

function measure(name: string, make: (i: number) => EniMetadata): void {
  const cache = new EniMetadataCache({
    maxEntries: ENTRIES,
    maxBytes: Number.POSITIVE_INFINITY,
  });
  // Each answer is built and dropped as an SDK response would be: what
  // stays is the cache's entry and the strings it keeps.
  gc!();
  gc!();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < ENTRIES; i++) {
    cache.store(`eni-${i.toString(16).padStart(17, '0')}`, make(i));
  }
  gc!();
  gc!();
  const used = process.memoryUsage().heapUsed - before;
  const estimate = cache.bytes / ENTRIES;
  const fields = eniFields(make(0));
  console.log(
    `${name}: ${ENTRIES} entries take ${(used / 2 ** 20).toFixed(1)} MiB of heap, ${Math.round(used / ENTRIES)} B per entry (estimate ${Math.round(estimate)} B, entryBytes ${entryBytes('eni-00000000000000000', fields)} B); cache.size ${cache.size}`
  );
}

measure('typical interface (2 groups, 3 short tags)', typical);
measure(
  `interface at the tag cap (${MAX_TAG_CHARS} characters of tags, 255-character description)`,
  atTagCap
);
