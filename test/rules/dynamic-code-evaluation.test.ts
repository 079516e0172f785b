import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { describeRuleFixtures, FIXTURES, scanPaths } from '../helpers/fixtures.js';

describeRuleFixtures('dynamic-code-evaluation');

describe('dynamic-code-evaluation findings', () => {
  it('name the part that is not constant', async () => {
    const file = path.join(FIXTURES, 'dynamic-code-evaluation', 'rules-from-database.ts');
    const result = await scanPaths([file], { rules: ['dynamic-code-evaluation'] });
    const [finding] = result.findings;
    expect(finding?.message).toContain('row.expression');
    expect(finding?.message).toContain('new Function()');
    expect(finding?.severity).toBe('medium');
  });

  it('leave request data to code-injection', async () => {
    const file = path.join(FIXTURES, 'code-injection', 'calculator-eval.ts');
    const result = await scanPaths([file], { rules: ['dynamic-code-evaluation'] });
    expect(result.findings).toEqual([]);
  });

  it('keep findings when the constants module is not scanned', async () => {
    const file = path.join(FIXTURES, 'dynamic-code-evaluation', 'imported-constants', 'runtime.ts');
    const result = await scanPaths([file], { rules: ['dynamic-code-evaluation'] });
    expect(result.findings.map((finding) => finding.location.startLine)).toEqual([4, 5, 6]);
  });
});
