/**
 * Loads the bundled handler (dist/flow-log-processor/index.mjs) once per
 * flow-log format. The handler reads its settings from process.env when the
 * module is evaluated, so each format gets its own module instance: env set
 * first, then the bundle imported with a cache-busting `?format=N` query.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Context, FirehoseTransformationResult } from 'aws-lambda';
import type { FlowLogFormat } from '../../shared/flowlog/format.ts';
import { ReplayError } from './errors.ts';

/** The bundle `npm run build` writes. */
const BUNDLE_PATH = fileURLToPath(
  new URL('../../dist/flow-log-processor/index.mjs', import.meta.url)
);

/** The function name the replay's context and error records carry. */
const FUNCTION_NAME = 'FlowLogProcessorFunction';

/** The handler as the bundle exports it. */
type Handler = (
  event: unknown,
  context: Context
) => Promise<FirehoseTransformationResult>;

/** A placeholder ARN in the region of AWS_REGION, for error records. */
function lambdaArn(): string {
  const region = process.env.AWS_REGION ?? 'us-east-1';
  return `arn:aws:lambda:${region}:123456789012:function:${FUNCTION_NAME}`;
}

/** A Lambda-like context with the 5-minute limit Firehose allows. */
function lambdaContext(): Context {
  const deadline = Date.now() + 300_000;
  return {
    functionName: FUNCTION_NAME,
    functionVersion: '$LATEST',
    invokedFunctionArn: lambdaArn(),
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${FUNCTION_NAME}`,
    logStreamName: 'replay',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done() {},
    fail() {},
    succeed() {},
  };
}

/** `29-field format (version srcaddr dstaddr …)`, for messages. */
function formatName(format: FlowLogFormat): string {
  const names = format.fields.map((field) => field.name);
  const head = names.slice(0, 3).join(' ');
  return `${names.length}-field format (${head}${names.length > 3 ? ' …' : ''})`;
}

/**
 * Imports a fresh handler instance configured for `format`.
 *
 * @param instance - distinct per format, for the cache-busting query
 * @throws ReplayError (REPLAY_SETTINGS) when the bundle is missing or the
 *   function refuses its settings
 */
async function loadHandler(
  format: FlowLogFormat,
  instance: number
): Promise<Handler> {
  if (!existsSync(BUNDLE_PATH)) {
    throw new ReplayError(
      'REPLAY_SETTINGS',
      `${BUNDLE_PATH} is missing; run 'npm run build' first`
    );
  }
  process.env.FLOW_LOG_FORMAT = format.text;
  // As Lambda sets it in an on-demand environment: each instance's first
  // invocation logs cold_start true (Powertools Logger reads it at init).
  process.env.AWS_LAMBDA_INITIALIZATION_TYPE ??= 'on-demand';
  const url = `${pathToFileURL(BUNDLE_PATH).href}?format=${instance}`;
  try {
    const module = (await import(url)) as { handler: Handler };
    return module.handler;
  } catch (error) {
    throw new ReplayError(
      'REPLAY_SETTINGS',
      `the function refused its settings with this input's ${formatName(format)}: ${(error as Error).message}`
    );
  }
}

export type { Handler };
export { BUNDLE_PATH, FUNCTION_NAME, lambdaArn, lambdaContext, loadHandler };
