import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeRuleFixtures, FIXTURES, scanPaths } from '../helpers/fixtures.js';

describeRuleFixtures('insecure-cookie');

const scanCase = (name: string) => scanPaths([path.join(FIXTURES, 'insecure-cookie', name)], { rules: ['insecure-cookie'] });

describe('insecure-cookie findings', () => {
  it('list every missing attribute once', async () => {
    const result = await scanCase('login-router.js');
    const refresh = result.findings.find((finding) => finding.location.startLine === 21);
    expect(refresh?.message).toContain("Cookie 'refresh_token'");
    expect(refresh?.message).toContain('without httpOnly, without secure and without sameSite');
  });

  it('merge SameSite=None with the missing Secure', async () => {
    const result = await scanCase('login-router.js');
    const embedded = result.findings.find((finding) => finding.location.startLine === 27);
    expect(embedded?.message).toContain("with sameSite: 'none' and without secure");
    expect(embedded?.message).not.toContain('without secure and with');
  });

  it('lower the severity when only SameSite is missing', async () => {
    const result = await scanCase('same-site-only.ts');
    expect(result.findings[0]?.severity).toBe('medium');
  });

  it('keep the rule severity otherwise', async () => {
    const result = await scanCase('login-router.js');
    expect(result.findings.every((finding) => finding.severity === 'high')).toBe(true);
  });
});
