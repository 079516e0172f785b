import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RuleDescription } from '../../src/types.js';
import {
  makeTempFolder,
  runCli,
  runCliJson,
  SQL_INJECTION_ROUTE,
  SQL_RULES,
  UNPARAMETERIZED_HELPER,
} from '../helpers/temp-project.js';

const BIG_FILE = `// ${'x'.repeat(2000)}\nexport const padding = 1;\n`;

function makeProject(): string {
  return makeTempFolder({
    'src/route.ts': SQL_INJECTION_ROUTE,
    'src/helper.ts': UNPARAMETERIZED_HELPER,
    'src/big.ts': BIG_FILE,
    '.keneyaudit.yml': 'maxFileSize: 1000\n',
  });
}

describe('--output', () => {
  it('writes the report to the file and nothing to stdout', () => {
    const cwd = makeProject();
    const result = runCli(['scan', ...SQL_RULES, '--format', 'json', '--output', 'reports/scan.json'], { cwd });
    expect(result.stdout).toBe('');
    const report = JSON.parse(fs.readFileSync(path.join(cwd, 'reports', 'scan.json'), 'utf8'));
    expect(report.findings).toHaveLength(2);
  });

  it('prints warnings the file holds on stderr', () => {
    const cwd = makeProject();
    const result = runCli(['scan', ...SQL_RULES, '--format', 'sarif', '--output', 'scan.sarif'], { cwd });
    expect(result.stderr).toContain('WARNING: src/big.ts: File skipped');
  });

  // /proc returns ENOENT to mkdir, on which Node's recursive mkdirSync loops for ever.
  it.runIf(fs.existsSync('/proc/self'))('a folder that cannot be created exits 2 with the path', () => {
    const cwd = makeProject();
    const result = runCli(['scan', ...SQL_RULES, '--output', '/proc/keney-audit-missing/scan.txt'], { cwd });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("Cannot write the report to '/proc/keney-audit-missing/scan.txt' (ENOENT).");
  });

  it.runIf(fs.existsSync('/proc/self'))('a cache home that cannot be created does not stop the scan', () => {
    const cwd = makeProject();
    const result = runCli(['scan', ...SQL_RULES, '--format', 'json'], { cwd, env: { XDG_CACHE_HOME: '/proc/keney-audit-missing' } });
    expect(result.status, result.stderr).toBe(1);
    expect(JSON.parse(result.stdout).findings).toHaveLength(2);
  });
});

describe('--quiet', () => {
  it('prints findings only', () => {
    const cwd = makeProject();
    const result = runCli(['scan', ...SQL_RULES, '--quiet'], { cwd });
    expect(result.stdout).toContain('9:31');
    expect(result.stdout).toContain('6:14');
    expect(result.stdout).not.toContain('big.ts');
    expect(result.stdout).not.toContain('Scanned');
    expect(result.stderr).toBe('');
  });

  it('prints nothing when nothing is found', () => {
    const cwd = makeTempFolder({ 'answer.ts': 'export const answer = 42;\n' });
    const result = runCli(['scan', '--quiet'], { cwd });
    expect(result.stdout).toBe('');
    expect(result.status, result.stderr).toBe(0);
  });
});

describe('--verbose', () => {
  it('lists config, disabled rules and skips', () => {
    const cwd = makeProject();
    const result = runCli(['scan', '--verbose', '--disable', 'unparameterized-sql'], { cwd });
    const lines = result.stdout.split('\n');
    expect(lines).toContain('Config: .keneyaudit.yml');
    expect(lines.find((line) => line.startsWith('Disabled rules: '))).toContain('unparameterized-sql');
    expect(lines.find((line) => line.startsWith('Skipped src/big.ts: '))).toContain('maxFileSize');
  });

  it('says when no config file was found', () => {
    const cwd = makeTempFolder({ 'answer.ts': 'export const answer = 42;\n' });
    const result = runCli(['scan', '--verbose'], { cwd });
    expect(result.stdout).toContain('Config: none found, using defaults');
  });
});

describe('--rule and --disable', () => {
  it('--rule runs only the rules named', () => {
    const cwd = makeProject();
    const { json } = runCliJson<{ rules: Array<{ id: string }> }>(['scan', '--rule', 'sql-injection'], { cwd });
    expect(json.rules.map((rule) => rule.id)).toEqual(['sql-injection']);
  });

  it('--rule takes repeats and commas', () => {
    const cwd = makeProject();
    const args = ['scan', '-r', 'unparameterized-sql', '--rule', 'sql-injection,unparameterized-sql'];
    const { json } = runCliJson<{ rules: Array<{ id: string }> }>(args, { cwd });
    expect(json.rules.map((rule) => rule.id)).toEqual(['sql-injection', 'unparameterized-sql']);
  });

  it('--disable drops a rule', () => {
    const cwd = makeProject();
    const ran = (args: string[]) => runCliJson<{ rules: Array<{ id: string }> }>(args, { cwd }).json.rules.map((rule) => rule.id);
    const all = ran(['scan']);
    expect(all).toContain('sql-injection');
    expect(ran(['scan', '--disable', 'sql-injection'])).toEqual(all.filter((id) => id !== 'sql-injection'));
  });
});

describe('rules command', () => {
  it('lists every rule as JSON', () => {
    const cwd = makeTempFolder();
    const rules = JSON.parse(runCli(['rules', '--format', 'json'], { cwd }).stdout) as Array<Record<string, unknown>>;
    const scanned = runCliJson<{ rules: Array<{ id: string }> }>(['scan', '.', '--no-config'], {
      cwd: makeTempFolder({ 'a.ts': 'export {};\n' }),
    });
    expect(rules.map((rule) => rule.id)).toEqual(scanned.json.rules.map((rule) => rule.id));
    expect(rules.map((rule) => rule.id)).toContain('sql-injection');
    for (const rule of rules) {
      expect(rule).toMatchObject({
        id: expect.any(String),
        severity: expect.stringMatching(/^(critical|high|medium|low)$/),
        cwe: expect.any(Array),
        summary: expect.any(String),
        docs: `docs/rules/${String(rule.id)}.md`,
      });
    }
  });

  it('lists every rule as text', () => {
    const cwd = makeTempFolder();
    const rules = JSON.parse(runCli(['rules', '--format', 'json'], { cwd }).stdout) as Array<RuleDescription>;
    const result = runCli(['rules'], { cwd });
    expect(result.status, result.stderr).toBe(0);
    for (const { id, severity, cwe, summary } of rules) {
      expect(result.stdout).toContain(`${id}  (${[severity, ...cwe.map((n) => `CWE-${n}`)].join(', ')})\n  ${summary}\n  docs/rules/${id}.md\n`);
    }
    expect(result.stdout.trimEnd().endsWith(`${rules.length} rules.`)).toBe(true);
  });
});
