// Runs the bundled handler on a Firehose event file as Lambda would: settings
// from the environment, a Lambda-like context, the response as JSON.
//   npm run invoke -- EVENT.json [--out RESPONSE.json] [--env-vars ENV.json]
// Without --out the response is the only thing on stdout; logs go to stderr.
// --env-vars reads the same file as `sam local invoke --env-vars`
// ({"FlowLogProcessorFunction": {...}} and/or {"Parameters": {...}});
// variables already set in the shell win over the file.
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const USAGE = `usage: npm run invoke -- EVENT.json [--out RESPONSE.json] [--env-vars ENV.json]

Runs the bundled handler (dist/flow-log-processor/index.mjs) on one Firehose
event as Lambda would, with the function's settings from the environment
(FLOW_LOG_FORMAT, FILTER, ENRICH, OUTPUT_FORMAT, …), and prints the response.

  --out FILE       write the response to FILE instead of stdout
  --env-vars FILE  settings from a 'sam local invoke --env-vars' file
                   ({"FlowLogProcessorFunction": {…}} and/or {"Parameters": {…}},
                   e.g. events/env/*.json); variables set in the shell win
  -h, --help       this text

Logs go to stderr; without --out, stdout carries the response alone.
See events/README.md.`;
const FUNCTION_ID = 'FlowLogProcessorFunction';

/** Options, read with util.parseArgs; a bad one throws naming it. */
function readArgs(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      'env-vars': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  const args = {
    event: positionals[0],
    out: values.out,
    envVars: values['env-vars'],
    help: values.help === true,
  };
  if (args.help) return args;
  if (positionals.length > 1) {
    throw new Error(
      `one event file expected, got '${positionals.join("' '")}'`
    );
  }
  if (args.event === undefined) throw new Error('no event file given');
  if (args.out === '') throw new Error('--out: expected a file');
  if (args.envVars === '') throw new Error('--env-vars: expected a file');
  return args;
}

function lambdaContext(timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  return {
    functionName: 'FlowLogProcessorFunction',
    functionVersion: '$LATEST',
    invokedFunctionArn:
      'arn:aws:lambda:us-east-1:123456789012:function:FlowLogProcessorFunction',
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: '/aws/lambda/FlowLogProcessorFunction',
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done() {},
    fail() {},
    succeed() {},
  };
}

/** A JSON file, or an error naming it. */
async function readJson(path, what) {
  let text;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`${what}: '${path}' cannot be read: ${error.message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${what}: '${path}' is not JSON: ${error.message}`);
  }
}

/** Applies a SAM --env-vars file; the shell's own variables win. */
async function applyEnvFile(path) {
  const file = await readJson(path, '--env-vars');
  if (
    typeof file?.Parameters !== 'object' &&
    typeof file?.[FUNCTION_ID] !== 'object'
  ) {
    throw new Error(
      `--env-vars: '${path}' has neither "${FUNCTION_ID}" nor "Parameters"; expected the sam local invoke --env-vars shape, e.g. events/env/firehose-v2-default.json`
    );
  }
  const values = { ...file.Parameters, ...file[FUNCTION_ID] };
  for (const [name, value] of Object.entries(values)) {
    if (process.env[name] === undefined) process.env[name] = String(value);
  }
}

async function main() {
  let args;
  try {
    args = readArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`invoke: ${error.message}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const event = await readJson(args.event, 'event');
  if (args.envVars !== undefined) await applyEnvFile(args.envVars);
  // Everything the function prints (logs, EMF metrics) goes to stderr so that
  // stdout carries the response alone.
  const writeStdout = process.stdout.write.bind(process.stdout);
  process.stdout.write = process.stderr.write.bind(process.stderr);
  process.env.AWS_REGION ??= 'us-east-1';
  // Local runs on Node 20 need not hear that future SDK releases want Node 22.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  process.env.AWS_LAMBDA_FUNCTION_NAME ??= 'FlowLogProcessorFunction';
  // Lambda sets this in every on-demand execution environment; Powertools
  // Logger reports cold_start true on the first invocation only when it
  // reads 'on-demand' (false for provisioned concurrency and when unset).
  // https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html
  process.env.AWS_LAMBDA_INITIALIZATION_TYPE ??= 'on-demand';
  const bundle = pathToFileURL(resolve('dist/flow-log-processor/index.mjs'));
  const { handler } = await import(bundle.href);
  const response = await handler(event, lambdaContext(120_000));
  const json = `${JSON.stringify(response)}\n`;
  if (args.out) {
    await writeFile(args.out, json);
    process.stderr.write(`response written to ${args.out}\n`);
  } else {
    writeStdout(json);
  }
}

main().catch((error) => {
  process.stderr.write(`invoke: ${error.message}\n`);
  process.exitCode = 1;
});
