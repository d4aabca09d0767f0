// A local stand-in for Amazon Data Firehose's PutRecordBatch, to watch
// re-ingestion without AWS. Point the function at it with
// AWS_ENDPOINT_URL_FIREHOSE=<the printed URL> (docs/reingestion.md).
//   node scripts/local-firehose.mjs [--port N] [--out FILE] [--fail http500|entries]
// Each received record is written as one JSON line
// {"stream":"…","data":"<base64>"} to FILE, or to stdout without --out.
// --fail http500 answers every call with HTTP 500; --fail entries answers
// HTTP 200 with every entry failed, as a throttled stream does.
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const TARGET = 'Firehose_20150804.PutRecordBatch';
const JSON_TYPE = 'application/x-amz-json-1.1';

function reply(response, status, body) {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': JSON_TYPE,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  response.end(text);
}

function answer(request, response, body, options, received) {
  if (request.headers['x-amz-target'] !== TARGET) {
    reply(response, 400, {
      __type: 'UnknownOperationException',
      message: `only ${TARGET} is served here`,
    });
    return;
  }
  if (options.fail === 'http500') {
    reply(response, 500, {
      __type: 'ServiceUnavailableException',
      message: 'local-firehose: failing every call (--fail http500)',
    });
    return;
  }
  const { DeliveryStreamName: stream, Records: records = [] } =
    JSON.parse(body);
  if (options.fail === 'entries') {
    reply(response, 200, {
      FailedPutCount: records.length,
      Encrypted: false,
      RequestResponses: records.map(() => ({
        ErrorCode: 'ServiceUnavailableException',
        ErrorMessage: 'Slow down.',
      })),
    });
    return;
  }
  for (const record of records) {
    const entry = { stream, data: record.Data };
    received.push(entry);
    options.onRecord?.(entry);
  }
  reply(response, 200, {
    FailedPutCount: 0,
    Encrypted: false,
    RequestResponses: records.map(() => ({ RecordId: randomUUID() })),
  });
}

/**
 * Starts the endpoint on 127.0.0.1.
 *
 * @param options.port - 0 (default) picks a free port
 * @param options.fail - 'http500' | 'entries' | undefined; can be changed later
 * @param options.onRecord - called with each received {stream, data}
 * @returns {{ url, received, options, close }} received lists every record put
 */
async function startLocalFirehose(options = {}) {
  const state = { fail: undefined, ...options };
  const received = [];
  const server = createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      try {
        answer(
          request,
          response,
          Buffer.concat(chunks).toString('utf8'),
          state,
          received
        );
      } catch (error) {
        reply(response, 400, {
          __type: 'InvalidArgumentException',
          message: error.message,
        });
      }
    });
  });
  await new Promise((resolve) =>
    server.listen(state.port ?? 0, '127.0.0.1', resolve)
  );
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    options: state,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

const USAGE = `usage: node scripts/local-firehose.mjs [--port N] [--out FILE] [--fail http500|entries]

A local stand-in for Amazon Data Firehose's PutRecordBatch, to watch
re-ingestion without AWS (docs/reingestion.md). Prints the URL to point the
function at with AWS_ENDPOINT_URL_FIREHOSE.

  --port N        port on 127.0.0.1 (default: any free port)
  --out FILE      append each received record as a JSON line to FILE
                  (default: stdout)
  --fail KIND     http500: answer every call with HTTP 500; entries: answer
                  HTTP 200 with every entry failed, as a throttled stream does
  -h, --help      this text`;

/** Options, read with util.parseArgs; a bad one throws naming it. */
function readArgs(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      out: { type: 'string' },
      fail: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const port = values.port === undefined ? undefined : Number(values.port);
  if (
    port !== undefined &&
    !(Number.isInteger(port) && port >= 0 && port <= 65_535)
  ) {
    throw new Error(
      `--port '${values.port}' is not allowed; expected a whole number from 0 to 65535`
    );
  }
  if (
    values.fail !== undefined &&
    !['http500', 'entries'].includes(values.fail)
  ) {
    throw new Error(
      `--fail '${values.fail}' is not allowed; expected http500 or entries`
    );
  }
  return { port, out: values.out, fail: values.fail, help: values.help };
}

async function main() {
  let args;
  try {
    args = readArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`local-firehose: ${error.message}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const write = args.out
    ? (line) => appendFileSync(args.out, line)
    : (line) => process.stdout.write(line);
  const endpoint = await startLocalFirehose({
    port: args.port,
    fail: args.fail,
    onRecord: (entry) => write(`${JSON.stringify(entry)}\n`),
  });
  process.stderr.write(
    `local-firehose listening on ${endpoint.url}\n` +
      `  AWS_ENDPOINT_URL_FIREHOSE=${endpoint.url} AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local npm run invoke -- EVENT.json --out r.json\n`
  );
  if (args.out) process.stdout.write(`${endpoint.url}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error) => {
    process.stderr.write(`local-firehose: ${error.message}\n`);
    process.exitCode = 1;
  });
}

export { startLocalFirehose };
