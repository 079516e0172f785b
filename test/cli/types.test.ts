import { describe, expect, it } from 'vitest';
import { makeTempFolder, runCli, runCliJson } from '../helpers/temp-project.js';

interface ScanJson {
  findings: Array<{ ruleId: string; location: { file: string; startLine: number } }>;
}

const TSCONFIG = JSON.stringify({ compilerOptions: { strict: true, module: 'nodenext', target: 'es2022', skipLibCheck: true }, include: ['src'] });

/**
 * Three receivers that only their types identify: a Map from the standard
 * library, a client from a package named after a database, and an interface
 * of the project. The last query has no request data, so it is a finding of
 * unparameterized-sql, whose receivers only --types on checks.
 */
const PROJECT = {
  'tsconfig.json': TSCONFIG,
  'node_modules/acme-sql-driver/package.json': JSON.stringify({ name: 'acme-sql-driver', types: 'index.d.ts' }),
  'node_modules/acme-sql-driver/index.d.ts': 'export declare class Connection {\n  query(text: string): Promise<unknown[]>;\n}\n',
  'src/routes.ts': `import type { Request } from './http.js';
import type { Connection } from 'acme-sql-driver';

interface Store {
  query(text: string): Promise<unknown[]>;
}

const db = new Map<string, string>();

export function byMap(req: Request) {
  return db.get(\`SELECT name FROM wards WHERE id = '\${req.query.id}'\`);
}

export function byDriver(req: Request, handle: Connection) {
  return handle.query(\`SELECT name FROM wards WHERE id = '\${req.query.id}'\`);
}

export function byInterface(req: Request, store: Store) {
  return store.query(\`SELECT name FROM wards WHERE id = '\${req.query.id}'\`);
}

export function byMapToday() {
  const today = new Date().toISOString();
  return db.get(\`SELECT name FROM wards WHERE day = '\${today}'\`);
}
`,
  'src/http.ts': 'export interface Request {\n  query: Record<string, string>;\n}\n',
};

function sqlLines(args: string[]): number[] {
  const cwd = makeTempFolder(PROJECT);
  const { json } = runCliJson<ScanJson>(['scan', 'src', '--no-cache', '--fail-on', 'none', '--rule', 'sql-injection', '--rule', 'unparameterized-sql', ...args], { cwd });
  return json.findings.map((finding) => finding.location.startLine).sort((a, b) => a - b);
}

describe('--types', () => {
  it('off reports every SQL-like receiver', () => {
    expect(sqlLines(['--types', 'off'])).toEqual([11, 15, 19, 24]);
  });

  it('on clears a non-database receiver', () => {
    expect(sqlLines(['--types', 'on'])).toEqual([15, 19]);
  });

  it('auto checks request data only', () => {
    expect(sqlLines([])).toEqual([15, 19, 24]);
  });

  it('on without a tsconfig fails', () => {
    const cwd = makeTempFolder({ 'src/a.ts': 'export const a = 1;\n' });
    const result = runCli(['scan', 'src', '--no-cache', '--types', 'on'], { cwd });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--types on needs a tsconfig\.json/);
  });
});
