import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CLEAN_MODULE,
  makeTempFolder,
  runCli,
  SQL_INJECTION_ROUTE,
  SQL_RULES,
  UNPARAMETERIZED_HELPER,
} from '../helpers/temp-project.js';

const SUPPRESSED_ROUTE = SQL_INJECTION_ROUTE.replace(
  '  const { rows }',
  '  // keney-audit-ignore-next-line sql-injection -- ward is checked against a list upstream\n  const { rows }',
);

describe('exit code 0', () => {
  it('clean code exits 0', () => {
    const cwd = makeTempFolder({ 'src/answer.ts': CLEAN_MODULE });
    const result = runCli(['scan'], { cwd });
    expect(result.status, result.stderr).toBe(0);
  });

  it('finding below --fail-on exits 0', () => {
    const cwd = makeTempFolder({ 'helper.ts': UNPARAMETERIZED_HELPER });
    expect(runCli(['scan', ...SQL_RULES, '--fail-on', 'critical'], { cwd }).status).toBe(0);
  });

  it('--fail-on none exits 0 with findings', () => {
    const cwd = makeTempFolder({ 'route.ts': SQL_INJECTION_ROUTE });
    expect(runCli(['scan', ...SQL_RULES, '--fail-on', 'none'], { cwd }).status).toBe(0);
  });

  it('only suppressed findings exit 0', () => {
    const cwd = makeTempFolder({ 'route.ts': SUPPRESSED_ROUTE });
    const result = runCli(['scan', ...SQL_RULES, '--fail-on', 'low'], { cwd });
    expect(result.stdout).toContain('1 suppressed');
    expect(result.status, result.stderr).toBe(0);
  });
});

describe('exit code 1', () => {
  it('critical finding fails the default --fail-on high', () => {
    const cwd = makeTempFolder({ 'route.ts': SQL_INJECTION_ROUTE });
    expect(runCli(['scan', ...SQL_RULES], { cwd }).status).toBe(1);
  });

  it('high finding fails the default --fail-on high', () => {
    const cwd = makeTempFolder({ 'helper.ts': UNPARAMETERIZED_HELPER });
    expect(runCli(['scan', ...SQL_RULES], { cwd }).status).toBe(1);
  });

  it('high finding fails --fail-on low', () => {
    const cwd = makeTempFolder({ 'helper.ts': UNPARAMETERIZED_HELPER });
    expect(runCli(['scan', ...SQL_RULES, '--fail-on', 'low'], { cwd }).status).toBe(1);
  });

  it('json and sarif reports keep exit code 1', () => {
    const cwd = makeTempFolder({ 'route.ts': SQL_INJECTION_ROUTE });
    expect(runCli(['scan', ...SQL_RULES, '--format', 'json'], { cwd }).status).toBe(1);
    expect(runCli(['scan', ...SQL_RULES, '--format', 'sarif'], { cwd }).status).toBe(1);
  });
});

describe('exit code 2', () => {
  it('missing path exits 2 and names it', () => {
    const cwd = makeTempFolder({ 'route.ts': SQL_INJECTION_ROUTE });
    const result = runCli(['scan', 'sr'], { cwd });
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toContain("ERROR: No files to scan: 'sr' matched no");
    expect(result.stdout).toBe('');
  });

  it('one missing path among good ones exits 2', () => {
    const cwd = makeTempFolder({ 'src/route.ts': SQL_INJECTION_ROUTE });
    const result = runCli(['scan', 'src', 'lib'], { cwd });
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toContain("'lib'");
    expect(result.stderr).not.toContain("'src'");
  });

  it('folder without source files exits 2', () => {
    const cwd = makeTempFolder({ 'docs/README.md': '# Notes\n', 'data.json': '{}\n' });
    const result = runCli(['scan'], { cwd });
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toContain("'.' matched no TypeScript, JavaScript or tracked .env file");
  });

  it('file of another language exits 2', () => {
    const cwd = makeTempFolder({ 'notes.md': '# Notes\n' });
    expect(runCli(['scan', 'notes.md'], { cwd }).status).toBe(2);
  });

  it('unknown rule id exits 2', () => {
    const cwd = makeTempFolder({ 'answer.ts': CLEAN_MODULE });
    const result = runCli(['scan', '--rule', 'sql-injecton'], { cwd });
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toContain("ERROR: Unknown rule id 'sql-injecton'.");
    expect(result.stderr).toContain('keney-audit rules');
  });

  it('disabling the only selected rule exits 2', () => {
    const cwd = makeTempFolder({ 'answer.ts': CLEAN_MODULE });
    const result = runCli(['scan', '--rule', 'sql-injection', '--disable', 'sql-injection'], { cwd });
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toContain('No rule left to run');
  });

  it('missing --config file exits 2', () => {
    const cwd = makeTempFolder({ 'answer.ts': CLEAN_MODULE });
    const result = runCli(['scan', '--config', 'missing.yml'], { cwd });
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toContain("ERROR: Config file 'missing.yml' not found.");
  });

  it('unwritable --output exits 2', () => {
    const cwd = makeTempFolder({ 'answer.ts': CLEAN_MODULE });
    fs.mkdirSync(path.join(cwd, 'report.json'));
    const result = runCli(['scan', '--format', 'json', '--output', 'report.json'], { cwd });
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toContain("ERROR: Cannot write the report to 'report.json' (EISDIR).");
  });

  it('malformed SOURCE_DATE_EPOCH exits 2', () => {
    const cwd = makeTempFolder({ 'answer.ts': CLEAN_MODULE });
    const result = runCli(['scan'], { cwd, env: { SOURCE_DATE_EPOCH: '2024-01-01' } });
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toContain("SOURCE_DATE_EPOCH is '2024-01-01'");
  });
});
