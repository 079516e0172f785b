import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeRuleFixtures, FIXTURES, scanPaths } from '../helpers/fixtures.js';

describeRuleFixtures('disabled-tls-verification');

describe('disabled-tls-verification findings', () => {
  it('are critical', async () => {
    const result = await scanPaths([path.join(FIXTURES, 'disabled-tls-verification', 'worker-entry.js')], { rules: ['disabled-tls-verification'] });
    expect(result.findings.map((finding) => finding.severity)).toEqual(['critical', 'critical', 'critical', 'critical']);
  });

  it('name the option that turns checks off', async () => {
    const result = await scanPaths([path.join(FIXTURES, 'disabled-tls-verification', 'worker-entry.js')], { rules: ['disabled-tls-verification'] });
    const mongo = result.findings.find((finding) => finding.location.startLine === 10);
    expect(mongo?.message).toContain('tlsAllowInvalidCertificates: true');
  });

  it('read committed environment files', async () => {
    const result = await scanPaths([path.join(FIXTURES, 'disabled-tls-verification', '.env.production')], { rules: ['disabled-tls-verification'] });
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]?.message).toContain('committed environment file');
  });
});
