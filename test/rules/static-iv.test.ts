import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeRuleFixtures, FIXTURES, scanPaths } from '../helpers/fixtures.js';

describeRuleFixtures('static-iv');

describe('static-iv findings', () => {
  it('point at the constant IV', async () => {
    const result = await scanPaths([path.join(FIXTURES, 'static-iv', 'token-vault.ts')], { rules: ['static-iv'] });
    const zero = result.findings.find((finding) => finding.location.startLine === 13);
    expect(zero?.message).toContain('is a constant');
    expect(zero?.related.map((item) => item.location.startLine)).toEqual([4]);
    expect(zero?.severity).toBe('medium');
  });

  it('tell configuration and reuse apart', async () => {
    const result = await scanPaths([path.join(FIXTURES, 'static-iv', 'token-vault.ts')], { rules: ['static-iv'] });
    const byLine = new Map(result.findings.map((finding) => [finding.location.startLine, finding.message]));
    expect(byLine.get(18)).toContain('comes from configuration');
    expect(byLine.get(23)).toContain('drawn once and reused');
    expect(byLine.get(28)).toContain('cut from the key');
  });
});
