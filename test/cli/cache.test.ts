import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES } from '../helpers/fixtures.js';
import { git, makeCommittedRepo, makeTempFolder, runCli, runCliJson, SQL_INJECTION_ROUTE, UNPARAMETERIZED_HELPER } from '../helpers/temp-project.js';

interface ScanJson {
  summary: { files: number; cached: number; durationMs: number };
  findings: Array<{ ruleId: string; message: string; fingerprint: string; location: { file: string; startLine: number } }>;
  notifications: Array<{ level: string; kind: string; message: string }>;
}

/** Returns the report without the fields that differ between a fresh and a cached scan by design: the times and the cache count. */
function comparable(json: ScanJson): unknown {
  return { ...json, startTime: '', endTime: '', summary: { ...json.summary, cached: 0, durationMs: 0 } };
}

function places(json: ScanJson): string[] {
  return json.findings.map((finding) => `${finding.location.file}:${finding.location.startLine}`);
}

const APP_WITH_LIMITER = `import express from 'express';
import rateLimit from 'express-rate-limit';

export const app = express();
app.use('/auth', rateLimit({ windowMs: 60_000, limit: 10 }));
`;

/** Routes on the app above: both are limited there. */
const ROUTES = `import { app } from './app';
import { login, refresh } from './handlers';

app.post('/auth/login', login);
app.post('/auth/token/refresh', refresh);
`;

/** The module of UNPARAMETERIZED_HELPER with a constant table name. */
const CLEAN_DB_MODULE = UNPARAMETERIZED_HELPER.replace('DELETE FROM \${table}', 'DELETE FROM visits WHERE id = $1');

const HANDLERS = `export function login() {}
export function refresh() {}
`;

/** Lists the files under a folder, relative to it. */
function listFiles(folder: string): string[] {
  if (!fs.existsSync(folder)) return [];
  return fs.readdirSync(folder, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => entry.name);
}

/**
 * A module preloaded with --import that writes, when the process exits,
 * whether the TypeScript compiler was loaded: the CLI loads it through
 * require, so it shows in the shared module cache.
 */
const REPORT_COMPILER_LOAD = `import fs from 'node:fs';
import { createRequire } from 'node:module';

const modules = createRequire(import.meta.url).cache;
process.on('exit', () => {
  const loaded = Object.keys(modules).some((file) => /[\\\\/]typescript\\.js$/.test(file));
  fs.writeFileSync(process.env.COMPILER_LOAD_FILE, loaded ? 'loaded' : 'not loaded');
});
`;

describe('result cache', () => {
  it('fully cached scan skips the compiler', () => {
    const cwd = makeTempFolder({ 'src/route.ts': SQL_INJECTION_ROUTE, 'src/db.ts': UNPARAMETERIZED_HELPER });
    const tools = makeTempFolder({ 'report-compiler-load.mjs': REPORT_COMPILER_LOAD });
    const reportFile = path.join(tools, 'compiler.txt');
    const env = { NODE_OPTIONS: `--import ${path.join(tools, 'report-compiler-load.mjs')}`, COMPILER_LOAD_FILE: reportFile };
    const args = ['scan', '--cache-location', '.scan-cache'];
    const first = runCliJson<ScanJson>(args, { cwd, env });
    expect(fs.readFileSync(reportFile, 'utf8')).toBe('loaded');
    const second = runCliJson<ScanJson>(args, { cwd, env });
    expect(fs.readFileSync(reportFile, 'utf8')).toBe('not loaded');
    expect(second.json.summary.cached).toBe(2);
    expect(comparable(second.json)).toEqual(comparable(first.json));
  });

  it('second scan of an unchanged tree analyses nothing', () => {
    const cwd = makeTempFolder({ 'src/route.ts': SQL_INJECTION_ROUTE, 'src/db.ts': UNPARAMETERIZED_HELPER, 'src/app.ts': APP_WITH_LIMITER });
    const args = ['scan', '--cache-location', '.scan-cache'];
    const first = runCliJson<ScanJson>(args, { cwd }).json;
    const second = runCliJson<ScanJson>(args, { cwd }).json;
    expect(first.summary.cached).toBe(0);
    expect(second.summary.cached).toBe(3);
    expect(second.summary.files).toBe(3);
    expect(comparable(second)).toEqual(comparable(first));
  });

  it('of another user matches no file', () => {
    const cwd = makeTempFolder({ 'src/route.ts': SQL_INJECTION_ROUTE, 'src/db.ts': UNPARAMETERIZED_HELPER });
    const args = ['scan', '--cache-location', '.scan-cache'];
    const owner = runCliJson<ScanJson>(args, { cwd }).json;
    // A pack committed to the repository reaches a CI machine whose user key differs.
    const stranger = runCliJson<ScanJson>(args, { cwd, env: { XDG_CACHE_HOME: makeTempFolder({}) } }).json;
    expect(owner.summary.cached).toBe(0);
    expect(stranger.summary.cached).toBe(0);
    expect(places(stranger)).toEqual(places(owner));
  });

  it('re-analyses only the edited file', () => {
    const cwd = makeTempFolder({ 'src/route.ts': SQL_INJECTION_ROUTE, 'src/db.ts': UNPARAMETERIZED_HELPER });
    const args = ['scan', '--cache-location', '.scan-cache'];
    runCliJson<ScanJson>(args, { cwd });
    fs.appendFileSync(path.join(cwd, 'src', 'db.ts'), '// reviewed\n');
    expect(runCliJson<ScanJson>(args, { cwd }).json.summary.cached).toBe(1);
  });

  it('editing one module updates the findings of another', () => {
    const cwd = makeTempFolder({ 'src/app.ts': APP_WITH_LIMITER, 'src/routes.ts': ROUTES, 'src/handlers.ts': HANDLERS });
    const args = ['scan', '--rule', 'missing-rate-limit', '--cache-location', '.scan-cache'];
    expect(places(runCliJson<ScanJson>(args, { cwd }).json)).toEqual([]);

    // Only app.ts changes; routes.ts comes from the cache, and the project step judges it again.
    fs.writeFileSync(path.join(cwd, 'src', 'app.ts'), APP_WITH_LIMITER.replace(/^.*rateLimit.*\n/gm, ''));
    const { json } = runCliJson<ScanJson>(args, { cwd });
    expect(json.summary.cached).toBe(2);
    expect(places(json)).toEqual(['src/routes.ts:4', 'src/routes.ts:5']);
  });

  it('cached scan reports what a fresh scan reports', () => {
    // Secrets imported from another module are judged from that module's cached summary.
    const cwd = makeTempFolder();
    for (const ruleId of ['hardcoded-secret', 'weak-signing-secret', 'jwt-long-expiry']) {
      fs.cpSync(path.join(FIXTURES, ruleId), path.join(cwd, 'src', ruleId), { recursive: true });
    }
    const env = { SOURCE_DATE_EPOCH: '1704067200' };
    const fresh = runCliJson<ScanJson>(['scan', '--no-cache', '--fail-on', 'none'], { cwd, env }).json;
    const args = ['scan', '--cache-location', '.scan-cache', '--fail-on', 'none'];
    runCliJson<ScanJson>(args, { cwd, env });
    const cached = runCliJson<ScanJson>(args, { cwd, env }).json;
    expect(cached.summary.cached).toBe(fresh.summary.files);
    expect(fresh.findings.length).toBeGreaterThan(20);
    expect(comparable(cached)).toEqual(comparable(fresh));
  });

  it('--no-cache writes no cache', () => {
    const cwd = makeTempFolder({ 'src/db.ts': UNPARAMETERIZED_HELPER, 'node_modules/.keep': '' });
    const cacheHome = makeTempFolder();
    const result = runCli(['scan', '--no-cache'], { cwd, env: { XDG_CACHE_HOME: cacheHome } });
    expect(result.status, result.stderr).toBe(1);
    expect(listFiles(path.join(cwd, 'node_modules'))).toEqual(['.keep']);
    expect(listFiles(cacheHome)).toEqual([]);
  });

  it('goes to node_modules/.cache by default', () => {
    const cwd = makeTempFolder({ 'src/db.ts': UNPARAMETERIZED_HELPER, 'node_modules/.keep': '' });
    runCli(['scan'], { cwd });
    const packs = listFiles(path.join(cwd, 'node_modules', '.cache', 'keney-audit'));
    expect(packs).toHaveLength(1);
    expect(packs[0]).toMatch(/^[0-9a-f]{24}\.bin$/);
  });

  it('--cache-location is honoured', () => {
    const cwd = makeTempFolder({ 'src/db.ts': UNPARAMETERIZED_HELPER, 'node_modules/.keep': '' });
    const cacheFolder = path.join(makeTempFolder(), 'scan cache');
    const args = ['scan', '--cache-location', cacheFolder];
    expect(runCliJson<ScanJson>(args, { cwd }).json.summary.cached).toBe(0);
    expect(listFiles(cacheFolder)).toHaveLength(1);
    expect(fs.existsSync(path.join(cwd, 'node_modules', '.cache'))).toBe(false);
    expect(runCliJson<ScanJson>(args, { cwd }).json.summary.cached).toBe(1);
  });

  it('unwritable cache folder gives a note, not a crash', () => {
    const cwd = makeTempFolder({ 'src/db.ts': UNPARAMETERIZED_HELPER, 'not-a-folder': '' });
    const { status, json } = runCliJson<ScanJson>(['scan', '--cache-location', 'not-a-folder/cache'], { cwd });
    expect(json.findings.map((finding) => finding.ruleId)).toEqual(['unparameterized-sql']);
    expect(json.notifications).toEqual([
      expect.objectContaining({ level: 'note', kind: 'cache-not-written', message: expect.stringContaining('(ENOTDIR)') }),
    ]);
    expect(status).toBe(1);
  });
});

/** A module preloaded with --import that writes, when the process exits, the source files the scan read with readFileSync. */
const REPORT_SOURCE_READS = `import fs from 'node:fs';

const read = [];
const readFileSync = fs.readFileSync;
fs.readFileSync = function (file, ...rest) {
  if (typeof file === 'string' && /\\.ts$/.test(file)) read.push(file.split(/[\\\\/]/).pop());
  return readFileSync.call(this, file, ...rest);
};
process.on('exit', () => fs.writeFileSync(process.env.SOURCE_READS_FILE, read.sort().join('\\n')));
`;

describe('result cache in a git work tree', () => {
  const files = { 'src/route.ts': SQL_INJECTION_ROUTE, 'src/db.ts': UNPARAMETERIZED_HELPER, 'src/app.ts': APP_WITH_LIMITER };
  // Findings of the project step read their line for a snippet, so only rules of the per-file step run.
  const args = ['scan', '--cache-location', '.scan-cache', '--fail-on', 'none', '--rule', 'sql-injection', '--rule', 'unparameterized-sql'];

  function scanRecordingReads(cwd: string): { json: ScanJson; read: string[] } {
    const tools = makeTempFolder({ 'report-source-reads.mjs': REPORT_SOURCE_READS });
    const readsFile = path.join(tools, 'reads.txt');
    const env = { NODE_OPTIONS: `--import ${path.join(tools, 'report-source-reads.mjs')}`, SOURCE_READS_FILE: readsFile };
    const { json } = runCliJson<ScanJson>(args, { cwd, env });
    return { json, read: fs.readFileSync(readsFile, 'utf8').split('\n').filter(Boolean) };
  }

  it('finds committed files without reading them', () => {
    const cwd = makeCommittedRepo(files);
    const first = scanRecordingReads(cwd);
    const second = scanRecordingReads(cwd);
    expect(first.read).toEqual(['app.ts', 'db.ts', 'route.ts']);
    expect(second.read).toEqual([]);
    expect(second.json.summary.cached).toBe(3);
    expect(comparable(second.json)).toEqual(comparable(first.json));
  });

  it('reads and analyses a file edited since the commit', () => {
    const cwd = makeCommittedRepo(files);
    scanRecordingReads(cwd);
    fs.writeFileSync(path.join(cwd, 'src', 'db.ts'), CLEAN_DB_MODULE);
    const edited = scanRecordingReads(cwd);
    expect(edited.read).toEqual(['db.ts']);
    expect(edited.json.summary.cached).toBe(2);
    expect(places(edited.json)).not.toContain('src/db.ts:6');

    // Staging the edit makes the index agree with the file again, and the result stored for its text is found.
    git(cwd, 'add', 'src/db.ts');
    const staged = scanRecordingReads(cwd);
    expect(staged.read).toEqual(['db.ts']);
    expect(staged.json.summary.cached).toBe(3);
    expect(places(staged.json)).toEqual(places(edited.json));
    expect(scanRecordingReads(cwd).read).toEqual([]);
  });
});

describe('compiler code cache', () => {
  it('is written, and replaced when damaged', () => {
    const cwd = makeTempFolder({ 'src/route.ts': SQL_INJECTION_ROUTE, 'src/db.ts': UNPARAMETERIZED_HELPER });
    const home = makeTempFolder();
    const compiled = path.join(home, 'keney-audit', 'compiled');
    // A new result cache each time, so that both scans parse the files.
    const first = runCliJson<ScanJson>(['scan', '--cache-location', '.first'], { cwd, env: { XDG_CACHE_HOME: home } });
    const [name] = fs.readdirSync(compiled);
    expect(name).toMatch(/^typescript-[0-9a-f]{24}\.bin$/);
    const file = path.join(compiled, name!);
    // One changed byte in the middle: V8 does not notice it, and such a cache crashed the process.
    const garbage = fs.readFileSync(file);
    garbage[garbage.length >> 1] ^= 0xff;
    fs.writeFileSync(file, garbage);
    const second = runCliJson<ScanJson>(['scan', '--cache-location', '.second'], { cwd, env: { XDG_CACHE_HOME: home } });
    expect(comparable(second.json)).toEqual(comparable(first.json));
    expect(fs.readFileSync(file).equals(garbage)).toBe(false);
  });
});

describe('cache pack', () => {
  /**
   * Fake secrets in the shapes that reach a file's result: exported constants
   * (module summaries), source lines of other findings on a secret's line
   * (snippets) and of facts for project rules (fingerprint keys), and a
   * token inside a template string.
   */
  const SECRETS = {
    jwt: 'q7Vd2LxP9sKw4mZt8RbN3cYh6JfG1uEa',
    awsKeyId: 'AKIAQ4XPZL7MN2RT5KWB',
    awsSecret: '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',
    session: 'Kd83JsP0qWzX1mNb',
    password: 'Pw9xKm2LqZ7vB4nR',
    bearer: 'Yt62PqLm3XzK8Wv1Bn',
  };

  const CONFIG = `import session from 'express-session';

export const JWT_SECRET = '${SECRETS.jwt}';
export const AWS_ACCESS_KEY_ID = '${SECRETS.awsKeyId}';
export const aws = { accessKeyId: AWS_ACCESS_KEY_ID, secretAccessKey: '${SECRETS.awsSecret}', region: 'eu-west-1' };
export const sessionMiddleware = session({ secret: '${SECRETS.session}', resave: false });
export const database = { user: 'clinic', password: '${SECRETS.password}' };
export const authorization = \`Bearer ${SECRETS.bearer}\`;
`;

  const AUTH = `import jwt from 'jsonwebtoken';
import { JWT_SECRET } from './config';

export function signIn(id: string) {
  return jwt.sign({ id }, JWT_SECRET, { expiresIn: '15m', algorithm: 'HS256' });
}
`;

  /** Returns the windows of `length` characters of `text` that occur in the bytes, as Latin-1 or UTF-16 (V8's two string encodings). */
  function findPieces(bytes: Buffer, text: string, length: number): string[] {
    const found: string[] = [];
    for (let start = 0; start + length <= text.length; start++) {
      const piece = text.slice(start, start + length);
      if (bytes.includes(Buffer.from(piece, 'latin1')) || bytes.includes(Buffer.from(piece, 'utf16le'))) found.push(piece);
    }
    return found;
  }

  it('holds no secret of the scanned code', () => {
    const cwd = makeTempFolder({ 'src/config.ts': CONFIG, 'src/auth.ts': AUTH });
    const { json } = runCliJson<ScanJson>(['scan', '--cache-location', '.scan-cache'], { cwd });
    expect(json.findings.filter((finding) => finding.ruleId === 'hardcoded-secret').length).toBeGreaterThanOrEqual(3);

    const [pack] = listFiles(path.join(cwd, '.scan-cache'));
    const bytes = fs.readFileSync(path.join(cwd, '.scan-cache', pack!));
    // The search itself works: file paths are stored in the clear.
    expect(findPieces(bytes, 'src/config.ts', 13)).toEqual(['src/config.ts']);
    for (const [name, secret] of Object.entries(SECRETS)) {
      expect(findPieces(bytes, secret, 6), `pieces of the ${name} secret`).toEqual([]);
    }

    // The cached run still reports what the first run reported.
    const cached = runCliJson<ScanJson>(['scan', '--cache-location', '.scan-cache'], { cwd }).json;
    expect(cached.summary.cached).toBe(2);
    expect(comparable(cached)).toEqual(comparable(json));
  });
});

describe('cache home', () => {
  it('ignores a relative XDG_CACHE_HOME', () => {
    const cwd = makeTempFolder({ 'src/db.ts': UNPARAMETERIZED_HELPER });
    const home = makeTempFolder();
    const result = runCli(['scan'], { cwd, env: { XDG_CACHE_HOME: 'relative-cache', HOME: home } });
    expect(result.status, result.stderr).toBe(1);
    expect(fs.existsSync(path.join(cwd, 'relative-cache'))).toBe(false);
    expect(fs.existsSync(path.join(home, '.cache', 'keney-audit', 'user.key'))).toBe(true);
  });
});
