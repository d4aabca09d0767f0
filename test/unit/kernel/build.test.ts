// The committed kernel binary is the one its source builds to (CI drift check).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { JSON_KERNEL_WASM_BASE64 } from '../../../shared/kernel/json-kernel-wasm.ts';

describe('npm run build:wasm', () => {
  it('rebuilds the committed json-kernel.wasm byte for byte', () => {
    // Act: compiles in memory and compares; exit 1 (a throw here) on drift
    const run = () =>
      execFileSync(process.execPath, ['scripts/build-wasm.mjs', '--check'], {
        stdio: 'pipe',
      });
    // Assess
    expect(run).not.toThrow();
  });

  it('inlines exactly the committed binary', () => {
    const committed = readFileSync('shared/kernel/json-kernel.wasm');
    expect(Buffer.from(JSON_KERNEL_WASM_BASE64, 'base64')).toEqual(committed);
  });

  it('is valid WebAssembly', () => {
    const bytes = Buffer.from(JSON_KERNEL_WASM_BASE64, 'base64');
    const api = (
      globalThis as unknown as {
        WebAssembly: { validate(bytes: Uint8Array): boolean };
      }
    ).WebAssembly;
    expect(api.validate(bytes)).toBe(true);
  });
});
