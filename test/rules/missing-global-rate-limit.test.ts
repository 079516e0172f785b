import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeRuleFixtures, FIXTURES, scanPaths } from '../helpers/fixtures.js';

const RULE = 'missing-global-rate-limit';

describeRuleFixtures(RULE);

describe('missing-global-rate-limit finding', () => {
  it('names the framework', async () => {
    const result = await scanPaths([path.join(FIXTURES, RULE, 'koa-without-limiter.js')], { rules: [RULE] });
    const [finding] = result.findings;
    expect(finding?.message).toBe('This Koa application applies no rate limiter to any route.');
    expect(finding?.severity).toBe('low');
  });
});
