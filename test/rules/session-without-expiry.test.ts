import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeRuleFixtures, FIXTURES, scanPaths } from '../helpers/fixtures.js';

describeRuleFixtures('session-without-expiry');

const scanCase = (name: string) => scanPaths([path.join(FIXTURES, 'session-without-expiry', name)], { rules: ['session-without-expiry'] });

describe('session-without-expiry findings', () => {
  it('name the option to set for each library', async () => {
    const result = await scanCase('memory-session.js');
    const [expressSession, cookieSession] = result.findings;
    expect(expressSession?.message).toContain('set cookie.maxAge');
    expect(cookieSession?.message).toContain('cookie-session');
    expect(cookieSession?.message).toContain('set maxAge');
  });

  it('give the lifetime of a long session', async () => {
    const result = await scanCase('long-lived.js');
    const longLived = result.findings.find((finding) => finding.location.startLine === 15);
    expect(longLived?.message).toContain('lasts 365 days');
  });

  it('name the session key set without regenerating', async () => {
    const result = await scanCase('login-handlers.ts');
    expect(result.findings).toHaveLength(3);
    expect(result.findings[0]?.message).toContain('req.session.userId');
  });
});
