import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeRuleFixtures, FIXTURES, scanPaths } from '../helpers/fixtures.js';

describeRuleFixtures('weak-cryptography');

const scanCase = (name: string) => scanPaths([path.join(FIXTURES, 'weak-cryptography', name)], { rules: ['weak-cryptography'] });

describe('weak-cryptography findings', () => {
  it('names the ECB cipher', async () => {
    const result = await scanCase('card-number-ecb.js');
    const ecb = result.findings.find((finding) => finding.location.startLine === 7);
    expect(ecb?.message).toContain('aes-256-ecb');
    expect(ecb?.message).toContain('ECB mode');
    expect(ecb?.severity).toBe('high');
  });

  it('reads the cipher name from a constant', async () => {
    const result = await scanCase('card-number-ecb.js');
    const legacy = result.findings.find((finding) => finding.location.startLine === 12);
    expect(legacy?.message).toContain('des-ede3-cbc');
  });

  it('reports the key size at the option', async () => {
    const result = await scanCase('short-keys.ts');
    const option = result.findings.find((finding) => finding.location.startLine === 6);
    expect(option?.message).toContain('1024 bits');
    expect(option?.location.startColumn).toBe(3);
  });

  it('says what the weak digest protects', async () => {
    const result = await scanCase('token-digests.ts');
    const reset = result.findings.find((finding) => finding.location.startLine === 6);
    expect(reset?.message).toContain('SHA1 protects a token, key or signature');
  });
});
