// Peak memory of one invocation of the bundled handler on a maximal event:
// ~6.2 MB of 29-field version-5 lines, whose records past the response budget
// are re-ingested into scripts/local-firehose.mjs on 127.0.0.1 (no AWS).
//   npm run build && node --import tsx test/bench/peak-rss.ts
// The invocation runs in a child `node` without tsx, whose loader thread
// would otherwise inflate the figure; the child's peak RSS
// (process.resourceUsage().maxRSS) covers module load, the parsed event, the
// handler, re-ingestion and the runtime's JSON.stringify of the response.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** Memory of the smallest function size we recommend, in MB. */
const LAMBDA_MEMORY_MB = 256;

/** Room to keep free under the function's memory, in MB. */
const SPARE_MB = 32;

const CHILD = `
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
const url = (path) => pathToFileURL(resolve(path)).href;
const local = await import(url('scripts/local-firehose.mjs'));
const big = await import(url('scripts/make-big-event.mjs'));
const endpoint = await local.startLocalFirehose();
Object.assign(process.env, {
  AWS_ENDPOINT_URL_FIREHOSE: endpoint.url,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  FLOW_LOG_FORMAT: big.V5_29_FORMAT,
  POWERTOOLS_LOG_LEVEL: 'ERROR',
  POWERTOOLS_METRICS_DISABLED: 'true',
});
const { handler } = await import(url('dist/flow-log-processor/index.mjs'));
const loadedMiB = process.memoryUsage().rss / 1048576;
// Lambda hands the handler a parsed event; its JSON text is not kept.
let json = JSON.stringify(big.makeBigEvent());
const eventBytes = json.length;
const event = JSON.parse(json);
json = undefined;
const response = await handler(event, {
  awsRequestId: 'peak-rss',
  getRemainingTimeInMillis: () => 120000,
});
const responseBytes = Buffer.byteLength(JSON.stringify(response));
const results = response.records.map((r) => r.result);
const count = (result) => results.filter((r) => r === result).length;
process.stdout.write(JSON.stringify({
  peakMiB: process.resourceUsage().maxRSS / 1024,
  loadedMiB,
  eventBytes,
  responseBytes,
  records: results.length,
  ok: count('Ok'),
  dropped: count('Dropped'),
  failed: count('ProcessingFailed'),
  puts: endpoint.received.length,
}));
await endpoint.close();
`;

const bundle = resolve('dist/flow-log-processor/index.mjs');
if (!existsSync(bundle)) {
  throw new Error(`${bundle} is missing: run npm run build first`);
}
const child = spawnSync(
  process.execPath,
  ['--no-warnings', '--input-type=module', '-e', CHILD],
  { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }
);
if (child.status !== 0) {
  throw new Error(`the measuring process failed (exit ${child.status})`);
}
const figures = JSON.parse(child.stdout) as Record<string, number>;
const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(2);
const peak = figures.peakMiB!;
console.log(
  `peak RSS: ${peak.toFixed(1)} MiB (${figures.loadedMiB!.toFixed(1)} MiB after loading the bundle) ` +
    `for a ${mib(figures.eventBytes!)} MiB event of ${figures.records} 29-field v5 records -> ` +
    `${mib(figures.responseBytes!)} MiB response; Ok ${figures.ok}, ` +
    `re-ingested then Dropped ${figures.dropped} (${figures.puts} puts), ` +
    `ProcessingFailed ${figures.failed}; limit ${LAMBDA_MEMORY_MB} MB`
);
if (peak * 1.048576 > LAMBDA_MEMORY_MB - SPARE_MB) {
  console.error(
    `peak RSS leaves less than ${SPARE_MB} MB of a ${LAMBDA_MEMORY_MB} MB function free`
  );
  process.exitCode = 1;
}
