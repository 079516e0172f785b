import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { describeRuleFixtures, FIXTURES, scanPaths } from '../helpers/fixtures.js';

describeRuleFixtures('sql-injection');

describe('sql-injection findings', () => {
  it('point at the request source', async () => {
    const result = await scanPaths([path.join(FIXTURES, 'sql-injection', 'pg-template-from-query.ts')], { rules: ['sql-injection'] });
    const [finding] = result.findings;
    expect(finding?.message).toContain('req.query.ward');
    expect(finding?.related.map((item) => item.location.startLine)).toEqual([8]);
    expect(finding?.severity).toBe('critical');
  });

  it('trace a value through a helper of the same file', async () => {
    const result = await scanPaths([path.join(FIXTURES, 'sql-injection', 'helper-in-same-file.ts')], { rules: ['sql-injection'] });
    const [finding] = result.findings;
    expect(finding?.flow.length).toBeGreaterThan(2);
    expect(finding?.flow[0]?.location.startLine).toBe(12);
  });
});

describe('sql-injection across modules', () => {
  it('reports the repository query with the controller as source', async () => {
    const folder = path.join(FIXTURES, 'sql-injection', 'controller-service-repository');
    const result = await scanPaths([folder], { rules: ['sql-injection', 'unparameterized-sql'] });
    const ids = result.findings.map((finding) => finding.ruleId);
    expect(ids).toEqual(['sql-injection']);
    const [finding] = result.findings;
    expect(finding?.message).toContain("@Query()");
    expect(finding?.related[0]?.location.file).toMatch(/controllers\/visits\.controller\.ts$/);
    expect(finding?.flow.map((step) => step.location.file.split('/').pop())).toEqual([
      'visits.controller.ts',
      'visits.controller.ts',
      'visits.service.ts',
      'visits.repository.ts',
    ]);
  });

  it('keeps unparameterized-sql when no caller passes request data', async () => {
    const file = path.join(FIXTURES, 'sql-injection', 'controller-service-repository', 'repositories', 'visits.repository.ts');
    const result = await scanPaths([file], { rules: ['sql-injection', 'unparameterized-sql'] });
    expect(result.findings.map((finding) => finding.ruleId)).toEqual(['unparameterized-sql']);
  });
});
