import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CLEAN_MODULE,
  commitAll,
  git,
  makeCommittedRepo,
  makeTempFolder,
  runCli,
  runCliJson,
  SQL_INJECTION_ROUTE,
  SQL_RULES,
  UNPARAMETERIZED_HELPER,
  writeFiles,
} from '../helpers/temp-project.js';

interface ScanJson {
  files: string[];
  summary: { files: number };
  findings: Array<{ ruleId: string; location: { file: string; startLine: number }; suppression: unknown }>;
}

/** `file:line` of each unsuppressed finding. */
function places(json: ScanJson): string[] {
  return json.findings.filter((finding) => !finding.suppression).map((finding) => `${finding.location.file}:${finding.location.startLine}`);
}

/** An Express app that limits every /auth route. */
const APP_WITH_LIMITER = `import express from 'express';
import rateLimit from 'express-rate-limit';

export const app = express();
app.use(express.json());
app.use('/auth', rateLimit({ windowMs: 60_000, limit: 10 }));
`;

/** Routes on the app above: /auth/login is limited there, /email/verify (line 5) is not. */
const ROUTES = `import { app } from './app';
import { login, verifyEmail } from './handlers';

app.post('/auth/login', login);
app.post('/email/verify', verifyEmail);
`;

const HANDLERS = `export function login() {}
export function verifyEmail() {}
`;

describe('scan --staged', () => {
  it('scans the staged version of an edited file', () => {
    const cwd = makeCommittedRepo({ 'src/db.ts': CLEAN_MODULE });
    writeFiles(cwd, { 'src/db.ts': UNPARAMETERIZED_HELPER });
    git(cwd, 'add', 'src/db.ts');
    writeFiles(cwd, { 'src/db.ts': CLEAN_MODULE });

    const { status, json } = runCliJson<ScanJson>(['scan', '--staged', ...SQL_RULES], { cwd });
    expect(places(json)).toEqual(['src/db.ts:6']);
    expect(status).toBe(1);
  });

  it('ignores unstaged edits of a staged file', () => {
    const cwd = makeCommittedRepo({ 'src/answer.ts': CLEAN_MODULE });
    writeFiles(cwd, { 'src/db.ts': CLEAN_MODULE });
    git(cwd, 'add', 'src/db.ts');
    writeFiles(cwd, { 'src/db.ts': UNPARAMETERIZED_HELPER });

    const { status, json } = runCliJson<ScanJson>(['scan', '--staged', ...SQL_RULES], { cwd });
    expect(json.files).toEqual(['src/db.ts']);
    expect(places(json)).toEqual([]);
    expect(status).toBe(0);
  });

  it('reports staged files only', () => {
    const cwd = makeCommittedRepo({ 'src/old.ts': UNPARAMETERIZED_HELPER, 'src/answer.ts': CLEAN_MODULE });
    writeFiles(cwd, { 'src/new.ts': UNPARAMETERIZED_HELPER, 'src/answer.ts': SQL_INJECTION_ROUTE });
    git(cwd, 'add', 'src/new.ts');

    const { json } = runCliJson<ScanJson>(['scan', '--staged', ...SQL_RULES], { cwd });
    expect(json.files).toEqual(['src/new.ts']);
    expect(json.summary.files).toBe(1);
    expect(places(json)).toEqual(['src/new.ts:6']);
  });

  it('scans the whole commit from a subfolder', () => {
    const cwd = makeCommittedRepo({ 'src/answer.ts': CLEAN_MODULE, 'docs/readme.md': '# Clinic\n' });
    writeFiles(cwd, { 'src/new.ts': UNPARAMETERIZED_HELPER });
    git(cwd, 'add', 'src/new.ts');

    const { status, json } = runCliJson<ScanJson>(['scan', '--staged', ...SQL_RULES], { cwd: path.join(cwd, 'docs') });
    expect(places(json)).toEqual(['src/new.ts:6']);
    expect(status).toBe(1);
  });

  it('reads each file when a name holds a line break', () => {
    const cwd = makeCommittedRepo({ 'src/answer.ts': CLEAN_MODULE });
    writeFiles(cwd, { 'src/a\nb.ts': CLEAN_MODULE, 'src/c.ts': CLEAN_MODULE, 'src/d.ts': UNPARAMETERIZED_HELPER });
    git(cwd, 'add', 'src');

    const { status, json } = runCliJson<ScanJson>(['scan', '--staged', ...SQL_RULES], { cwd });
    expect(places(json)).toEqual(['src/d.ts:6']);
    expect(status).toBe(1);
  });

  it('applies the size limit to staged content', () => {
    const cwd = makeCommittedRepo({ 'src/answer.ts': CLEAN_MODULE, '.keneyaudit.yml': 'maxFileSize: 1KB\n' });
    writeFiles(cwd, { 'src/big.ts': `${UNPARAMETERIZED_HELPER}// ${'x'.repeat(2000)}\n` });
    git(cwd, 'add', 'src/big.ts');

    const { status, json } = runCliJson<ScanJson & { skipped: Array<{ file: string }> }>(['scan', '--staged', ...SQL_RULES], { cwd });
    expect(places(json)).toEqual([]);
    expect(json.skipped.map((item) => item.file)).toEqual(['src/big.ts']);
    expect(status).toBe(0);
  });

  it('scans a staged file the working tree no longer has', () => {
    const cwd = makeCommittedRepo({ 'src/answer.ts': CLEAN_MODULE });
    writeFiles(cwd, { 'src/db.ts': UNPARAMETERIZED_HELPER });
    git(cwd, 'add', 'src/db.ts');
    fs.rmSync(path.join(cwd, 'src', 'db.ts'));

    const { status, json } = runCliJson<ScanJson>(['scan', '--staged', ...SQL_RULES], { cwd });
    expect(places(json)).toEqual(['src/db.ts:6']);
    expect(status).toBe(1);
  });

  it('judges a staged route with the limiter of a committed file', () => {
    const cwd = makeCommittedRepo({ 'src/app.ts': APP_WITH_LIMITER, 'src/handlers.ts': HANDLERS });
    writeFiles(cwd, { 'src/routes.ts': ROUTES });
    git(cwd, 'add', 'src/routes.ts');

    const { json } = runCliJson<ScanJson>(['scan', '--staged', '--rule', 'missing-rate-limit'], { cwd });
    // /auth/login (line 4) is limited in src/app.ts, which is committed and not staged.
    expect(places(json)).toEqual(['src/routes.ts:5']);
    expect(json.files).toEqual(['src/routes.ts']);
  });

  it('flags the staged route when the committed app has no limiter', () => {
    const appWithoutLimiter = APP_WITH_LIMITER.replace(/^.*rateLimit.*\n/gm, '');
    const cwd = makeCommittedRepo({ 'src/app.ts': appWithoutLimiter, 'src/handlers.ts': HANDLERS });
    writeFiles(cwd, { 'src/routes.ts': ROUTES });
    git(cwd, 'add', 'src/routes.ts');

    const { json } = runCliJson<ScanJson>(['scan', '--staged', '--rule', 'missing-rate-limit'], { cwd });
    expect(places(json)).toEqual(['src/routes.ts:4', 'src/routes.ts:5']);
  });

  it('with nothing staged prints a message and exits 0', () => {
    const cwd = makeCommittedRepo({ 'src/db.ts': UNPARAMETERIZED_HELPER });
    const result = runCli(['scan', '--staged', '--no-color'], { cwd });
    expect(result.stderr).toBe('No staged TypeScript, JavaScript or .env file to scan.\n');
    expect(result.stdout).toContain('Scanned 0 files');
    expect(result.status).toBe(0);
  });

  it('with nothing staged and --quiet prints nothing', () => {
    const cwd = makeCommittedRepo({ 'src/db.ts': UNPARAMETERIZED_HELPER });
    const result = runCli(['scan', '--staged', '--quiet'], { cwd });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  });

  it('with only other files staged prints the same message', () => {
    const cwd = makeCommittedRepo({ 'src/db.ts': UNPARAMETERIZED_HELPER });
    writeFiles(cwd, { 'README.md': '# Clinic\n' });
    git(cwd, 'add', 'README.md');
    const result = runCli(['scan', '--staged'], { cwd });
    expect(result.stderr).toBe('No staged TypeScript, JavaScript or .env file to scan.\n');
    expect(result.status).toBe(0);
  });

  it('in a repository without source files exits 0', () => {
    // The first commit of a new project, made before any code exists.
    const cwd = makeCommittedRepo({ 'README.md': '# Clinic\n' });
    writeFiles(cwd, { 'package.json': '{ "name": "clinic" }\n' });
    git(cwd, 'add', 'package.json');
    const result = runCli(['scan', '--staged'], { cwd });
    expect(result.stderr).toBe('No staged TypeScript, JavaScript or .env file to scan.\n');
    expect(result.status).toBe(0);
  });

  it('outside a git repository exits 2', () => {
    const cwd = makeTempFolder({ 'src/db.ts': UNPARAMETERIZED_HELPER });
    const result = runCli(['scan', '--staged'], { cwd });
    expect(result.stderr).toContain('ERROR: --staged needs a git repository, and the working directory is not inside one.');
    expect(result.status).toBe(2);
  });
});

describe('scan --staged config', () => {
  const RULE_ON = 'rules:\n  unparameterized-sql: on\n';
  const RULE_OFF = 'rules:\n  unparameterized-sql: off\n';

  it('comes from the index, not the work tree', () => {
    const cwd = makeCommittedRepo({ 'src/db.ts': CLEAN_MODULE, '.keneyaudit.yml': RULE_ON });
    writeFiles(cwd, { 'src/db.ts': UNPARAMETERIZED_HELPER });
    git(cwd, 'add', 'src/db.ts');
    // An unstaged edit that turns the rule off is not part of the commit.
    writeFiles(cwd, { '.keneyaudit.yml': RULE_OFF });

    const { status, json } = runCliJson<ScanJson>(['scan', '--staged'], { cwd });
    expect(places(json)).toEqual(['src/db.ts:6']);
    expect(status).toBe(1);
  });

  it('staged edit applies though the work tree differs', () => {
    const cwd = makeCommittedRepo({ 'src/db.ts': CLEAN_MODULE, '.keneyaudit.yml': RULE_ON });
    writeFiles(cwd, { 'src/db.ts': UNPARAMETERIZED_HELPER, '.keneyaudit.yml': RULE_OFF });
    git(cwd, 'add', 'src/db.ts', '.keneyaudit.yml');
    writeFiles(cwd, { '.keneyaudit.yml': RULE_ON });

    const { status, json } = runCliJson<ScanJson>(['scan', '--staged'], { cwd });
    expect(places(json)).toEqual([]);
    expect(status).toBe(0);
  });

  it('untracked is read with a note', () => {
    const cwd = makeCommittedRepo({ 'src/db.ts': CLEAN_MODULE });
    writeFiles(cwd, { 'src/db.ts': UNPARAMETERIZED_HELPER, '.keneyaudit.yml': RULE_OFF });
    git(cwd, 'add', 'src/db.ts');

    const result = runCli(['scan', '--staged'], { cwd });
    expect(result.stderr).toContain('.keneyaudit.yml is not staged');
    expect(result.status).toBe(0);
  });
});

describe('scan --changed-since', () => {
  /** Creates a repository whose feature branch commits, edits and adds files after `main`. */
  function makeBranch(): string {
    const cwd = makeCommittedRepo({
      'src/old.ts': UNPARAMETERIZED_HELPER,
      'src/edited.ts': CLEAN_MODULE,
      'src/same.ts': CLEAN_MODULE,
    });
    git(cwd, 'checkout', '--quiet', '-b', 'feature');
    writeFiles(cwd, { 'src/committed.ts': UNPARAMETERIZED_HELPER });
    commitAll(cwd, 'Add a helper on the branch');
    writeFiles(cwd, { 'src/edited.ts': UNPARAMETERIZED_HELPER, 'src/untracked.ts': UNPARAMETERIZED_HELPER });
    return cwd;
  }

  it('reports committed, modified and untracked files', () => {
    const cwd = makeBranch();
    const { status, json } = runCliJson<ScanJson>(['scan', '--changed-since', 'main', ...SQL_RULES], { cwd });
    expect(json.files).toEqual(['src/committed.ts', 'src/edited.ts', 'src/untracked.ts']);
    expect(places(json)).toEqual(['src/committed.ts:6', 'src/edited.ts:6', 'src/untracked.ts:6']);
    expect(status).toBe(1);
  });

  it('with no change prints a message and exits 0', () => {
    const cwd = makeCommittedRepo({ 'src/old.ts': UNPARAMETERIZED_HELPER });
    const result = runCli(['scan', '--changed-since', 'main'], { cwd });
    expect(result.stderr).toBe('No file changed since main to scan.\n');
    expect(result.status).toBe(0);
  });

  it('unknown ref exits 2', () => {
    const cwd = makeBranch();
    const result = runCli(['scan', '--changed-since', 'no-such-branch'], { cwd });
    expect(result.stderr).toContain("ERROR: --changed-since names 'no-such-branch', which is not a commit in this repository.");
    expect(result.stdout).toBe('');
    expect(result.status).toBe(2);
  });

  it('with --staged is a usage error', () => {
    const cwd = makeBranch();
    const result = runCli(['scan', '--staged', '--changed-since', 'main'], { cwd });
    expect(result.stderr).toContain('ERROR: --staged and --changed-since cannot be used together.');
    expect(result.status).toBe(2);
  });
});
