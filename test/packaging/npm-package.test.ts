import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type * as Sarif from 'sarif';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allRules } from '../../src/rules/index.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { makeTempFolder, runCli, SQL_INJECTION_ROUTE } from '../helpers/temp-project.js';

/** npm install fetches the runtime dependencies from the registry, so this file gets minutes, not seconds. */
const INSTALL_TIMEOUT_MS = 10 * 60_000;

/** What the package must ship: the CLI, the built code, the docs that SARIF help reads, and the legal and readme files. */
const ALLOWED_TOP_LEVEL = ['LICENSE', 'README.md', 'bin', 'dist', 'docs', 'package.json'];
const REQUIRED_FILES = ['LICENSE', 'README.md', 'package.json', 'bin/keney-audit.js', 'bin/pre-commit-hook.sh', 'dist/cli/main.js', 'dist/engine/worker.js'];

interface PackResult {
  filename: string;
  files: Array<{ path: string }>;
}

/** Returns the environment of the test run without npm's lifecycle variables, which `npm test` sets and which would steer the nested npm. */
function npmEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(name)) env[name] = value;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

function run(command: string, args: string[], cwd: string, env = npmEnvironment()) {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: INSTALL_TIMEOUT_MS });
  if (result.error) throw result.error;
  return result;
}

describe('npm package', () => {
  let packed: PackResult;
  let tarball: string;
  let destination: string;

  beforeAll(() => {
    // Fails fast when dist/ is older than src/, as every CLI test does.
    expect(runCli(['--version'], { cwd: REPO_ROOT }).status).toBe(0);
    // --ignore-scripts packs the dist/ that the build made, instead of rebuilding it under other running tests.
    destination = fs.mkdtempSync(path.join(os.tmpdir(), 'keney-audit-pack-'));
    const result = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', destination], REPO_ROOT);
    expect(result.status, result.stderr).toBe(0);
    packed = (JSON.parse(result.stdout) as PackResult[])[0]!;
    tarball = path.join(destination, packed.filename);
  }, INSTALL_TIMEOUT_MS);

  afterAll(() => {
    if (destination) fs.rmSync(destination, { recursive: true, force: true });
  });

  it('holds only what users need', () => {
    const files = packed.files.map((file) => file.path);
    const topLevel = [...new Set(files.map((file) => file.split('/')[0]!))].sort();
    expect(topLevel).toEqual(ALLOWED_TOP_LEVEL);
    for (const file of REQUIRED_FILES) expect(files).toContain(file);
    for (const folder of ['src/', 'test/', 'examples/', 'bench/', '.ci/', 'node_modules/']) {
      expect(files.filter((file) => file.startsWith(folder))).toEqual([]);
    }
  });

  it('ships the page of every rule', () => {
    const files = new Set(packed.files.map((file) => file.path));
    for (const rule of allRules) expect(files.has(`docs/rules/${rule.meta.id}.md`), rule.meta.id).toBe(true);
  });

  it(
    'installs into a new project and scans',
    () => {
      // Without a package.json, npm installs into the nearest parent folder that has node_modules, if there is one.
      const consumer = makeTempFolder({ 'package.json': JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }) });
      const install = run('npm', ['install', '--no-audit', '--no-fund', tarball], consumer);
      expect(install.status, install.stderr).toBe(0);
      fs.mkdirSync(path.join(consumer, 'src'));
      fs.writeFileSync(path.join(consumer, 'src', 'route.ts'), SQL_INJECTION_ROUTE);
      const env = npmEnvironment({ XDG_CACHE_HOME: path.join(consumer, '.cache') });

      const version = run('npx', ['--no-install', 'keney-audit', '--version'], consumer, env);
      expect(version.stdout.trim()).toBe('0.1.0');

      const text = run('npx', ['--no-install', 'keney-audit', 'scan', 'src'], consumer, env);
      expect(text.stdout).toContain('src/route.ts');
      expect(text.stdout).toMatch(/9:31 +critical +req\.query\.ward from the request is built into the SQL text/);
      expect(text.status, text.stderr).toBe(1);

      // SARIF help reads the rule pages from the installed package.
      const sarif = run('npx', ['--no-install', 'keney-audit', 'scan', 'src', '--format', 'sarif', '--rule', 'sql-injection'], consumer, env);
      const rule = (JSON.parse(sarif.stdout) as Sarif.Log).runs[0]!.tool.driver.rules![0]!;
      expect(rule.help!.markdown).toContain('# sql-injection');
      expect(sarif.status).toBe(1);
    },
    INSTALL_TIMEOUT_MS,
  );
});
