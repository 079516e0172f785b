import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { makeTempFolder } from '../helpers/temp-project.js';

/**
 * Creates a copy of the hook's layout with stand-ins: `npm` on PATH writes
 * dist/cli/main.js after a pause, and bin/keney-audit.js prints "scanned".
 * The real install is covered by pre-commit-hook.test.ts.
 */
function makeHookCopy(npmPause: number): { hookFolder: string; env: NodeJS.ProcessEnv } {
  const hookFolder = makeTempFolder({
    'bin/pre-commit-hook.sh': fs.readFileSync(path.join(REPO_ROOT, 'bin', 'pre-commit-hook.sh'), 'utf8'),
    'bin/keney-audit.js': "console.log('scanned');\n",
    'tools/npm': `#!/bin/sh\nsleep ${npmPause}\nmkdir -p dist/cli && echo '' > dist/cli/main.js\n`,
  });
  fs.chmodSync(path.join(hookFolder, 'tools', 'npm'), 0o755);
  return { hookFolder, env: { ...process.env, PATH: `${path.join(hookFolder, 'tools')}:${process.env.PATH}` } };
}

describe('pre-commit hook install lock', () => {
  it('of a dead install is removed', () => {
    const { hookFolder, env } = makeHookCopy(0);
    // The lock of an install whose process no longer runs, as Ctrl-C leaves it.
    fs.mkdirSync(path.join(hookFolder, '.install-lock'));
    fs.writeFileSync(path.join(hookFolder, '.install-lock', 'pid'), '999999\n');

    const result = spawnSync('sh', [path.join(hookFolder, 'bin', 'pre-commit-hook.sh')], { env, encoding: 'utf8', timeout: 20_000 });
    expect(result.stdout).toContain('scanned');
    expect(result.stderr).toContain('removing the lock of an interrupted install');
    expect(fs.existsSync(path.join(hookFolder, '.install-lock'))).toBe(false);
  });

  it('is released when the install is interrupted', async () => {
    const { hookFolder, env } = makeHookCopy(2);
    const hook = spawn('sh', [path.join(hookFolder, 'bin', 'pre-commit-hook.sh')], { env, stdio: 'ignore' });
    const lock = path.join(hookFolder, '.install-lock');
    for (let waited = 0; waited < 100 && !fs.existsSync(path.join(lock, 'pid')); waited++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fs.existsSync(lock)).toBe(true);

    hook.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => hook.on('exit', (status) => resolve(status)));
    expect(code).toBe(130);
    expect(fs.existsSync(lock)).toBe(false);
  });
});
