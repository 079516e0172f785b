import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeRuleFixtures, FIXTURES, scanPaths } from '../helpers/fixtures.js';

describeRuleFixtures('debug-mode-enabled');

describe('debug-mode-enabled findings', () => {
  it('say what a GraphQL option exposes', async () => {
    const result = await scanPaths([path.join(FIXTURES, 'debug-mode-enabled', 'graphql-servers.js')], { rules: ['debug-mode-enabled'] });
    const byLine = new Map(result.findings.map((finding) => [finding.location.startLine, finding.message]));
    expect(byLine.get(14)).toContain('stack traces in error responses');
    expect(byLine.get(15)).toContain('the whole schema');
    expect(byLine.get(22)).toContain('GraphiQL');
  });
});
