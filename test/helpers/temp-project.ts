import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, onTestFinished } from 'vitest';
import { REPO_ROOT } from './fixtures.js';

export const CLI = path.join(REPO_ROOT, 'bin', 'keney-audit.js');

/**
 * An Express route that builds SQL from `req.query.ward`: one sql-injection
 * finding (critical) at 9:31, whose related location is line 8.
 */
export const SQL_INJECTION_ROUTE = `import express from 'express';
import { Pool } from 'pg';

const pool = new Pool();
const app = express();

app.get('/patients', async (req, res) => {
  const ward = req.query.ward;
  const { rows } = await pool.query(\`SELECT id FROM patients WHERE ward = '\${ward}'\`);
  res.json(rows);
});
`;

/** A helper that interpolates its parameter into SQL: one unparameterized-sql finding (high) at 6:14. */
export const UNPARAMETERIZED_HELPER = `import { Pool } from 'pg';

const pool = new Pool();

export async function deleteVisits(table: string) {
  await pool.query(\`DELETE FROM \${table}\`);
}
`;

/** Code no rule should flag. */
export const CLEAN_MODULE = `export const answer = 42;\n`;

/** Runs only the two SQL rules, so rules added later cannot change the counts a test expects. */
export const SQL_RULES = ['--rule', 'sql-injection,unparameterized-sql'];

/**
 * Creates a folder under the system temp folder with the given files, and
 * removes it when the test ends. Returns its real path.
 */
export function makeTempFolder(files: Record<string, string> = {}): string {
  const folder = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'keney-audit-test-')));
  onTestFinished(() => fs.rmSync(folder, { recursive: true, force: true }));
  writeFiles(folder, files);
  return folder;
}

/** Writes files given by path relative to `folder`, creating parent folders. */
export function writeFiles(folder: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    const target = path.join(folder, name);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, text);
  }
}

/** Runs git in `folder` with no user or system config, and returns its standard output. */
export function git(folder: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd: folder,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Makes `folder` the top level of a new git repository whose first branch is `main`. */
export function initGitRepo(folder: string): void {
  git(folder, 'init', '--quiet', '--initial-branch=main');
}

/** Stages every file of the work tree and commits it with a fixed author. */
export function commitAll(folder: string, message: string): void {
  git(folder, 'add', '--all');
  git(folder, '-c', 'user.name=keney-audit tests', '-c', 'user.email=tests@example.com', 'commit', '--quiet', '--message', message);
}

/** Creates a temp folder with the files, as a git repository with one commit on `main`. */
export function makeCommittedRepo(files: Record<string, string>): string {
  const folder = makeTempFolder(files);
  initGitRepo(folder);
  commitAll(folder, 'Add the first files');
  return folder;
}

/** Maximum time a CLI run may take, equal to the test timeout in vitest.config.ts. The slowest runs, on generated projects, take a few seconds. */
const CLI_TIMEOUT_MS = 60_000;

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd: string;
  /** Variables added to an environment that has no NO_COLOR, FORCE_COLOR or SOURCE_DATE_EPOCH. */
  env?: Record<string, string>;
  /** User and group ids to run as. Only root can set them. */
  uid?: number;
  gid?: number;
}

let cacheHome: string | undefined;

// Registered while vitest collects the test file that imports this module, so it runs after that file's tests.
afterAll(() => {
  if (cacheHome !== undefined) fs.rmSync(cacheHome, { recursive: true, force: true });
  cacheHome = undefined;
});

/**
 * Returns a cache home for the CLI runs of the current test file, removed
 * after its tests, so that the default cache of scans in temp folders without
 * node_modules does not pile up in the user's ~/.cache.
 */
function getTestCacheHome(): string {
  cacheHome ??= fs.mkdtempSync(path.join(os.tmpdir(), 'keney-audit-cache-home-'));
  return cacheHome;
}

/** Runs the built CLI (bin/keney-audit.js) in a child process, with XDG_CACHE_HOME in a temp folder unless `env` sets it. */
export function runCli(args: string[], options: CliOptions): CliResult {
  assertBuildIsCurrent();
  const env = { ...process.env };
  delete env.NO_COLOR;
  delete env.FORCE_COLOR;
  delete env.SOURCE_DATE_EPOCH;
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    env: { ...env, XDG_CACHE_HOME: getTestCacheHome(), ...options.env },
    encoding: 'utf8',
    // A CLI that hangs fails its test instead of the whole run, which a timeout of the test cannot stop during spawnSync.
    timeout: CLI_TIMEOUT_MS,
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.gid ?? options.uid } : {}),
  });
  if (result.error) throw result.error;
  // An uncaught error makes Node exit with 1, the code for findings, so report it as a crash.
  if (result.status === 1 && /^ {4}at .*\(?node:internal\//m.test(result.stderr)) {
    throw new Error(`The CLI crashed:\n${result.stderr}`);
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs the CLI and parses its standard output as JSON. */
export function runCliJson<T = Record<string, unknown>>(args: string[], options: CliOptions): { status: number | null; json: T; stderr: string } {
  const result = runCli([...args, '--format', 'json'], options);
  return { status: result.status, json: JSON.parse(result.stdout) as T, stderr: result.stderr };
}

/**
 * Parts of src/ whose changes the CLI tests must see: the command line,
 * config, file discovery, reporters, the scan, suppressions, the result
 * cache and baselines. The rules,
 * the semantic layer and the rest of the engine are left out because they
 * change while rule authors work, and the CLI tests only run the two SQL rules.
 */
const CLI_SOURCES = ['cli', 'config', 'files', 'reporters', 'engine/scanner.ts', 'engine/suppressions.ts', 'engine/cache.ts', 'engine/baseline.ts'];

let buildChecked = false;

/** Fails fast when dist/ is missing or older than the CLI's sources, because the CLI tests would then test old code. */
function assertBuildIsCurrent(): void {
  if (buildChecked) return;
  const built = path.join(REPO_ROOT, 'dist', 'cli', 'main.js');
  const builtAt = fs.existsSync(built) ? fs.statSync(built).mtimeMs : 0;
  const sources = CLI_SOURCES.map((source) => path.join(REPO_ROOT, 'src', source));
  const newest = Math.max(...sources.map(newestModification));
  if (builtAt < newest) {
    throw new Error('dist/ is missing or older than src/. Run `npm run build` before the CLI tests.');
  }
  buildChecked = true;
}

function newestModification(source: string): number {
  const stat = fs.statSync(source);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(source, { withFileTypes: true })) {
    newest = Math.max(newest, newestModification(path.join(source, entry.name)));
  }
  return newest;
}
