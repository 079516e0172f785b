import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeRuleFixtures, FIXTURES, scanPaths } from '../helpers/fixtures.js';

const RULE = 'jwt-ignore-expiration';
const CASES = path.join(FIXTURES, RULE);

describeRuleFixtures(RULE);

describe('jwt-ignore-expiration findings', () => {
  it('point at the option in a shared options object', async () => {
    const result = await scanPaths([path.join(CASES, 'jsonwebtoken-ignore.ts')], { rules: [RULE] });
    const lines = result.findings.map((finding) => finding.location.startLine);
    expect(lines).toEqual([4, 9]);
    expect(result.findings[0]?.message).toBe('jwt.verify() accepts expired tokens because ignoreExpiration is true.');
  });

  it('name the NestJS registration', async () => {
    const result = await scanPaths([path.join(CASES, 'nest-ignore.ts')], { rules: [RULE] });
    expect(result.findings[0]?.message).toBe('JwtModule.register() accepts expired tokens because ignoreExpiration is true.');
  });
});
