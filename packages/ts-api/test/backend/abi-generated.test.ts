/**
 * The generated binding (backend/generated/) and the Rust exports (crates/softmax-core/src/abi/generated/)
 * are what scripts/gen-abi.mjs makes of crates/softmax-core/abi.spec today — a spec edited without
 * regenerating, or a generated file edited by hand, fails here.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

describe('abi.spec', () => {
  it('the generated files are up to date (node scripts/gen-abi.mjs --check)', async () => {
    const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(process.execPath, ['scripts/gen-abi.mjs', '--check'], { cwd: root }, (err, stdout, stderr) =>
        resolve({ code: err === null ? 0 : (err.code as number), output: stdout + stderr }));
    });
    expect(output).toContain('up to date');
    expect(code).toBe(0);
  });
});
