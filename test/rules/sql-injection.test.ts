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
