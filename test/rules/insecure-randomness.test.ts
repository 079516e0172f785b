import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeRuleFixtures, FIXTURES, scanPaths } from '../helpers/fixtures.js';
import { classifySecretName } from '../../src/rules/shared/secret-value-names.js';

describeRuleFixtures('insecure-randomness');

const scanCase = (name: string) => scanPaths([path.join(FIXTURES, 'insecure-randomness', name)], { rules: ['insecure-randomness'] });

describe('insecure-randomness findings', () => {
  it('name the value that holds the randomness', async () => {
    const result = await scanCase('reset-and-otp.ts');
    const token = result.findings.find((finding) => finding.location.startLine === 9);
    expect(token?.message).toContain('`token`');
    expect(token?.message).toContain('Math.random()');
  });

  it('report two calls for one value once', async () => {
    const result = await scanCase('reset-and-otp.ts');
    expect(result.findings.filter((finding) => finding.location.startLine === 9)).toHaveLength(1);
  });

  it('follow a neutral variable to the function that returns it', async () => {
    const result = await scanCase('memory-sessions.js');
    const id = result.findings.find((finding) => finding.location.startLine === 6);
    expect(id?.related.map((item) => item.location.startLine)).toEqual([6]);
    expect(id?.message).toContain('`id`');
  });
});

describe('classifySecretName', () => {
  const cases: Array<[string, ReturnType<typeof classifySecretName>]> = [
    ['resetToken', 'secret'],
    ['passwordResetToken', 'secret'],
    ['newPassword', 'password'],
    ['apiKey', 'secret'],
    ['verificationCode', 'secret'],
    ['magicLink', 'secret'],
    ['sessionId', 'secret'],
    ['cacheKey', undefined],
    ['requestId', undefined],
    ['tokenExpiresAt', undefined],
    ['sessionTimeout', undefined],
    ['jitter', undefined],
  ];
  for (const [name, expected] of cases) {
    it(`classifies ${name}`, () => {
      expect(classifySecretName(name)).toBe(expected);
    });
  }
});
