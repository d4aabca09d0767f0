// The README's example commands, run as a user would run them, and their
// output compared with what the README shows. Commands and expected output
// are read from the README's fenced blocks, never copied here, so an edit to
// either the code or the README that makes them disagree fails this test.
// test/global-setup.ts builds the bundle the commands load.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A fenced block of the README and the prose right before it. */
interface Block {
  readonly lang: string;
  readonly body: string;
  /** Text between the previous block and this one. */
  readonly before: string;
}

/** The npm scripts the README runs, as the node commands they run. */
const NPM_SCRIPTS: Readonly<Record<string, readonly string[]>> = {
  invoke: ['scripts/invoke.mjs'],
  start: ['scripts/start.mjs'],
};

/** A parsed shell command line: leading VAR=value words, then the words. */
interface Command {
  readonly env: Record<string, string>;
  readonly words: string[];
}

let work: string;

function blocksOf(markdown: string): Block[] {
  const blocks: Block[] = [];
  const fence = /^```(\w*)\n([\s\S]*?)^```$/gm;
  let last = 0;
  for (let m = fence.exec(markdown); m !== null; m = fence.exec(markdown)) {
    blocks.push({
      lang: m[1]!,
      body: m[2]!,
      before: markdown.slice(last, m.index),
    });
    last = m.index + m[0].length;
  }
  return blocks;
}

/**
 * Splits one shell command (`\` line continuations, single and double
 * quotes, `#` comments) into words, as POSIX sh does for these forms.
 */
function shellWords(text: string): string[] {
  const words: string[] = [];
  const line = text.replace(/\\\n/g, ' ');
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '#' && word === undefined) break;
    else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else word = (word ?? '') + c;
  }
  if (word !== undefined) words.push(word);
  return words;
}

function parseCommand(text: string): Command {
  const words = shellWords(text);
  const env: Record<string, string> = {};
  while (/^[A-Z_][A-Z0-9_]*=/.test(words[0] ?? '')) {
    const word = words.shift()!;
    const equals = word.indexOf('=');
    env[word.slice(0, equals)] = word.slice(equals + 1);
  }
  return { env, words };
}

/** `npm run X -- ARGS` / `npm start` as the node command it runs. */
function nodeArgs(words: readonly string[]): string[] {
  const script = words[1] === 'run' ? words[2]! : words[1]!;
  const rest = words.slice(words[1] === 'run' ? 3 : 2);
  const args = rest[0] === '--' ? rest.slice(1) : rest;
  const command = NPM_SCRIPTS[script];
  if (command === undefined) throw new Error(`no mapping for npm ${script}`);
  return [...command, ...args];
}

function run(command: Command, args: readonly string[]): string {
  return execFileSync(process.execPath, args, {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...command.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** `--out FILE` pointed into the test's folder; returns the new path. */
function redirectOut(args: string[]): string | undefined {
  const at = args.indexOf('--out');
  if (at < 0) return undefined;
  const path = join(work, args[at + 1]!.replace(/\//g, '_'));
  args[at + 1] = path;
  return path;
}

const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth'];

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const BLOCKS = blocksOf(README);

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'readme-test-'));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('README examples', () => {
  it('has an npm run invoke example followed by the JSON it prints', () => {
    // Assess
    const at = BLOCKS.findIndex(
      (b) => b.lang === 'bash' && b.body.includes('npm run invoke')
    );
    expect(at).toBeGreaterThanOrEqual(0);
    expect(BLOCKS[at + 1]?.lang).toBe('json');
  });

  it('prints, for the record the README names, the JSON line the README shows', () => {
    // Prepare: the bash block with `npm run invoke`, the json block after it,
    // and the record ("for the second record") named between them.
    const at = BLOCKS.findIndex(
      (b) => b.lang === 'bash' && b.body.includes('npm run invoke')
    );
    const example = BLOCKS[at]!;
    const shown = BLOCKS[at + 1]!;
    const ordinal = new RegExp(`for the (${ORDINALS.join('|')}) record`).exec(
      shown.before
    );
    expect(ordinal).not.toBeNull();
    const index = ORDINALS.indexOf(ordinal![1]!);
    const command = parseCommand(example.body.trim());
    expect(Object.keys(command.env)).toEqual(
      expect.arrayContaining(['FLOW_LOG_FORMAT', 'ENRICH'])
    );
    const args = nodeArgs(command.words);
    const out = redirectOut(args);

    // Act
    const stdout = run(command, args);

    // Assess
    const response = JSON.parse(
      out === undefined ? stdout : readFileSync(out, 'utf8')
    ) as { records: Array<{ result: string; data: string }> };
    const record = response.records[index]!;
    expect(record.result).toBe('Ok');
    const output = Buffer.from(record.data, 'base64').toString('utf8');
    expect(output).toBe(`${shown.body.trim()}\n`);
  });

  it('npm start replays as many lines in as many formats as the README says', () => {
    // Prepare: "`npm start` … replays `samples/*.log.gz` (25,003 lines in
    // three formats, …)", and the block that shows `npm start`.
    const block = BLOCKS.find(
      (b) => b.lang === 'bash' && /^npm ci && npm start\b/m.test(b.body)
    );
    expect(block).toBeDefined();
    const line = block!.body.split('\n').find((l) => l.includes('npm start'))!;
    const command = parseCommand(line.slice(line.indexOf('npm start')));
    const claim = /\(([\d,]+) lines in\s+(\w+) formats/.exec(README);
    expect(claim).not.toBeNull();
    const formats = ['one', 'two', 'three', 'four'].indexOf(claim![2]!) + 1;
    const args = [...nodeArgs(command.words), '--out', join(work, 'start')];

    // Act
    const stdout = run(command, args);

    // Assess
    expect(stdout).toMatch(new RegExp(`\\n {2}lines\\s+${claim![1]}\\n`));
    expect(stdout).toMatch(new RegExp(`\\n {2}formats\\s+${formats}\\n`));
  });
});
