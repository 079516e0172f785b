import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeRuleFixtures, FIXTURES, scanPaths } from '../helpers/fixtures.js';

const RULE = 'jwt-verify-without-algorithms';
const CASES = path.join(FIXTURES, RULE);

describeRuleFixtures(RULE);

describe('jwt-verify-without-algorithms findings', () => {
  it('name the verify call', async () => {
    const result = await scanPaths([path.join(CASES, 'jsonwebtoken-verify.ts')], { rules: [RULE] });
    expect(result.findings[0]?.message).toBe("jwt.verify() verifies tokens without an algorithms list, so the token's header picks the algorithm.");
    expect(result.findings[0]?.severity).toBe('high');
  });

  it('name a NestJS strategy by its library', async () => {
    const result = await scanPaths([path.join(CASES, 'nest-jwt-strategy.ts')], { rules: [RULE] });
    expect(result.findings[0]?.message).toMatch(/^The passport-jwt strategy verifies tokens/);
  });

  it('trust verify options from a module outside the scan', async () => {
    const result = await scanPaths([path.join(CASES, 'imported-verify-options', 'middleware.ts')], { rules: [RULE] });
    expect(result.findings).toEqual([]);
  });
});
