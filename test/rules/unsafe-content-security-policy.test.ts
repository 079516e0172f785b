import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeRuleFixtures, FIXTURES, scanPaths } from '../helpers/fixtures.js';

describeRuleFixtures('unsafe-content-security-policy');

describe('unsafe-content-security-policy findings', () => {
  it('name the directive and the source', async () => {
    const result = await scanPaths([path.join(FIXTURES, 'unsafe-content-security-policy', 'static-site-server.ts')], {
      rules: ['unsafe-content-security-policy'],
    });
    const byLine = new Map(result.findings.map((finding) => [finding.location.startLine, finding.message]));
    expect(byLine.get(11)).toContain("scriptSrc allows 'unsafe-eval'");
    expect(byLine.get(13)).toContain('frameAncestors allows *');
    expect(byLine.get(22)).toContain('contentSecurityPolicy: false');
    expect(byLine.get(29)).toContain("default-src allows 'unsafe-inline'");
  });
});
