// The memory half of npm run bench: peak RSS of one invocation of the
// shipped handler bundle on a 0.2, 1, 3 and 6 MB event (29-field v5 lines in
// the {"message"} wrapper, sized by event JSON), each in its own child
// process per Node version, reported as added over the loaded bundle.
// Records past the response budget are re-ingested into
// scripts/local-firehose.mjs, which runs here, in the parent, so that its
// memory is not counted. Alone:
//   npm run build && node --import tsx test/bench/peak-rss.ts [NODE…]
// The child is plain `node` without tsx, whose loader thread would inflate
// the figure. Its peak (process.resourceUsage().maxRSS) covers reading and
// parsing the event text as the runtime does, the handler, re-ingestion and
// the JSON.stringify of the response; "loaded" is its RSS once the bundle's
// cold start is done.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FORMATS, LAMBDA_REQUEST_LIMIT, makeSizedEvent } from './generate.ts';
import {
  formatMemoryLine,
  MEMORY_TARGET_MIB,
  type MemoryResult,
  memoryTable,
} from './report.ts';

/** Event sizes in bytes of JSON; 6 MB is Lambda's request limit. */
const MEMORY_SIZES: ReadonlyArray<readonly [string, number]> = [
  ['0.2 MB', 209_715],
  ['1 MB', 1_048_576],
  ['3 MB', 3_145_728],
  ['6 MB', LAMBDA_REQUEST_LIMIT],
];

/** The part of scripts/local-firehose.mjs used here. */
interface LocalFirehose {
  readonly url: string;
  readonly received: unknown[];
  close(): Promise<void>;
}

/** Imported by URL: local-firehose.mjs is plain ESM, outside the type check. */
async function startLocalFirehose(): Promise<LocalFirehose> {
  const url = new URL('../../scripts/local-firehose.mjs', import.meta.url);
  const local = await import(url.href);
  return (await local.startLocalFirehose()) as LocalFirehose;
}

const CHILD = `
import { readFileSync } from 'node:fs';
const { handler } = await import(process.env.BENCH_BUNDLE_URL);
const loadedMiB = process.memoryUsage().rss / 1048576;
// The runtime receives the event as text and parses it.
let json = readFileSync(process.env.BENCH_EVENT_FILE, 'utf8');
const eventBytes = json.length;
const event = JSON.parse(json);
json = undefined;
const response = await handler(event, {
  awsRequestId: 'peak-rss',
  functionName: 'FlowLogProcessorFunction',
  memoryLimitInMB: '512',
  getRemainingTimeInMillis: () => 120000,
});
const responseBytes = Buffer.byteLength(JSON.stringify(response));
const peakMiB = process.resourceUsage().maxRSS / 1024;
const count = (result) => response.records.filter((r) => r.result === result).length;
process.stdout.write(JSON.stringify({
  node: process.version, loadedMiB, peakMiB, eventBytes, responseBytes,
  records: response.records.length,
  ok: count('Ok'), dropped: count('Dropped'), failed: count('ProcessingFailed'),
}));
`;

/** Runs one probe; resolves with its figures (the parent stays responsive). */
function probe(
  node: string,
  flags: readonly string[],
  env: Record<string, string>
): Promise<Omit<MemoryResult, 'label'>> {
  return new Promise((done, fail) => {
    const child = spawn(node, [...flags, '--input-type=module', '-e', CHILD], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    child.on('error', fail);
    child.on('close', (code) => {
      if (code === 0) done(JSON.parse(out));
      else fail(new Error(`memory probe (${node}) exited with ${code}`));
    });
  });
}

/**
 * Measures every size on every Node, printing a line per probe.
 *
 * @returns per Node path, its results in size order
 */
async function measureMemory(options: {
  nodes: readonly string[];
  flags?: readonly string[];
  bundle?: string;
  sizes?: readonly string[];
  dir?: string;
}): Promise<Map<string, MemoryResult[]>> {
  const bundle = resolve(options.bundle ?? 'dist/flow-log-processor/index.mjs');
  if (!existsSync(bundle)) {
    throw new Error(`${bundle} is missing: run npm run build first`);
  }
  const dir = options.dir ?? 'dist/bench/events';
  mkdirSync(dir, { recursive: true });
  const sizes = MEMORY_SIZES.filter(
    ([label]) => options.sizes === undefined || options.sizes.includes(label)
  );
  const files = sizes.map(([label, bytes]) => {
    const file = resolve(dir, `memory-v5-${bytes}.json`);
    writeFileSync(file, makeSizedEvent({ format: 'v5', bytes }).json);
    return [label, file] as const;
  });
  const endpoint = await startLocalFirehose();
  const results = new Map<string, MemoryResult[]>();
  try {
    for (const node of options.nodes) {
      const list: MemoryResult[] = [];
      for (const [label, file] of files) {
        endpoint.received.length = 0;
        const figures = await probe(node, options.flags ?? [], {
          BENCH_BUNDLE_URL: pathToFileURL(bundle).href,
          BENCH_EVENT_FILE: file,
          FLOW_LOG_FORMAT: FORMATS.v5.format,
          AWS_ENDPOINT_URL_FIREHOSE: endpoint.url,
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
          POWERTOOLS_LOG_LEVEL: 'ERROR',
          POWERTOOLS_METRICS_DISABLED: 'true',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        });
        const result = { label, ...figures };
        list.push(result);
        console.log(formatMemoryLine(result));
      }
      results.set(node, list);
    }
  } finally {
    await endpoint.close();
  }
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const nodes = process.argv.slice(2);
  const results = await measureMemory({
    nodes: nodes.length > 0 ? nodes : ['node'],
  });
  for (const [node, list] of results) {
    console.log(`\n${node}\n\n${memoryTable(list)}`);
  }
  console.log(
    `\ntarget: a 6 MB event adds at most ${MEMORY_TARGET_MIB} MiB over the loaded bundle`
  );
}

export { MEMORY_SIZES, measureMemory };
