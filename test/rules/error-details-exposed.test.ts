import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeRuleFixtures, FIXTURES, scanPaths } from '../helpers/fixtures.js';

describeRuleFixtures('error-details-exposed');

describe('error-details-exposed findings', () => {
  it('name what the response shows', async () => {
    const result = await scanPaths([path.join(FIXTURES, 'error-details-exposed', 'get-order.ts')], { rules: ['error-details-exposed'] });
    const byLine = new Map(result.findings.map((finding) => [finding.location.startLine, finding.message]));
    expect(byLine.get(9)).toContain('err.stack');
    expect(byLine.get(17)).toContain('A 500 response includes `String(error)`');
    expect(byLine.get(26)).toContain('err.sql');
  });

  it('name a raw error object', async () => {
    const result = await scanPaths([path.join(FIXTURES, 'error-details-exposed', 'frameworks.ts')], { rules: ['error-details-exposed'] });
    expect(result.findings[0]?.message).toContain('the caught error object `error`');
  });
});
