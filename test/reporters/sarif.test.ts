import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import { describe, expect, it } from 'vitest';
import { describeProblems, validateSarif } from '../helpers/sarif-validator.js';
import {
  initGitRepo,
  makeTempFolder,
  runCli,
  SQL_INJECTION_ROUTE,
  SQL_RULES,
  UNPARAMETERIZED_HELPER,
} from '../helpers/temp-project.js';

/** Creates a git repository whose scan has findings of two rules, related places, a suppression, a syntax error and a skipped file. */
function makeProject(): string {
  const cwd = makeTempFolder({
    'src/routes/patients.ts': SQL_INJECTION_ROUTE,
    'src/db/visits.ts': UNPARAMETERIZED_HELPER,
    'src/db/reviewed.ts': UNPARAMETERIZED_HELPER.replace(
      '  await pool.query',
      '  // keney-audit-ignore-next-line unparameterized-sql -- table comes from a fixed list\n  await pool.query',
    ),
    'src/broken.ts': 'export const a = (;\n',
    'src/generated.ts': `// ${'x'.repeat(2000)}\n`,
    '.keneyaudit.yml': 'maxFileSize: 1000\n',
  });
  initGitRepo(cwd);
  return cwd;
}

function scanToSarif(cwd: string, args: string[] = [], env: Record<string, string> = {}): { log: Sarif.Log; text: string } {
  const result = runCli(['scan', ...SQL_RULES, '--format', 'sarif', ...args], { cwd, env });
  expect(result.status, result.stderr).toBe(1);
  return { log: JSON.parse(result.stdout) as Sarif.Log, text: result.stdout };
}

function compareCodeUnits(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

describe('SARIF validator', () => {
  it.skipIf(process.platform !== 'linux')('reports no error or warning', () => {
    const { log, text } = scanToSarif(makeProject(), ['--include-suppressed']);
    const run = log.runs[0]!;
    expect(new Set(run.results!.map((result) => result.ruleId))).toEqual(new Set(['sql-injection', 'unparameterized-sql']));
    expect(run.results!.some((result) => (result.relatedLocations?.length ?? 0) > 0)).toBe(true);
    expect(run.results!.some((result) => result.suppressions?.length === 1)).toBe(true);
    const kinds = run.invocations![0]!.toolExecutionNotifications!.map((notification) => notification.descriptor!.id);
    expect(kinds).toEqual(expect.arrayContaining(['file-skipped', 'parse-error']));

    const problems = validateSarif(text).filter((problem) => problem.level === 'error' || problem.level === 'warning');
    expect(problems, describeProblems(problems)).toEqual([]);
  });

  it.skipIf(process.platform !== 'linux')('catches a broken log', () => {
    const { log } = scanToSarif(makeProject());
    log.runs[0]!.results![0]!.locations![0]!.physicalLocation!.artifactLocation!.uri = 'C:\\not a uri';
    const problems = validateSarif(JSON.stringify(log));
    expect(problems.filter((problem) => problem.level === 'error').length).toBeGreaterThan(0);
  });
});

describe('suppressed findings', () => {
  it('are left out by default', () => {
    const { log } = scanToSarif(makeProject());
    const results = log.runs[0]!.results!;
    expect(results.map((result) => result.locations![0]!.physicalLocation!.artifactLocation!.uri)).toEqual([
      'src/db/visits.ts',
      'src/routes/patients.ts',
    ]);
    expect(results.every((result) => result.suppressions === undefined)).toBe(true);
  });

  it('--include-suppressed marks them with the justification', () => {
    const { log } = scanToSarif(makeProject(), ['--include-suppressed']);
    const byFile = new Map(log.runs[0]!.results!.map((result) => [result.locations![0]!.physicalLocation!.artifactLocation!.uri, result]));
    expect(byFile.get('src/db/reviewed.ts')!.suppressions).toEqual([{ kind: 'inSource', justification: 'table comes from a fixed list' }]);
    expect(byFile.get('src/db/visits.ts')!.suppressions).toEqual([]);
    expect(byFile.get('src/routes/patients.ts')!.suppressions).toEqual([]);
  });
});

describe('stable output', () => {
  it('is byte-identical across runs with SOURCE_DATE_EPOCH', () => {
    const cwd = makeProject();
    const env = { SOURCE_DATE_EPOCH: '1704067200' };
    const first = scanToSarif(cwd, ['--include-suppressed'], env);
    const second = scanToSarif(cwd, ['--include-suppressed'], env);
    expect(second.text).toBe(first.text);
    const invocation = first.log.runs[0]!.invocations![0]!;
    expect(invocation.startTimeUtc).toBe('2024-01-01T00:00:00.000Z');
    expect(invocation.endTimeUtc).toBe('2024-01-01T00:00:00.000Z');
  });

  it('sorts results by file, line and column', () => {
    const cwd = makeProject();
    fs.appendFileSync(path.join(cwd, 'src', 'db', 'visits.ts'), UNPARAMETERIZED_HELPER.replace(/^import.*\n/, '').replace('deleteVisits', 'deleteNotes'));
    const { log } = scanToSarif(cwd);
    const places = log.runs[0]!.results!.map((result) => {
      const { artifactLocation, region } = result.locations![0]!.physicalLocation!;
      return [artifactLocation!.uri!, region!.startLine!, region!.startColumn!] as const;
    });
    const sorted = [...places].sort((a, b) => compareCodeUnits(a[0], b[0]) || a[1] - b[1] || a[2] - b[2]);
    expect(places).toEqual(sorted);
    expect(places.filter((place) => place[0] === 'src/db/visits.ts')).toHaveLength(2);
  });
});

describe('paths', () => {
  it('are relative to the git top level from a subfolder', () => {
    const cwd = makeTempFolder({ 'packages/api/src/route.ts': SQL_INJECTION_ROUTE });
    initGitRepo(cwd);
    const { log } = scanToSarif(path.join(cwd, 'packages', 'api'));
    const run = log.runs[0]!;
    expect(run.originalUriBaseIds!['%SRCROOT%']!.uri).toBe(`${pathToFileURL(cwd).href}/`);
    const location = run.results![0]!.locations![0]!.physicalLocation!.artifactLocation!;
    expect(location).toEqual({ uri: 'packages/api/src/route.ts', uriBaseId: '%SRCROOT%' });
  });

  it('are relative to the working directory outside git', () => {
    const cwd = makeTempFolder({ 'src/route.ts': SQL_INJECTION_ROUTE });
    const { log } = scanToSarif(cwd, ['./src']);
    expect(log.runs[0]!.originalUriBaseIds!['%SRCROOT%']!.uri).toBe(`${pathToFileURL(cwd).href}/`);
    expect(log.runs[0]!.results![0]!.locations![0]!.physicalLocation!.artifactLocation!.uri).toBe('src/route.ts');
  });

  it('are percent-encoded', () => {
    const cwd = makeTempFolder({ 'app/[id] page/dossier-ü.ts': SQL_INJECTION_ROUTE });
    const { log } = scanToSarif(cwd);
    const uri = log.runs[0]!.results![0]!.locations![0]!.physicalLocation!.artifactLocation!.uri;
    expect(uri).toBe('app/%5Bid%5D%20page/dossier-%C3%BC.ts');
  });

  it('of notifications carry the line and column', () => {
    const { log } = scanToSarif(makeProject());
    const notifications = log.runs[0]!.invocations![0]!.toolExecutionNotifications!;
    const parseError = notifications.find((notification) => notification.descriptor!.id === 'parse-error')!;
    expect(parseError.locations![0]!.physicalLocation).toEqual({
      artifactLocation: { uri: 'src/broken.ts', uriBaseId: '%SRCROOT%' },
      region: { startLine: 1, startColumn: 19 },
    });
    expect(parseError.message.text).toMatch(/^src\/broken\.ts:1:19: Syntax error: /);
  });
});

describe('configured severities', () => {
  it('reach the rule descriptor and the result', () => {
    const cwd = makeTempFolder({ 'src/route.ts': SQL_INJECTION_ROUTE, '.keneyaudit.yml': 'rules:\n  sql-injection: low\n' });
    initGitRepo(cwd);
    const result = runCli(['scan', ...SQL_RULES, '--format', 'sarif', '--fail-on', 'none'], { cwd });
    const run = (JSON.parse(result.stdout) as Sarif.Log).runs[0]!;
    const rule = run.tool.driver.rules!.find((descriptor) => descriptor.id === 'sql-injection')!;
    expect(rule.defaultConfiguration!.level).toBe('note');
    expect(rule.properties!['security-severity']).toBe('3.0');
    expect(run.results!.find((item) => item.ruleId === 'sql-injection')!.level).toBe('note');
  });
});
