// Issue #10, item 5: the Powertools Logger drops attributes named like its
// own keys (and warns once per call), so an error text logged as `message`
// was lost. Every logger call of the project is read here, and no attribute
// may use a reserved key. The list is Powertools' `ReservedKeys`
// (packages/logger/src/constants.ts; "reserved keys" in
// https://docs.powertools.aws.dev/lambda/typescript/latest/features/logger/).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const RESERVED = ['level', 'message', 'sampling_rate', 'service', 'timestamp'];
const ROOTS = ['shared', 'functions', 'scripts'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|mjs)$/.test(entry.name) ? [path] : [];
  });
}

/** The argument text of every `logger.<level>(…)` call, parentheses balanced. */
function loggerCalls(text: string): string[] {
  const calls: string[] = [];
  const start = /\blogger\.(?:trace|debug|info|warn|error|critical)\(/g;
  for (let match = start.exec(text); match !== null; match = start.exec(text)) {
    let depth = 1;
    let i = match.index + match[0].length;
    while (i < text.length && depth > 0) {
      const c = text[i++];
      if (c === '(') depth++;
      else if (c === ')') depth--;
    }
    calls.push(text.slice(match.index, i));
  }
  return calls;
}

describe('logger calls', () => {
  const calls = ROOTS.flatMap(sourceFiles).flatMap((file) =>
    loggerCalls(readFileSync(file, 'utf8')).map((call) => ({ file, call }))
  );

  it('finds the logger calls of the function', () => {
    expect(calls.length).toBeGreaterThanOrEqual(5);
  });

  it('never passes an attribute named like a reserved Powertools key', () => {
    const key = new RegExp(
      `[{,]\\s*['"]?(${RESERVED.join('|')})['"]?\\s*:`,
      'g'
    );
    const offending = calls.filter(({ call }) => key.test(call));
    expect(offending).toEqual([]);
  });
});
