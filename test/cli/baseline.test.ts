import fs from 'node:fs';
import path from 'node:path';
import type * as Sarif from 'sarif';
import { describe, expect, it } from 'vitest';
import { makeTempFolder, runCli, runCliJson, SQL_RULES } from '../helpers/temp-project.js';

/** Two helpers that interpolate their parameter into SQL: unparameterized-sql on lines 7 and 11. */
const HELPERS = `import { Pool } from 'pg';

const pool = new Pool();
const SCHEMA = 'public';

export async function purgeVisits(table: string) {
  await pool.query(\`DELETE FROM \${table}\`);
}

export async function truncate(table: string) {
  await pool.query(\`TRUNCATE \${SCHEMA}.\${table}\`);
}
`;

interface ScanJson {
  summary: { baselined: number; suppressed: number; bySeverity: Record<string, number> };
  findings: Array<{ location: { file: string; startLine: number }; suppression: { kind: string; justification: string } | null }>;
}

interface BaselineFile {
  format: number;
  findings: Array<{ ruleId: string; file: string; fingerprint: string; line: number }>;
}

function visiblePlaces(json: ScanJson): string[] {
  return json.findings.filter((finding) => !finding.suppression).map((finding) => `${finding.location.file}:${finding.location.startLine}`);
}

/** Creates a project whose current findings are recorded in .keneyaudit-baseline.json. */
function makeBaselinedProject(): string {
  const cwd = makeTempFolder({ 'src/db/helpers.ts': HELPERS });
  const result = runCli(['baseline', 'create'], { cwd });
  expect(result.status, result.stderr).toBe(0);
  return cwd;
}

function editHelpers(cwd: string, edit: (text: string) => string): void {
  const file = path.join(cwd, 'src', 'db', 'helpers.ts');
  fs.writeFileSync(file, edit(fs.readFileSync(file, 'utf8')));
}

function scanWithBaseline(cwd: string): { status: number | null; json: ScanJson } {
  return runCliJson<ScanJson>(['scan', ...SQL_RULES, '--baseline', '.keneyaudit-baseline.json'], { cwd });
}

describe('baseline create', () => {
  it('records every current finding', () => {
    const cwd = makeTempFolder({ 'src/db/helpers.ts': HELPERS });
    const result = runCli(['baseline', 'create'], { cwd });
    expect(result.stderr).toBe('Recorded 2 findings in .keneyaudit-baseline.json.\n');
    expect(result.status).toBe(0);
    const baseline = JSON.parse(fs.readFileSync(path.join(cwd, '.keneyaudit-baseline.json'), 'utf8')) as BaselineFile;
    expect(baseline.format).toBe(1);
    expect(baseline.findings.map(({ ruleId, file, line }) => ({ ruleId, file, line }))).toEqual([
      { ruleId: 'unparameterized-sql', file: 'src/db/helpers.ts', line: 7 },
      { ruleId: 'unparameterized-sql', file: 'src/db/helpers.ts', line: 11 },
    ]);
    for (const entry of baseline.findings) expect(entry.fingerprint).toMatch(/^[0-9a-f]{32}$/);
  });

  it('--output writes the file elsewhere', () => {
    const cwd = makeTempFolder({ 'src/db/helpers.ts': HELPERS });
    const result = runCli(['baseline', 'create', '--output', 'security/known.json'], { cwd });
    expect(result.stderr).toBe('Recorded 2 findings in security/known.json.\n');
    expect(fs.existsSync(path.join(cwd, 'security', 'known.json'))).toBe(true);
    expect(fs.existsSync(path.join(cwd, '.keneyaudit-baseline.json'))).toBe(false);
  });
});

describe('scan --baseline', () => {
  it('hides known findings and counts them', () => {
    const cwd = makeBaselinedProject();
    const { status, json } = scanWithBaseline(cwd);
    expect(visiblePlaces(json)).toEqual([]);
    expect(json.summary.baselined).toBe(2);
    expect(json.summary.suppressed).toBe(0);
    expect(json.summary.bySeverity).toEqual({ critical: 0, high: 0, medium: 0, low: 0 });
    expect(json.findings.map((finding) => finding.suppression)).toEqual([
      { kind: 'baseline', justification: 'Recorded in the baseline .keneyaudit-baseline.json.' },
      { kind: 'baseline', justification: 'Recorded in the baseline .keneyaudit-baseline.json.' },
    ]);
    expect(status).toBe(0);
  });

  it('says in the text summary how many it hid', () => {
    const cwd = makeBaselinedProject();
    const result = runCli(['scan', ...SQL_RULES, '--baseline', '.keneyaudit-baseline.json', '--no-color'], { cwd });
    expect(result.stdout).toContain('No problems (0 critical, 0 high, 0 medium, 0 low), 0 suppressed.');
    expect(result.stdout).toContain(' 2 in baseline.');
    expect(result.status).toBe(0);
  });

  it('keeps baselined results out of SARIF', () => {
    const cwd = makeBaselinedProject();
    const result = runCli(['scan', ...SQL_RULES, '--baseline', '.keneyaudit-baseline.json', '--format', 'sarif'], { cwd });
    const log = JSON.parse(result.stdout) as Sarif.Log;
    expect(log.runs[0]!.results).toEqual([]);
    expect(result.status).toBe(0);
  });

  it('survives lines inserted above', () => {
    const cwd = makeBaselinedProject();
    editHelpers(cwd, (text) => `// Queries of the visits service.\n// Tables come from the TABLES list.\n\n${text}`);
    const { status, json } = scanWithBaseline(cwd);
    expect(visiblePlaces(json)).toEqual([]);
    expect(json.summary.baselined).toBe(2);
    expect(status).toBe(0);
  });

  it('survives a function moved within the file', () => {
    const cwd = makeBaselinedProject();
    editHelpers(cwd, (text) => {
      const start = text.indexOf('export async function truncate');
      const moved = text.slice(start);
      return text.slice(0, start).replace('export async function purgeVisits', `${moved}\nexport async function purgeVisits`);
    });
    const { json } = scanWithBaseline(cwd);
    expect(json.findings.map((finding) => finding.location.startLine)).toEqual([7, 11]);
    expect(visiblePlaces(json)).toEqual([]);
    expect(json.summary.baselined).toBe(2);
  });

  it('survives unrelated edits', () => {
    const cwd = makeBaselinedProject();
    editHelpers(cwd, (text) => text.replace("const SCHEMA = 'public';", "const SCHEMA = 'clinic';\nconst TIMEOUT_MS = 5_000;"));
    const { json } = scanWithBaseline(cwd);
    expect(visiblePlaces(json)).toEqual([]);
    expect(json.summary.baselined).toBe(2);
  });

  it('still reports a new finding', () => {
    const cwd = makeBaselinedProject();
    editHelpers(cwd, (text) => `${text}\nexport async function dropTable(table: string) {\n  await pool.query(\`DROP TABLE \${table}\`);\n}\n`);
    const { status, json } = scanWithBaseline(cwd);
    expect(visiblePlaces(json)).toEqual(['src/db/helpers.ts:15']);
    expect(json.summary.baselined).toBe(2);
    expect(json.summary.bySeverity.high).toBe(1);
    expect(status).toBe(1);
  });

  it('reports a copy of a known line as new', () => {
    const cwd = makeBaselinedProject();
    editHelpers(cwd, (text) => text.replace('  await pool.query(`DELETE FROM ${table}`);', '  await pool.query(`DELETE FROM ${table}`);\n  await pool.query(`DELETE FROM ${table}`);'));
    const { json } = scanWithBaseline(cwd);
    expect(visiblePlaces(json)).toHaveLength(1);
    expect(json.summary.baselined).toBe(2);
  });

  it('missing baseline file exits 2', () => {
    const cwd = makeTempFolder({ 'src/db/helpers.ts': HELPERS });
    const result = runCli(['scan', '--baseline', 'missing.json'], { cwd });
    expect(result.stderr).toContain("ERROR: Baseline file '");
    expect(result.stderr).toContain("missing.json' is not found.");
    expect(result.status).toBe(2);
  });
});
