// Builds dist/flow-log-processor/index.mjs once, before any test file runs,
// so the suites that run the shipped bundle (replay, invoke) never race a
// rebuild in another worker.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: 'inherit',
  });
}
