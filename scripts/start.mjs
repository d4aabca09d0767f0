// The main job on the embedded samples: runs the bundled handler on every
// event in events/ with the settings written beside it, and prints the output.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const SAMPLES = [['firehose-v2-default', {}]];

const bundle = pathToFileURL(resolve('dist/flow-log-processor/index.mjs'));
const writeStdout = process.stdout.write.bind(process.stdout);
process.stdout.write = process.stderr.write.bind(process.stderr);
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
const { handler } = await import(bundle.href);
for (const [name] of SAMPLES) {
  const event = JSON.parse(await readFile(`events/${name}.json`, 'utf8'));
  const response = await handler(event, {
    getRemainingTimeInMillis: () => 60_000,
    awsRequestId: 'start',
  });
  writeStdout(`# events/${name}.json\n`);
  for (const record of response.records) {
    const text = Buffer.from(record.data, 'base64').toString('utf8');
    writeStdout(`${record.result}\t${text.trimEnd().replaceAll('\n', '\n\t')}\n`);
  }
}
