import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeRuleFixtures, FIXTURES, scanPaths } from '../helpers/fixtures.js';

describeRuleFixtures('weak-password-hash');

const scanCase = (name: string) => scanPaths([path.join(FIXTURES, 'weak-password-hash', name)], { rules: ['weak-password-hash'] });

describe('weak-password-hash findings', () => {
  it('give the PBKDF2 count and the guidance', async () => {
    const result = await scanCase('legacy-hashers.js');
    const pbkdf2 = result.findings.find((finding) => finding.message.startsWith('PBKDF2'));
    expect(pbkdf2?.message).toContain('10,000 iterations');
    expect(pbkdf2?.message).toContain('600,000');
  });

  it('report a constant salt separately', async () => {
    const result = await scanCase('legacy-hashers.js');
    const salt = result.findings.find((finding) => finding.location.startLine === 22);
    expect(salt?.message).toContain('same for every password');
  });

  it('report the bcrypt cost at the argument', async () => {
    const result = await scanCase('legacy-hashers.js');
    const cost = result.findings.find((finding) => finding.message.startsWith('bcrypt'));
    expect(cost?.location.startLine).toBe(9);
    expect(cost?.message).toContain('cost 8');
  });
});
