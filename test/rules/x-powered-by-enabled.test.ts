import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeRuleFixtures, FIXTURES, scanPaths } from '../helpers/fixtures.js';

describeRuleFixtures('x-powered-by-enabled');

describe('x-powered-by-enabled findings', () => {
  it('follow the app into the module that disables the header', async () => {
    const folder = path.join(FIXTURES, 'x-powered-by-enabled', 'disabled-elsewhere');
    const result = await scanPaths([folder], { rules: ['x-powered-by-enabled'] });
    expect(result.findings).toEqual([]);
  });

  it('are low severity', async () => {
    const result = await scanPaths([path.join(FIXTURES, 'x-powered-by-enabled', 'orders-server.ts')], { rules: ['x-powered-by-enabled'] });
    expect(result.findings.map((finding) => finding.severity)).toEqual(['low']);
  });
});
