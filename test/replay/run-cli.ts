// Runs the replay CLI as a child process, as a user would (stderr piped, so
// not a terminal). test/global-setup.ts builds the bundle it loads.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** What the CLI printed and returned. */
interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment a user has: without the test run's quiet log level. */
function userEnv(): NodeJS.ProcessEnv {
  const { POWERTOOLS_LOG_LEVEL: _quiet, ...env } = process.env;
  return env;
}

function runCli(args: readonly string[], stdin?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'scripts/replay/cli.ts', ...args],
      { cwd: ROOT, env: userEnv(), stdio: ['pipe', 'pipe', 'pipe'] }
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

/** Every file under `dir`, as paths relative to it with `/` separators. */
function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) =>
      relative(dir, join(entry.parentPath, entry.name)).split('\\').join('/')
    )
    .sort();
}

export type { CliResult };
export { listFiles, ROOT, runCli };
