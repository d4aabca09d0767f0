// Runs fuzz batches through the bundled handler and checks the contract of
// every answer against the reference parser (reference.mjs):
// - the handler never throws for a Firehose event                  (crash)
// - each recordId answered once, in input order, with a known result (lost)
// - the response is at most 6,291,456 bytes and RESPONSE_BUDGET_BYTES
//                                                                  (oversize)
// - Ok data is NDJSON whose lines equal the reference's, key for key, value
//   for value; Dropped/ProcessingFailed only where the reference says the
//   record has no deliverable line / a malformed one; their data empty (wrong)
// and shrinks each fault class to its smallest reproducer.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { dataOf, makeBatch, PROFILES } from './generate.mjs';
import {
  expectedBytes,
  referenceFormat,
  referenceRecord,
} from './reference.mjs';

/** Lambda's synchronous response limit. */
const LAMBDA_RESPONSE_LIMIT = 6_291_456;
const DEFAULT_BUDGET = 6_000_000;
/** MAX_DECOMPRESSED_BYTES' default (docs/configuration.md). */
const DEFAULT_MAX_INFLATED = 4_194_304;
const RESULTS = new Set(['Ok', 'Dropped', 'ProcessingFailed']);
const STREAM_ARN =
  'arn:aws:firehose:us-east-1:123456789012:deliverystream/fuzz';

/** A Lambda context whose deadline is always 15 minutes away. */
function fakeContext() {
  return {
    functionName: 'FlowLogProcessorFunction',
    functionVersion: '$LATEST',
    invokedFunctionArn:
      'arn:aws:lambda:us-east-1:123456789012:function:FlowLogProcessorFunction',
    memoryLimitInMB: '512',
    awsRequestId: 'fuzz',
    logGroupName: '/aws/lambda/FlowLogProcessorFunction',
    logStreamName: 'fuzz',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 900_000,
    done() {},
    fail() {},
    succeed() {},
  };
}

/** The environment of one profile: no AWS call can happen (REINGEST=false). */
function profileEnv(profile) {
  return {
    FLOW_LOG_FORMAT: profile.format,
    OUTPUT_FORMAT: 'json',
    FILTER: profile.filter ?? '',
    ENRICH: '',
    PARTITION_KEYS: '',
    REINGEST: 'false',
    MAX_DECOMPRESSED_BYTES: String(DEFAULT_MAX_INFLATED),
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
    AWS_REGION: 'us-east-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_LAMBDA_FUNCTION_NAME: 'FlowLogProcessorFunction',
  };
}

/** Silences stdout/stderr writes while `fn` runs (the function's logs). */
async function quietly(fn) {
  const out = process.stdout.write;
  const err = process.stderr.write;
  process.stdout.write = () => true;
  process.stderr.write = () => true;
  try {
    return await fn();
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

/**
 * Imports one bundle instance per profile (a query string makes a fresh
 * module, so each reads its own environment at cold start).
 */
async function loadProfiles(bundle, profiles = PROFILES) {
  const url = pathToFileURL(resolve(bundle)).href;
  const loaded = [];
  for (const profile of profiles) {
    const saved = { ...process.env };
    Object.assign(process.env, profileEnv(profile));
    try {
      const mod = await quietly(() => import(`${url}?profile=${profile.name}`));
      loaded.push({
        profile,
        handler: mod.handler,
        format: referenceFormat(profile.format),
        filter: filterOf(profile.filter),
        budget: DEFAULT_BUDGET,
        maxInflated: DEFAULT_MAX_INFLATED,
      });
    } finally {
      for (const key of Object.keys(process.env)) {
        if (!(key in saved)) delete process.env[key];
      }
      Object.assign(process.env, saved);
    }
  }
  return loaded;
}

/** The reference's reading of the one FILTER the profiles use. */
function filterOf(filter) {
  if (filter === undefined) return undefined;
  if (filter !== 'action = REJECT')
    throw new Error(`no reference for ${filter}`);
  return (entries) =>
    entries.some(([k, v]) => k === 'action' && v === 'REJECT');
}

function eventOf(forms, batchId, noArrival) {
  return {
    invocationId: `fuzz-${batchId}`,
    deliveryStreamArn: STREAM_ARN,
    region: 'us-east-1',
    records: forms.map((form, i) => {
      const record = { recordId: `${batchId}-${i}`, data: dataOf(form) };
      if (!noArrival)
        record.approximateArrivalTimestamp = 1_700_000_000_000 + i;
      return record;
    }),
  };
}

/** Parses an Ok data line, numbers kept as their source text. */
function parseOutputLine(text) {
  return JSON.parse(text, (_key, value, context) =>
    typeof value === 'number' ? { number: context.source } : value
  );
}

/** Why Ok data differs from the expected lines, or undefined. */
function compareOk(data, kept) {
  if (typeof data !== 'string') return 'Ok data not a string';
  const bytes = Buffer.from(data, 'base64');
  if (bytes.toString('base64') !== data) return 'Ok data not canonical base64';
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return 'Ok data not UTF-8';
  }
  const lines = text.split('\n');
  if (lines.pop() !== '') return 'Ok data does not end in \\n';
  if (lines.length !== kept.length) return 'Ok line count differs';
  for (let i = 0; i < lines.length; i++) {
    let parsed;
    try {
      parsed = parseOutputLine(lines[i]);
    } catch {
      return 'Ok line not JSON';
    }
    const why = compareEntries(parsed, kept[i]);
    if (why !== undefined) return why;
  }
  return undefined;
}

function compareEntries(parsed, expected) {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return 'Ok line not an object';
  }
  const actual = Object.entries(parsed);
  if (actual.length !== expected.length) return 'Ok keys differ';
  for (let i = 0; i < actual.length; i++) {
    const [key, value] = actual[i];
    const [wantKey, want] = expected[i];
    if (key !== wantKey) return 'Ok keys differ (name or order)';
    if (typeof want === 'bigint') {
      const source = value?.number;
      if (typeof source !== 'string' || !/^(0|[1-9][0-9]*)$/.test(source)) {
        return 'Ok integer not a canonical JSON integer';
      }
      if (BigInt(source) !== want) return 'Ok integer value differs';
    } else if (value !== want) {
      return 'Ok string value differs';
    }
  }
  return undefined;
}

/**
 * Judges one answered record against the reference.
 *
 * @returns a fault key ('wrong: …') or undefined
 */
function judge(answer, ref, excuse) {
  const { result, data } = answer;
  const canFail = excuse || ref.loose.length > 0;
  if (ref.status === 'Ok') {
    if (result === 'Ok') {
      const why = compareOk(data, ref.kept);
      return why === undefined ? undefined : `wrong: ${why}`;
    }
    if (result === 'ProcessingFailed' && canFail) return checkEmpty(answer);
    return `wrong: Ok expected, got ${result}`;
  }
  if (ref.status === 'Dropped') {
    if (result === 'Dropped') return checkEmpty(answer);
    if (result === 'ProcessingFailed' && canFail) return checkEmpty(answer);
    return `wrong: Dropped expected (${ref.why}), got ${result}`;
  }
  if (result === 'ProcessingFailed') return checkEmpty(answer);
  return `wrong: ProcessingFailed expected (${ref.why}), got ${result}`;
}

function checkEmpty(answer) {
  if (answer.data === '' || answer.data === undefined) return undefined;
  return `wrong: ${answer.result} with non-empty data`;
}

/** A stable class name for a thrown error (numbers and quotes elided). */
function crashKey(error) {
  const name = error?.name ?? typeof error;
  const message = String(error?.message ?? error)
    .replace(/[0-9]+/g, 'N')
    .slice(0, 100);
  return `crash: ${name}: ${message}`;
}

/**
 * Runs one batch of forms through a loaded profile and checks every answer;
 * `noArrival` leaves out approximateArrivalTimestamp (issue #9, item 9).
 *
 * @returns `{ faults: [{ key, kind, index }], statuses, crashed, ms }`
 */
async function runBatch(loaded, forms, batchId, noArrival = false) {
  const event = eventOf(forms, batchId, noArrival);
  const refs = event.records.map((record) =>
    referenceRecord(record.data, loaded.format, {
      maxInflated: loaded.maxInflated,
      filter: loaded.filter,
    })
  );
  const faults = [];
  let response;
  const started = process.hrtime.bigint();
  try {
    response = await quietly(() => loaded.handler(event, fakeContext()));
  } catch (error) {
    faults.push({ key: crashKey(error), kind: 'crash', index: -1, error });
    return { faults, refs, crashed: true, statuses: {}, ms: 0 };
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const statuses = {};
  checkResponse(
    loaded,
    event,
    refs,
    response,
    faults,
    statuses,
    forms.map((form) => form.label)
  );
  return { faults, refs, crashed: false, statuses, ms, response };
}

function checkResponse(
  loaded,
  event,
  refs,
  response,
  faults,
  statuses,
  framings
) {
  const size = Buffer.byteLength(JSON.stringify(response));
  if (size > LAMBDA_RESPONSE_LIMIT || size > loaded.budget) {
    faults.push({
      key: 'oversize: response over the budget',
      kind: 'oversize',
      index: -1,
      size,
    });
  }
  const answers = response?.records;
  if (!Array.isArray(answers) || answers.length !== event.records.length) {
    faults.push({
      key: 'lost: response record count differs',
      kind: 'lost',
      index: -1,
      count: event.records.length,
    });
    return;
  }
  // Overflow (REINGEST=false answers ProcessingFailed) is only excused when
  // the expected output cannot fit the budget.
  let expected = 0;
  for (const ref of refs) {
    if (ref.status === 'Ok')
      expected += Math.ceil((expectedBytes(ref.kept) * 4) / 3);
    expected += 100;
  }
  const tight = expected > loaded.budget * 0.9;
  let inflated = 0;
  for (let i = 0; i < answers.length; i++) {
    const answer = answers[i];
    const ref = refs[i];
    inflated += ref.inflated;
    if (answer?.recordId !== event.records[i].recordId) {
      faults.push({
        key: 'lost: recordId missing or out of order',
        kind: 'lost',
        index: i,
      });
      continue;
    }
    if (!RESULTS.has(answer.result)) {
      faults.push({
        key: `lost: unknown result ${answer.result}`,
        kind: 'lost',
        index: i,
      });
      continue;
    }
    statuses[answer.result] = (statuses[answer.result] ?? 0) + 1;
    const excuse = tight || inflated > loaded.maxInflated;
    const key = judge(answer, ref, excuse);
    if (key !== undefined) {
      // The framing in the key keeps causes apart: each gets a reproducer.
      const framing = framings[i].split('+')[0];
      faults.push({ key: `${key} [${framing}]`, kind: 'wrong', index: i });
    }
  }
}

export {
  DEFAULT_BUDGET,
  DEFAULT_MAX_INFLATED,
  fakeContext,
  LAMBDA_RESPONSE_LIMIT,
  loadProfiles,
  makeBatch,
  profileEnv,
  quietly,
  runBatch,
};
