// Bundles the function as sam build does: one ESM file exporting `handler`.
import { build } from 'esbuild';

await build({
  entryPoints: ['functions/flow-log-processor/index.ts'],
  outfile: 'dist/flow-log-processor/index.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  // Node 20 is the oldest runtime the code must run on (local tools, CI).
  target: 'node20',
  sourcemap: true,
  // ES module builds of the AWS SDK tree-shake; the CommonJS ones do not.
  mainFields: ['module', 'main'],
  minify: true,
  // Bundled CommonJS dependencies call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
