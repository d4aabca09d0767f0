// The fuzz loop and the shrinker: generates seeded batches, runs them through
// the bundled handler (harness.mjs), tallies faults by class and cuts the
// first sample of each class down to a smallest reproducer, removing
// records, then lines, then bytes while the same fault class persists.
import { prng } from '../lib/seeded.mjs';
import { makeBatch } from './generate.mjs';
import { loadProfiles, profileEnv, runBatch } from './harness.mjs';

/** Share of generated records that take a hostile size (issue #9). */
const DEFAULT_HOSTILE_RATE = 0.0005;

/**
 * Fuzzes the bundle.
 *
 * @param options - `records` (at least this many), `seed`, `bundle` (path
 *   of dist/flow-log-processor/index.mjs), `hostileRate`, `shrinkMs` (time
 *   per fault class for shrinking), `profiles` (names, default all),
 *   `onProgress(summary)`
 * @returns the summary: records, invocations, crashes, crashedRecords, lost,
 *   wrong, oversize, ms, statuses, labels, and `classes` (fault key →
 *   { kind, count, reproducer })
 */
async function runFuzz(options) {
  const all = await loadProfiles(options.bundle);
  const loaded = options.profiles
    ? all.filter((l) => options.profiles.includes(l.profile.name))
    : all;
  if (loaded.length === 0) throw new Error('no profile selected');
  const rng = prng(options.seed);
  const summary = newSummary(options.seed);
  const started = Date.now();
  const samples = new Map();
  let batch = 0;
  while (summary.records < options.records) {
    const target = loaded[Math.floor(rng() * loaded.length)];
    const forms = makeBatch(rng, target.profile, {
      hostileRate: options.hostileRate ?? DEFAULT_HOSTILE_RATE,
      maxInflated: target.maxInflated,
    });
    // Firehose sends approximateArrivalTimestamp with every record, and the
    // event check refuses an event without it (shared/firehose/event.ts):
    // every batch carries it. The draw stays so seeds keep their batches.
    rng();
    const noArrival = false;
    const batchId = `b${batch++}`;
    const outcome = await runBatch(target, forms, batchId, noArrival);
    tally(summary, forms, outcome);
    for (const fault of outcome.faults) {
      if (!samples.has(fault.key)) {
        samples.set(fault.key, { loaded: target, forms, noArrival, fault });
      }
    }
    summary.ms = Date.now() - started;
    if (options.onProgress && batch % 200 === 0) options.onProgress(summary);
  }
  for (const [key, sample] of samples) {
    const entry = summary.classes.get(key);
    entry.reproducer = await shrink(sample, options.shrinkMs ?? 20_000);
  }
  summary.ms = Date.now() - started;
  return summary;
}

function newSummary(seed) {
  return {
    seed,
    records: 0,
    invocations: 0,
    crashes: 0,
    crashedRecords: 0,
    lost: 0,
    wrong: 0,
    oversize: 0,
    ms: 0,
    handlerMs: 0,
    statuses: {},
    labels: {},
    classes: new Map(),
  };
}

function tally(summary, forms, outcome) {
  summary.records += forms.length;
  summary.invocations++;
  summary.handlerMs += outcome.ms;
  for (const form of forms) {
    summary.labels[form.label] = (summary.labels[form.label] ?? 0) + 1;
  }
  for (const [status, n] of Object.entries(outcome.statuses)) {
    summary.statuses[status] = (summary.statuses[status] ?? 0) + n;
  }
  if (outcome.crashed) {
    summary.crashes++;
    summary.crashedRecords += forms.length;
  }
  for (const fault of outcome.faults) {
    if (fault.kind === 'lost') summary.lost += fault.count ?? 1;
    if (fault.kind === 'wrong') summary.wrong++;
    if (fault.kind === 'oversize') summary.oversize++;
    const entry = summary.classes.get(fault.key) ?? {
      kind: fault.kind,
      count: 0,
      framings: {},
    };
    entry.count++;
    const label = forms[fault.index]?.label ?? 'batch';
    entry.framings[label] = (entry.framings[label] ?? 0) + 1;
    summary.classes.set(fault.key, entry);
  }
}

/** True when `forms` still shows the fault `key`. */
async function shows(sample, forms, key, noArrival) {
  if (forms.length === 0) return false;
  const { faults } = await runBatch(sample.loaded, forms, 'r', noArrival);
  return faults.some((f) => f.key === key);
}

/**
 * Delta debugging (Zeller's ddmin, complement removal only) over anything
 * with a length: `cut(items, start, end)` returns items without [start,end).
 */
async function ddmin(items, test, cut, deadline) {
  let current = items;
  let parts = 2;
  while (current.length >= 2 && Date.now() < deadline) {
    const chunk = Math.ceil(current.length / parts);
    let reduced = false;
    for (let start = 0; start < current.length; start += chunk) {
      if (Date.now() >= deadline) break;
      const candidate = cut(current, start, start + chunk);
      if (await test(candidate)) {
        current = candidate;
        parts = Math.max(parts - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (parts >= current.length) break;
      parts = Math.min(current.length, parts * 2);
    }
  }
  return current;
}

const cutArray = (items, start, end) =>
  items.slice(0, start).concat(items.slice(end));
const cutBuffer = (bytes, start, end) =>
  Buffer.concat([bytes.subarray(0, start), bytes.subarray(end)]);

function splitLines(bytes) {
  const lines = [];
  let from = 0;
  while (from < bytes.length) {
    let end = bytes.indexOf(0x0a, from);
    end = end < 0 ? bytes.length : end + 1;
    lines.push(bytes.subarray(from, end));
    from = end;
  }
  return lines;
}

/** Shrinks one fault sample: records, then lines, then bytes of each. */
async function shrink(sample, budgetMs) {
  const deadline = Date.now() + budgetMs;
  const { key, index } = sample.fault;
  let noArrival = sample.noArrival;
  let forms = sample.forms;
  const test = (candidate) => shows(sample, candidate, key, noArrival);
  const order = [...forms.keys()];
  if (index >= 0) order.unshift(index);
  for (const i of order.slice(0, 64)) {
    if (Date.now() >= deadline) break;
    if (await test([forms[i]])) {
      forms = [forms[i]];
      break;
    }
  }
  forms = await ddmin(forms, test, cutArray, deadline);
  if (noArrival && (await shows(sample, forms, key, false))) noArrival = false;
  for (let j = 0; j < forms.length; j++) {
    const withPayload = (payload) => {
      const next = forms.slice();
      next[j] = { ...forms[j], payload };
      return next;
    };
    const onPayload = (payload) => test(withPayload(payload));
    let payload = forms[j].payload;
    const lines = await ddmin(
      splitLines(payload),
      (ls) => onPayload(Buffer.concat(ls)),
      cutArray,
      deadline
    );
    payload = Buffer.concat(lines);
    payload = await ddmin(payload, onPayload, cutBuffer, deadline);
    forms = withPayload(payload);
  }
  const outcome = await runBatch(sample.loaded, forms, 'r', noArrival);
  return describe(sample, forms, noArrival, outcome, key);
}

/** A reproducer as text, and the event to replay with `npm run invoke`. */
function describe(sample, forms, noArrival, outcome, key) {
  const fault = outcome.faults.find((f) => f.key === key);
  const index = fault?.index ?? -1;
  const records = forms.map((form, i) => ({
    kind: form.kind,
    label: form.label,
    ...(form.kind === 'gzip2' ? { split: form.split } : {}),
    bytes: form.payload.length,
    payload: show(form.payload),
    expected: outcome.refs[i]
      ? `${outcome.refs[i].status}${outcome.refs[i].why ? ` (${outcome.refs[i].why})` : ''}`
      : undefined,
    got: outcome.response?.records?.[i]?.result,
    gotData: preview(outcome.response?.records?.[i]?.data),
  }));
  return {
    profile: sample.loaded.profile.name,
    env: profileEnv(sample.loaded.profile),
    noArrival,
    index,
    reproduced: fault !== undefined,
    records,
    forms,
  };
}

function preview(data) {
  if (typeof data !== 'string' || data === '') return undefined;
  return show(Buffer.from(data, 'base64').subarray(0, 300));
}

/** Bytes as a JSON-like string: printable ASCII as is, the rest \xNN. */
function show(bytes) {
  const limit = 400;
  let out = '';
  for (const byte of bytes.subarray(0, limit)) {
    if (byte === 0x5c) out += '\\\\';
    else if (byte === 0x22) out += '\\"';
    else if (byte === 0x0a) out += '\\n';
    else if (byte === 0x0d) out += '\\r';
    else if (byte === 0x09) out += '\\t';
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  const more = bytes.length > limit ? `…(+${bytes.length - limit} bytes)` : '';
  return `"${out}"${more}`;
}

export { runFuzz, show };
