import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CLEAN_MODULE,
  initGitRepo,
  makeTempFolder,
  runCli,
  SQL_INJECTION_ROUTE,
  SQL_RULES,
  UNPARAMETERIZED_HELPER,
} from '../helpers/temp-project.js';

const SUPPRESSED_HELPER = UNPARAMETERIZED_HELPER.replace(
  '  await pool.query',
  '  // keney-audit-ignore-next-line unparameterized-sql -- table comes from a fixed list\n  await pool.query',
);

function scanText(cwd: string, args: string[] = []) {
  return runCli(['scan', ...SQL_RULES, '--no-color', ...args], { cwd });
}

describe('findings', () => {
  it('are grouped by file as line:col, severity, message and rule id', () => {
    const cwd = makeTempFolder({ 'src/route.ts': SQL_INJECTION_ROUTE, 'src/helper.ts': UNPARAMETERIZED_HELPER });
    const lines = scanText(cwd).stdout.split('\n');
    expect(lines[0]).toBe('src/helper.ts');
    expect(lines[1]).toMatch(/^ {2}6:14  high {6}SQL text passed to query\(\) .+\.  unparameterized-sql$/);
    expect(lines[2]).toBe('');
    expect(lines[3]).toBe('src/route.ts');
    expect(lines[4]).toMatch(/^ {2}9:31  critical  req\.query\.ward .+\.  sql-injection$/);
  });

  it('show paths relative to the working directory', () => {
    const root = makeTempFolder({ 'packages/api/src/route.ts': SQL_INJECTION_ROUTE, 'packages/web/app.ts': CLEAN_MODULE });
    initGitRepo(root);
    const fromApi = scanText(path.join(root, 'packages', 'api')).stdout;
    expect(fromApi.split('\n')[0]).toBe('src/route.ts');
    const fromWeb = scanText(path.join(root, 'packages', 'web'), ['../api']).stdout;
    expect(fromWeb.split('\n')[0]).toBe('../api/src/route.ts');
  });

  it('show control characters as escapes', () => {
    const cwd = makeTempFolder({ 'src/e\u001b[2Jx.ts': UNPARAMETERIZED_HELPER });
    const output = scanText(cwd).stdout;
    expect(output).not.toContain('\u001b');
    expect(output.split('\n')[0]).toBe('src/e\\x1b[2Jx.ts');
  });

  it('leave out suppressed findings', () => {
    const cwd = makeTempFolder({ 'helper.ts': SUPPRESSED_HELPER });
    expect(scanText(cwd).stdout).not.toContain('unparameterized-sql');
  });
});

describe('summary line', () => {
  it('counts severities, suppressed findings and time', () => {
    const cwd = makeTempFolder({ 'route.ts': SQL_INJECTION_ROUTE, 'helper.ts': UNPARAMETERIZED_HELPER, 'reviewed.ts': SUPPRESSED_HELPER });
    const summary = scanText(cwd).stdout.trimEnd().split('\n').at(-1);
    expect(summary).toMatch(/^2 problems \(1 critical, 1 high, 0 medium, 0 low\), 1 suppressed\. Scanned 3 files, 26 lines in \d+\.\d\d s\.$/);
  });

  it('gives counts when nothing is found', () => {
    const cwd = makeTempFolder({ 'answer.ts': CLEAN_MODULE });
    const summary = scanText(cwd).stdout.trimEnd();
    expect(summary).toMatch(/^No problems \(0 critical, 0 high, 0 medium, 0 low\), 0 suppressed\. Scanned 1 file, 1 line in \d+\.\d\d s\.$/);
  });
});

describe('files not fully analysed', () => {
  it('a file with syntax errors is listed as such', () => {
    const cwd = makeTempFolder({ 'src/broken.ts': 'const a = (;\n', 'src/ok.ts': CLEAN_MODULE });
    const { stdout, status } = scanText(cwd);
    expect(stdout).toContain(
      'warning  src/broken.ts:1:12  Syntax error: Expression expected. The file has 1 syntax error, so its findings come from the recovered tree and may be incomplete.\n',
    );
    expect(stdout.trimEnd().split('\n').at(-1)).toMatch(/\. 1 file with syntax errors\.$/);
    expect(status).toBe(0);
  });

  it('notices use paths relative to the working directory', () => {
    const root = makeTempFolder({ 'api/src/broken.ts': 'const a = (;\n', 'api/src/ok.ts': CLEAN_MODULE });
    initGitRepo(root);
    const { stdout } = scanText(path.join(root, 'api'));
    expect(stdout).toMatch(/^warning {2}src\/broken\.ts:1:12 {2}Syntax error: /m);
  });
});
