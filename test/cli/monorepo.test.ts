import { describe, expect, it } from 'vitest';
import { initGitRepo, makeTempFolder, runCliJson } from '../helpers/temp-project.js';

interface ScanJson {
  files: string[];
  findings: Array<{ ruleId: string; location: { file: string; startLine: number } }>;
}

const RULE = ['--rule', 'missing-rate-limit'];

/**
 * A limiter with a name that says nothing about rate limits, so that only
 * following the import to its module shows what it is.
 */
const SHARED_LIMITER = `import rateLimit from 'express-rate-limit';

export const attemptsPolicy = rateLimit({ windowMs: 60_000, limit: 5 });
`;

/** The same export as a middleware that limits nothing. */
const SHARED_PASS_THROUGH = `export const attemptsPolicy = (_req: unknown, _res: unknown, next: () => void) => next();
`;

/** Login (line 8) uses the shared export; register (line 9) has no limiter in any case. */
function apiApp(specifier: string): string {
  return `import express from 'express';
import helmet from 'helmet';
import { attemptsPolicy } from '${specifier}';
import { login, register } from './handlers';

const app = express();
app.use(helmet());
app.post('/auth/login', attemptsPolicy, login);
app.post('/auth/register', register);
app.listen(3000);
`;
}

const HANDLERS = `export function login() {}
export function register() {}
`;

/** Packages under packages/: @clinic/security exports the shared middleware, @clinic/api imports it by package name. */
function workspacePackages(shared: string): Record<string, string> {
  return {
    'packages/security/package.json': JSON.stringify({ name: '@clinic/security', version: '1.0.0', main: 'dist/index.js' }),
    'packages/security/src/index.ts': shared,
    'packages/api/package.json': JSON.stringify({ name: '@clinic/api', version: '1.0.0' }),
    'packages/api/src/app.ts': apiApp('@clinic/security'),
    'packages/api/src/handlers.ts': HANDLERS,
  };
}

function scanRepo(files: Record<string, string>): ScanJson {
  const cwd = makeTempFolder(files);
  initGitRepo(cwd);
  return runCliJson<ScanJson>(['scan', ...RULE], { cwd }).json;
}

function places(json: ScanJson): string[] {
  return json.findings.map((finding) => `${finding.location.file}:${finding.location.startLine}`);
}

const NPM_ROOT = { 'package.json': JSON.stringify({ name: 'clinic', private: true, workspaces: ['packages/*'] }) };
const PNPM_ROOT = {
  'package.json': JSON.stringify({ name: 'clinic', private: true }),
  'pnpm-workspace.yaml': "packages:\n  - 'packages/*'\n",
};

describe('npm workspaces', () => {
  it('scan from the root covers every package', () => {
    const json = scanRepo({ ...NPM_ROOT, ...workspacePackages(SHARED_LIMITER) });
    expect(json.files).toEqual(['packages/api/src/app.ts', 'packages/api/src/handlers.ts', 'packages/security/src/index.ts']);
  });

  it('a limiter from another package covers the route', () => {
    const json = scanRepo({ ...NPM_ROOT, ...workspacePackages(SHARED_LIMITER) });
    expect(places(json)).toEqual(['packages/api/src/app.ts:9']);
  });

  it('a shared export that limits nothing does not', () => {
    const json = scanRepo({ ...NPM_ROOT, ...workspacePackages(SHARED_PASS_THROUGH) });
    expect(places(json)).toEqual(['packages/api/src/app.ts:8', 'packages/api/src/app.ts:9']);
  });

  it('without the workspaces field the import stays unknown', () => {
    // The control case: the same files, but nothing maps @clinic/security to its folder.
    const json = scanRepo({ 'package.json': JSON.stringify({ name: 'clinic', private: true }), ...workspacePackages(SHARED_LIMITER) });
    expect(places(json)).toEqual(['packages/api/src/app.ts:8', 'packages/api/src/app.ts:9']);
  });
});

describe('pnpm workspaces', () => {
  it('a limiter from another package covers the route', () => {
    const json = scanRepo({ ...PNPM_ROOT, ...workspacePackages(SHARED_LIMITER) });
    expect(json.files).toHaveLength(3);
    expect(places(json)).toEqual(['packages/api/src/app.ts:9']);
  });

  it('a shared export that limits nothing does not', () => {
    const json = scanRepo({ ...PNPM_ROOT, ...workspacePackages(SHARED_PASS_THROUGH) });
    expect(places(json)).toEqual(['packages/api/src/app.ts:8', 'packages/api/src/app.ts:9']);
  });
});

describe('tsconfig paths', () => {
  /** A tsconfig.json with a comment and trailing commas, as editors write them. */
  const TSCONFIG = `{
  // Modules import each other as @app/<path under src>.
  "compilerOptions": {
    "baseUrl": ".",
    "paths": { "@app/*": ["src/*"], },
  },
}
`;

  function aliasProject(shared: string): Record<string, string> {
    return {
      'tsconfig.json': TSCONFIG,
      'src/security/attempts.ts': shared,
      'src/app.ts': apiApp('@app/security/attempts'),
      'src/handlers.ts': HANDLERS,
    };
  }

  it('a limiter behind an alias covers the route', () => {
    const json = scanRepo(aliasProject(SHARED_LIMITER));
    expect(json.files).toEqual(['src/app.ts', 'src/handlers.ts', 'src/security/attempts.ts']);
    expect(places(json)).toEqual(['src/app.ts:9']);
  });

  it('an aliased export that limits nothing does not', () => {
    const json = scanRepo(aliasProject(SHARED_PASS_THROUGH));
    expect(places(json)).toEqual(['src/app.ts:8', 'src/app.ts:9']);
  });
});

describe('tsconfig paths of apps in folders', () => {
  const APP_TSCONFIG = JSON.stringify({ compilerOptions: { paths: { '@/*': ['./src/*'] } } });

  /** Two apps without workspaces, each mapping `@/*` to its own src: web's policy limits, admin's does not. */
  const TWO_APPS = {
    'package.json': JSON.stringify({ name: 'clinic', private: true }),
    'apps/web/tsconfig.json': APP_TSCONFIG,
    'apps/web/src/security/attempts.ts': SHARED_LIMITER,
    'apps/web/src/app.ts': apiApp('@/security/attempts'),
    'apps/web/src/handlers.ts': HANDLERS,
    'apps/admin/tsconfig.json': APP_TSCONFIG,
    'apps/admin/src/security/attempts.ts': SHARED_PASS_THROUGH,
    'apps/admin/src/app.ts': apiApp('@/security/attempts'),
    'apps/admin/src/handlers.ts': HANDLERS,
  };

  it('resolve by the tsconfig of each app', () => {
    const json = scanRepo(TWO_APPS);
    expect(places(json)).toEqual(['apps/admin/src/app.ts:8', 'apps/admin/src/app.ts:9', 'apps/web/src/app.ts:9']);
  });
});
