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

const USAGE =
  'usage: npm run invoke -- EVENT.json [--out RESPONSE.json] [--env-vars ENV.json]';
const FUNCTION_ID = 'FlowLogProcessorFunction';

function parseArgs(argv) {
  const args = { event: undefined, out: undefined, envVars: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--out') args.out = argv[++i];
    else if (arg === '--env-vars') args.envVars = argv[++i];
    else if (arg === '--help' || arg === '-h') args.help = true;
    else if (args.event === undefined) args.event = arg;
    else throw new Error(`unexpected argument '${arg}'\n${USAGE}`);
  }
  if (
    !args.help &&
    (args.event === undefined || args.out === '' || args.envVars === '')
  ) {
    throw new Error(USAGE);
  }
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

/** Applies a SAM --env-vars file; the shell's own variables win. */
async function applyEnvFile(path) {
  const file = JSON.parse(await readFile(path, 'utf8'));
  const values = { ...file.Parameters, ...file[FUNCTION_ID] };
  for (const [name, value] of Object.entries(values)) {
    if (process.env[name] === undefined) process.env[name] = String(value);
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const event = JSON.parse(await readFile(args.event, 'utf8'));
  if (args.envVars !== undefined) await applyEnvFile(args.envVars);
  // Everything the function prints (logs, EMF metrics) goes to stderr so that
  // stdout carries the response alone.
  const writeStdout = process.stdout.write.bind(process.stdout);
  process.stdout.write = process.stderr.write.bind(process.stderr);
  process.env.AWS_REGION ??= 'us-east-1';
  // Local runs on Node 20 need not hear that future SDK releases want Node 22.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  process.env.AWS_LAMBDA_FUNCTION_NAME ??= 'FlowLogProcessorFunction';
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
