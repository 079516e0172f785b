import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type * as Sarif from 'sarif';
import { describe, expect, it } from 'vitest';
import { createDefaultConfig } from '../../src/config/schema.js';
import { scan } from '../../src/engine/scanner.js';
import { formatSarif, GITHUB_LIMITS } from '../../src/reporters/sarif.js';
import type { ReporterOptions } from '../../src/reporters/types.js';
import type { ScanResult } from '../../src/types.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { describeProblems, validatorProblems } from '../helpers/sarif-validator.js';
import { initGitRepo, makeTempFolder, runCli, SQL_INJECTION_ROUTE, SQL_RULES, UNPARAMETERIZED_HELPER } from '../helpers/temp-project.js';

const REVIEWED_HELPER = UNPARAMETERIZED_HELPER.replace(
  '  await pool.query',
  '  // keney-audit-ignore-next-line unparameterized-sql -- table comes from a fixed list\n  await pool.query',
);

/** Findings of two rules, a suppressed finding and a file above maxFileSize. */
function makeProject(): string {
  const cwd = makeTempFolder({
    'src/routes/patients.ts': SQL_INJECTION_ROUTE,
    'src/db/visits.ts': UNPARAMETERIZED_HELPER,
    'src/db/reviewed.ts': REVIEWED_HELPER,
    'src/generated.ts': `// ${'x'.repeat(2000)}\n`,
    '.keneyaudit.yml': 'maxFileSize: 1000\n',
  });
  initGitRepo(cwd);
  return cwd;
}

function scanToSarif(cwd: string, args: string[] = []): Sarif.Run {
  const result = runCli(['scan', ...SQL_RULES, '--format', 'sarif', ...args], { cwd, env: { SOURCE_DATE_EPOCH: '1704067200' } });
  expect(result.status === 0 || result.status === 1, result.stderr).toBe(true);
  return (JSON.parse(result.stdout) as Sarif.Log).runs[0]!;
}

describe('SARIF run details', () => {
  it('--category sets automationDetails.id', () => {
    expect(scanToSarif(makeProject(), ['--category', 'backend']).automationDetails).toEqual({ id: 'backend/' });
  });

  it('has no automationDetails without --category', () => {
    expect(scanToSarif(makeProject()).automationDetails).toBeUndefined();
  });

  it('invocation carries the times and the outcome', () => {
    const [invocation] = scanToSarif(makeProject()).invocations!;
    expect(invocation!.startTimeUtc).toBe('2024-01-01T00:00:00.000Z');
    expect(invocation!.endTimeUtc).toBe('2024-01-01T00:00:00.000Z');
    expect(invocation!.executionSuccessful).toBe(true);
  });

  it('reports a skipped file as a tool notification', () => {
    const notifications = scanToSarif(makeProject()).invocations![0]!.toolExecutionNotifications!;
    const skipped = notifications.filter((notification) => notification.descriptor?.id === 'file-skipped');
    expect(skipped).toHaveLength(1);
    expect(skipped[0]!.level).toBe('warning');
    expect(skipped[0]!.message.text).toMatch(/^src\/generated\.ts: File skipped: 2\.0 KiB, above the maxFileSize limit/);
    expect(skipped[0]!.locations![0]!.physicalLocation!.artifactLocation).toEqual({ uri: 'src/generated.ts', uriBaseId: '%SRCROOT%' });
  });

  it('rule help holds the rule page with its examples', () => {
    const rules = scanToSarif(makeProject()).tool.driver.rules!;
    expect(rules.map((rule) => rule.id)).toEqual(['sql-injection', 'unparameterized-sql']);
    for (const rule of rules) {
      const page = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'rules', `${rule.id}.md`), 'utf8');
      expect(rule.help!.markdown).toBe(page);
      expect(rule.help!.markdown).toContain('❌ Incorrect');
      expect(rule.help!.markdown).toContain('✅ Correct');
      expect(rule.help!.text).toContain(rule.fullDescription!.text);
    }
  });
});

describe('GitHub upload limits', () => {
  const OPTIONS: ReporterOptions = { cwd: process.cwd(), color: false, quiet: false, verbose: false, includeSuppressed: false, disabledRules: [] };

  /** Scans four files, then lowers one high finding to medium: one critical, two high and one medium finding. */
  async function scanMixed(): Promise<ScanResult> {
    const cwd = makeTempFolder({
      'src/a-helper.ts': UNPARAMETERIZED_HELPER,
      'src/b-helper.ts': UNPARAMETERIZED_HELPER,
      'src/c-route.ts': SQL_INJECTION_ROUTE,
      'src/d-helper.ts': UNPARAMETERIZED_HELPER,
    });
    const result = await scan({ paths: ['.'], cwd, config: createDefaultConfig(), only: ['sql-injection', 'unparameterized-sql'] });
    result.findings.find((finding) => finding.location.file === 'src/d-helper.ts')!.severity = 'medium';
    expect(result.findings.map((finding) => finding.severity)).toEqual(['high', 'high', 'critical', 'medium']);
    return result;
  }

  function parse(text: string): Sarif.Run {
    return (JSON.parse(text) as Sarif.Log).runs[0]!;
  }

  function truncationNotices(run: Sarif.Run): string[] {
    return run.invocations![0]!.toolExecutionNotifications!.filter((notification) => notification.descriptor?.id === 'output-truncated').map((notification) => notification.message.text!);
  }

  it("are GitHub's published values by default", () => {
    expect(GITHUB_LIMITS).toEqual({ maxResults: 25_000, maxGzipBytes: 10 * 1024 * 1024 });
  });

  it('keep the most severe results within the result limit', async () => {
    const run = parse(formatSarif(await scanMixed(), OPTIONS, { maxResults: 2, maxGzipBytes: GITHUB_LIMITS.maxGzipBytes }));
    // The critical finding and the first high one, in their sorted order.
    expect(run.results!.map((result) => `${result.locations![0]!.physicalLocation!.artifactLocation!.uri} ${result.level}`)).toEqual([
      'src/a-helper.ts error',
      'src/c-route.ts error',
    ]);
    expect(truncationNotices(run)).toEqual([
      'Left 2 of 4 results out of the SARIF report because of more than 2 results, the most GitHub code scanning accepts in one run; the most severe 2 are kept. Use --format json for every result.',
    ]);
  });

  it('cut results until the gzipped log fits', async () => {
    const result = await scanMixed();
    const full = formatSarif(result, OPTIONS);
    const limit = gzipSync(full).length - 1;
    const text = formatSarif(result, OPTIONS, { maxResults: GITHUB_LIMITS.maxResults, maxGzipBytes: limit });
    expect(gzipSync(text).length).toBeLessThanOrEqual(limit);
    const run = parse(text);
    expect(run.results!.length).toBeLessThan(4);
    expect(run.results!.map((item) => item.ruleId)).toContain('sql-injection');
    const [notice] = truncationNotices(run);
    expect(notice).toContain(`because of a gzip-compressed size above ${limit.toLocaleString('en-US')} bytes, the most GitHub code scanning accepts`);
    expect(notice).toContain(`Left ${4 - run.results!.length} of 4 results`);
  });

  it('name both reasons when both limits cut', async () => {
    const result = await scanMixed();
    const limit = gzipSync(formatSarif(result, OPTIONS, { maxResults: 3, maxGzipBytes: GITHUB_LIMITS.maxGzipBytes })).length - 1;
    const run = parse(formatSarif(result, OPTIONS, { maxResults: 3, maxGzipBytes: limit }));
    const notices = truncationNotices(run);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain('because of more than 3 results, the most GitHub code scanning accepts in one run and a gzip-compressed size above');
  });

  it('leave a log within both limits alone', async () => {
    const run = parse(formatSarif(await scanMixed(), OPTIONS));
    expect(run.results).toHaveLength(4);
    expect(truncationNotices(run)).toEqual([]);
  });
});

describe('SARIF validator', () => {
  it.skipIf(process.platform !== 'linux')('accepts a run with a category, a baseline and suppressions', () => {
    const cwd = makeProject();
    // Record the visits helper, then add a new finding that stays visible.
    fs.rmSync(path.join(cwd, 'src', 'routes'), { recursive: true });
    expect(runCli(['baseline', 'create'], { cwd }).status).toBe(0);
    fs.mkdirSync(path.join(cwd, 'src', 'routes'));
    fs.writeFileSync(path.join(cwd, 'src', 'routes', 'patients.ts'), SQL_INJECTION_ROUTE);

    const result = runCli(
      ['scan', ...SQL_RULES, '--format', 'sarif', '--category', 'backend', '--baseline', '.keneyaudit-baseline.json', '--include-suppressed'],
      { cwd, env: { SOURCE_DATE_EPOCH: '1704067200' } },
    );
    expect(result.status, result.stderr).toBe(1);
    const run = (JSON.parse(result.stdout) as Sarif.Log).runs[0]!;
    expect(run.automationDetails).toEqual({ id: 'backend/' });
    const suppressions = run.results!.map((item) => item.suppressions?.map((suppression) => suppression.kind));
    expect(suppressions).toEqual([['inSource'], ['external'], []]);

    const problems = validatorProblems(result.stdout);
    expect(problems, describeProblems(problems)).toEqual([]);
  });
});
