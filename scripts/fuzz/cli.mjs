// npm run fuzz -- [--records N] [--seed S] [--profile NAME]… [--out DIR]
// Seeded, mutation-based fuzzing of the bundled handler against an
// independent reference parser; see docs/fuzzing.md. Exits 1 on any fault.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runFuzz } from './fuzz.mjs';
import { dataOf, PROFILES } from './generate.mjs';

const USAGE = `usage: npm run fuzz -- [options]

Runs seeded, mutated Firehose batches (several flow-log formats; bare,
wrapped, gzip CloudWatch Logs and plain-envelope framings; garbage, invalid
base64 and hostile sizes) through the bundled handler
(dist/flow-log-processor/index.mjs) and checks every answer against an
independent reference parser. Prints records, crashes, lost, wrong and time,
and the smallest reproducer of each fault class. Exit status 1 on any fault.

options:
  --records N        records to send, at least (default 1000000)
  --seed S           PRNG seed, a whole number (default 1)
  --profile NAME     only this settings profile (repeatable); one of:
                     ${PROFILES.map((p) => p.name).join(', ')}
  --hostile-rate R   share of records with a hostile size (default 0.0005)
  --shrink-ms MS     time spent shrinking each fault class (default 20000)
  --out DIR          write each reproducer as DIR/<n>.event.json and
                     DIR/<n>.env.json (npm run invoke -- … --env-vars …)
  --no-build         use the existing bundle instead of rebuilding it
  --bundle PATH      fuzz this bundle (implies --no-build)
  --json             print the summary as one JSON object instead
  -h, --help         this text`;

function options() {
  const { values } = parseArgs({
    options: {
      records: { type: 'string', default: '1000000' },
      seed: { type: 'string', default: '1' },
      profile: { type: 'string', multiple: true },
      'hostile-rate': { type: 'string', default: '0.0005' },
      'shrink-ms': { type: 'string', default: '20000' },
      out: { type: 'string' },
      'no-build': { type: 'boolean', default: false },
      bundle: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return undefined;
  const whole = (name, text, min) => {
    if (!/^[0-9]+$/.test(text) || Number(text) < min) {
      throw new Error(`--${name}: '${text}' is not a whole number ≥ ${min}`);
    }
    return Number(text);
  };
  const rate = Number(values['hostile-rate']);
  if (!(rate >= 0 && rate <= 1)) {
    throw new Error(
      `--hostile-rate: '${values['hostile-rate']}' is not in [0, 1]`
    );
  }
  for (const name of values.profile ?? []) {
    if (!PROFILES.some((p) => p.name === name)) {
      throw new Error(
        `--profile: unknown '${name}'; one of: ${PROFILES.map((p) => p.name).join(', ')}`
      );
    }
  }
  return {
    records: whole('records', values.records, 1),
    seed: whole('seed', values.seed, 0),
    profiles: values.profile,
    hostileRate: rate,
    shrinkMs: whole('shrink-ms', values['shrink-ms'], 0),
    out: values.out,
    build: !values['no-build'] && values.bundle === undefined,
    bundle: values.bundle ?? 'dist/flow-log-processor/index.mjs',
    json: values.json,
  };
}

const fmt = (n) => n.toLocaleString('en-US');

function line(summary) {
  return `records ${fmt(summary.records)}  invocations ${fmt(summary.invocations)}  crashes ${fmt(summary.crashes)}  lost ${fmt(summary.lost)}  wrong ${fmt(summary.wrong)}  oversize ${fmt(summary.oversize)}  time ${(summary.ms / 1000).toFixed(1)} s`;
}

function report(summary, out) {
  console.log(`\nfuzz seed ${summary.seed}`);
  console.log(line(summary));
  console.log(
    `crashed records ${fmt(summary.crashedRecords)}  handler time ${(summary.handlerMs / 1000).toFixed(1)} s  results ${JSON.stringify(summary.statuses)}`
  );
  console.log(`framings ${JSON.stringify(summary.labels)}`);
  let n = 0;
  for (const [key, entry] of summary.classes) {
    n++;
    console.log(`\nFAULT ${n} [${entry.kind}] ×${fmt(entry.count)}: ${key}`);
    const framings = Object.entries(entry.framings)
      .sort((a, b) => b[1] - a[1])
      .map(([label, count]) => `${label} ${fmt(count)}`);
    console.log(`  framings: ${framings.join(', ')}`);
    const r = entry.reproducer;
    if (r === undefined) continue;
    console.log(
      `  profile ${r.profile}${r.noArrival ? ', no approximateArrivalTimestamp' : ''}; smallest reproducer (${r.records.length} record${r.records.length === 1 ? '' : 's'}${r.reproduced ? '' : ', NOT reproduced after shrinking'}):`
    );
    for (const rec of r.records) {
      console.log(
        `  - ${rec.kind}${rec.split !== undefined ? ` split ${rec.split}` : ''} (${rec.label}), ${fmt(rec.bytes)} bytes: ${rec.payload}`
      );
      console.log(
        `    expected ${rec.expected}; got ${rec.got}${rec.gotData ? ` ${rec.gotData}` : ''}`
      );
    }
    if (out !== undefined) writeReproducer(out, n, r);
  }
  if (out !== undefined && summary.classes.size > 0) {
    console.log(
      `\nreproducers written to ${out}/ (npm run invoke -- ${out}/1.event.json --env-vars ${out}/1.env.json)`
    );
  }
}

function writeReproducer(dir, n, r) {
  mkdirSync(dir, { recursive: true });
  const event = {
    invocationId: `fuzz-reproducer-${n}`,
    deliveryStreamArn:
      'arn:aws:firehose:us-east-1:123456789012:deliverystream/fuzz',
    region: 'us-east-1',
    records: r.forms.map((form, i) => ({
      recordId: `r${i}`,
      ...(r.noArrival
        ? {}
        : { approximateArrivalTimestamp: 1_700_000_000_000 + i }),
      data: dataOf(form),
    })),
  };
  writeFileSync(
    join(dir, `${n}.event.json`),
    `${JSON.stringify(event, null, 2)}\n`
  );
  writeFileSync(
    join(dir, `${n}.env.json`),
    `${JSON.stringify({ FlowLogProcessorFunction: r.env }, null, 2)}\n`
  );
}

async function main() {
  const opts = options();
  if (opts === undefined) {
    console.log(USAGE);
    return;
  }
  if (opts.build)
    execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  const summary = await runFuzz({
    ...opts,
    onProgress: opts.json
      ? undefined
      : (s) => process.stderr.write(`\r${line(s)}   `),
  });
  const faults =
    summary.crashes + summary.lost + summary.wrong + summary.oversize;
  if (opts.json) {
    const classes = [...summary.classes].map(([key, entry]) => {
      const { forms: _forms, ...reproducer } = entry.reproducer ?? {};
      return { key, kind: entry.kind, count: entry.count, reproducer };
    });
    console.log(JSON.stringify({ ...summary, classes }));
  } else {
    process.stderr.write('\n');
    report(summary, opts.out);
    console.log(
      faults === 0
        ? '\nOK: no fault'
        : `\nFAIL: ${fmt(summary.classes.size)} fault class(es)`
    );
  }
  process.exitCode = faults === 0 ? 0 : 1;
}

main().catch((error) => {
  process.stderr.write(`fuzz: ${error.message}\n`);
  process.exitCode = 2;
});
