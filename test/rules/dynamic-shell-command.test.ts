import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { describeRuleFixtures, FIXTURES, scanPaths } from '../helpers/fixtures.js';

describeRuleFixtures('dynamic-shell-command');

describe('dynamic-shell-command findings', () => {
  it('name the part that is not constant', async () => {
    const file = path.join(FIXTURES, 'dynamic-shell-command', 'media-conversion.ts');
    const result = await scanPaths([file], { rules: ['dynamic-shell-command'] });
    const [finding] = result.findings;
    expect(finding?.message).toContain('inputPath');
    expect(finding?.message).toContain('execSync()');
    expect(finding?.severity).toBe('medium');
  });

  it('leave request data to command-injection', async () => {
    const file = path.join(FIXTURES, 'command-injection', 'express-exec-template.ts');
    const result = await scanPaths([file], { rules: ['dynamic-shell-command'] });
    expect(result.findings).toEqual([]);
  });

  it('give way to command-injection across modules', async () => {
    const folder = path.join(FIXTURES, 'command-injection', 'nest-controller-service');
    const result = await scanPaths([folder], { rules: ['command-injection', 'dynamic-shell-command'] });
    expect(result.findings.map((finding) => finding.ruleId)).toEqual(['command-injection']);
  });
});
