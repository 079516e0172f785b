import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/fixtures.js';

const CLI = path.join(REPO_ROOT, 'bin', 'keney-audit.js');

interface JsonFinding {
  ruleId: string;
  location: { file: string; startLine: number };
}

/** Runs the built CLI the way the README does, from the repository root. */
function scanExample(args: string[]) {
  return spawnSync(process.execPath, [CLI, 'scan', 'examples/clinic-api', '--no-cache', ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', SOURCE_DATE_EPOCH: '1767225600' },
  });
}

describe('examples/clinic-api', () => {
  it('has exactly its planted faults', () => {
    const run = scanExample(['--format', 'json']);
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout) as { findings: JsonFinding[] };
    const places = report.findings.map((finding) => `${finding.ruleId} ${finding.location.file}:${finding.location.startLine}`);
    expect(places.sort()).toEqual(
      [
        'cors-credentials-any-origin examples/clinic-api/src/server.ts:16',
        'hardcoded-secret examples/clinic-api/src/services/billing.ts:4',
        'jwt-without-expiry examples/clinic-api/src/services/tokens.ts:9',
        'missing-rate-limit examples/clinic-api/src/routes/auth.ts:14',
        'personal-data-in-logs examples/clinic-api/src/routes/patients.ts:44',
        'secrets-in-logs examples/clinic-api/src/routes/auth.ts:18',
        'sql-injection examples/clinic-api/src/routes/patients.ts:30',
        'weak-signing-secret examples/clinic-api/src/config.ts:11',
      ].sort(),
    );
  });

  it('prints findings grouped by file in text', () => {
    const run = scanExample([]);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('examples/clinic-api/src/routes/patients.ts');
    expect(run.stdout).toMatch(/30:\d+\s+critical\s+.*sql-injection/);
    expect(run.stdout).toMatch(/8 problems \(3 critical, 4 high, 1 medium, 0 low\)/);
  });

  it('passes with --fail-on none', () => {
    expect(scanExample(['--fail-on', 'none', '--quiet']).status).toBe(0);
  });

  it('never prints the planted payment key in full', () => {
    const outputs = ['text', 'json', 'sarif'].map((format) => scanExample(['--format', format]).stdout);
    const key = execFileSync('grep', ['-o', "sk_live_[A-Za-z0-9]*", path.join(REPO_ROOT, 'examples/clinic-api/src/services/billing.ts')], {
      encoding: 'utf8',
    }).trim();
    expect(key.length).toBeGreaterThan(8);
    for (const output of outputs) expect(output).not.toContain(key);
  });
});
