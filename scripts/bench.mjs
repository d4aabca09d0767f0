// npm run bench: bundles the benchmark with esbuild, exactly as the function
// is bundled, and runs it. Timing the TypeScript through a loader would
// measure the loader's module getters, not the code that ships.
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';

const entries = ['transform.bench', 'rss-child', 'peak-rss', 'enricher-cost'];
await build({
  entryPoints: entries.map((name) => `test/bench/${name}.ts`),
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
  logLevel: 'warning',
});
const run = (script, flags = []) =>
  execFileSync(process.execPath, [...flags, script], { stdio: 'inherit' });
run('dist/bench/transform.bench.mjs', ['--expose-gc']);
// The maximal-event memory figure runs the shipped bundle.
run('scripts/build.mjs');
run('dist/bench/peak-rss.mjs');
