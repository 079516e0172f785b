import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { describeRuleFixtures, FIXTURES, scanPaths } from '../helpers/fixtures.js';

describeRuleFixtures('open-redirect');

const fixture = (...parts: string[]): string => path.join(FIXTURES, 'open-redirect', ...parts);

describe('open-redirect findings', () => {
  it('name the source and the redirect', async () => {
    const result = await scanPaths([fixture('express-return-url.ts')], { rules: ['open-redirect'] });
    const [finding] = result.findings;
    expect(finding?.message).toContain('req.query.next');
    expect(finding?.message).toContain('res.redirect()');
    expect(finding?.severity).toBe('medium');
    expect(finding?.related.map((item) => item.location.startLine)).toEqual([8]);
  });

  it('describe the page address as the source in browser code', async () => {
    const result = await scanPaths([fixture('browser-navigation.js')], { rules: ['open-redirect'] });
    const [finding] = result.findings;
    expect(finding?.message).toContain('page address');
    expect(finding?.related[0]?.location.startLine).toBe(1);
  });
});

describe('open-redirect across modules', () => {
  it('reports the helper with the route as source', async () => {
    const result = await scanPaths([fixture('redirect-helper')], { rules: ['open-redirect'] });
    expect(result.findings).toHaveLength(1);
    const [finding] = result.findings;
    expect(finding?.location.file).toMatch(/respond\.js$/);
    expect(finding?.message).toContain('req.body.returnTo');
  });
});
