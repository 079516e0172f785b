import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { CLEAN_MODULE, git, UNPARAMETERIZED_HELPER } from '../helpers/temp-project.js';

/** The first hook run installs keney-audit with `npm ci` and builds it, which takes a minute or more. */
const HOOK_TIMEOUT_MS = 10 * 60_000;

const PRE_COMMIT_MISSING = spawnSync('pre-commit', ['--version'], { encoding: 'utf8' }).status !== 0;
const SKIP_NOTE = 'pre-commit is not on PATH; install it (Debian package pre-commit, as .ci/run does) to run this test';

/**
 * Returns the environment of a commit in the test repository: pre-commit's cache and
 * the scan cache in temp folders, no user or system git config, and none of
 * the npm lifecycle variables that `npm test` sets, which would steer the
 * hook's `npm ci`.
 */
function commitEnvironment(preCommitHome: string, cacheHome: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(name)) env[name] = value;
  }
  return {
    ...env,
    PRE_COMMIT_HOME: preCommitHome,
    XDG_CACHE_HOME: cacheHome,
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'keney-audit tests',
    GIT_AUTHOR_EMAIL: 'tests@example.com',
    GIT_COMMITTER_NAME: 'keney-audit tests',
    GIT_COMMITTER_EMAIL: 'tests@example.com',
  };
}

describe('pre-commit framework hook', () => {
  let work: string;
  let project: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(() => {
    if (PRE_COMMIT_MISSING) return;
    work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'keney-audit-hook-')));
    // pre-commit clones `repo:` at `rev`, so a clone of the committed HEAD takes the place of the published repository.
    const hookRepo = path.join(work, 'keney-audit');
    git(work, 'clone', '--quiet', REPO_ROOT, hookRepo);
    const rev = git(REPO_ROOT, 'rev-parse', 'HEAD').trim();

    project = path.join(work, 'project');
    fs.mkdirSync(project);
    git(project, 'init', '--quiet', '--initial-branch=main');
    fs.writeFileSync(
      path.join(project, '.pre-commit-config.yaml'),
      `repos:\n  - repo: ${hookRepo}\n    rev: ${rev}\n    hooks:\n      - id: keney-audit\n`,
    );
    env = commitEnvironment(path.join(work, 'pre-commit-home'), path.join(work, 'cache'));
    const install = spawnSync('pre-commit', ['install'], { cwd: project, env, encoding: 'utf8' });
    expect(install.status, install.stderr).toBe(0);
  });

  afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  function commit(file: string, text: string): { status: number | null; output: string; commits: number } {
    fs.writeFileSync(path.join(project, file), text);
    spawnSync('git', ['add', '--all'], { cwd: project, env });
    const result = spawnSync('git', ['commit', '--message', `Add ${file}`], { cwd: project, env, encoding: 'utf8', timeout: HOOK_TIMEOUT_MS });
    const log = spawnSync('git', ['rev-list', '--count', '--all'], { cwd: project, env, encoding: 'utf8' });
    return { status: result.status, output: `${result.stdout}${result.stderr}`, commits: Number(log.stdout.trim() || 0) };
  }

  it(
    'fails a commit of a vulnerable file',
    ({ skip }) => {
      skip(PRE_COMMIT_MISSING, SKIP_NOTE);
      const result = commit('visits.ts', UNPARAMETERIZED_HELPER);
      expect(result.output).toMatch(/keney-audit\.+Failed/);
      expect(result.output).toContain('visits.ts');
      expect(result.output).toMatch(/6:14 +high +SQL text passed to query\(\) includes table/);
      expect(result.status).not.toBe(0);
      expect(result.commits).toBe(0);
      // Unstage the file, so the next commit contains only its own.
      spawnSync('git', ['rm', '--cached', '--quiet', 'visits.ts'], { cwd: project, env });
      fs.rmSync(path.join(project, 'visits.ts'));
    },
    HOOK_TIMEOUT_MS,
  );

  it(
    'passes a commit of a clean file',
    ({ skip }) => {
      skip(PRE_COMMIT_MISSING, SKIP_NOTE);
      const result = commit('answer.ts', CLEAN_MODULE);
      expect(result.output).toMatch(/keney-audit\.+Passed/);
      expect(result.status, result.output).toBe(0);
      expect(result.commits).toBe(1);
    },
    HOOK_TIMEOUT_MS,
  );
});
